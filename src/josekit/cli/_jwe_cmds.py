"""``josekit jwe``: encrypt and decrypt (compact and JSON serializations)."""

from __future__ import annotations

from typing import Any

import click

from .._header import parse_protected
from .._json import loads_object
from ..algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT
from ..errors import JoseError
from ..jwe import DecryptedJWE, Recipient, decrypt, decrypt_json, encrypt, encrypt_json
from ..policy import DEFAULT_LIMITS
from ._common import (
    MAX_PAYLOAD_FILE,
    CliFailure,
    allow_list,
    dump_json,
    emit_json,
    failure_from,
    json_mode,
    json_option,
    load_key,
    read_input,
    read_source,
    read_token,
    split_names,
)
from ._jws_cmds import header_option, key_label, parse_header, payload_view, write_payload
from ._keysource import key_source_options, resolve_key_source
from ._render import printer
from ._secrets import has_secret, secret_key, secret_options

__all__ = ["decrypt_token", "is_integrated", "jwe_group", "token_algorithms"]


def _passphrase(spec: str) -> bytes:
    data, label = read_source(spec, "--passphrase", 64 * 1024)
    data = data.rstrip(b"\r\n")
    if not data:
        raise CliFailure(f"--passphrase {label} is empty")
    return data


def is_integrated(alg: object) -> bool:
    """True for a key management ``alg`` that encrypts the content itself (HPKE-n: no enc)."""
    desc = KEY_MANAGEMENT.get(alg) if isinstance(alg, str) else None
    return bool(getattr(desc, "integrated", False))


def token_algorithms(token: str) -> list[str]:
    """The key management ``alg`` values a JWE (compact or JSON) names in its headers."""
    if not token.startswith("{"):
        return [str(parse_protected(token.split(".", 1)[0], DEFAULT_LIMITS).get("alg"))]
    obj = loads_object(token, "JWE JSON serialization", DEFAULT_LIMITS.max_json_depth)
    protected = parse_protected(obj["protected"], DEFAULT_LIMITS) if "protected" in obj else {}
    shared = obj.get("unprotected") if isinstance(obj.get("unprotected"), dict) else {}
    recipients = obj.get("recipients")
    entries: list[Any] = recipients if isinstance(recipients, list) else [obj]
    names = []
    for entry in entries:
        own = entry.get("header") if isinstance(entry, dict) else None
        merged = {**(shared or {}), **(own if isinstance(own, dict) else {}), **protected}
        if isinstance(merged.get("alg"), str):
            names.append(merged["alg"])
    return names


def decrypt_token(
    token: str,
    source: Any,
    algs: list[str],
    encs: list[str] | None,
    crit: tuple[str, ...] = (),
) -> DecryptedJWE:
    """Decrypt a compact or JSON JWE with the caller's allow-lists."""
    if token.startswith("{"):
        return decrypt_json(token, source, algorithms=algs, encryptions=encs, crit=crit)
    return decrypt(token, source, algorithms=algs, encryptions=encs, crit=crit)


@click.group(
    "jwe",
    epilog="""\b
Examples:
  josekit jwe encrypt --key bob.pub.jwk --alg ECDH-ES+A256KW --enc A256GCM 'secret'
  josekit jwe decrypt @token.jwe --key bob.jwk --alg ECDH-ES+A256KW
""",
)
def jwe_group() -> None:
    """Encrypt and decrypt JSON Web Encryption tokens (RFC 7516)."""


@jwe_group.command(
    "encrypt",
    epilog="""\b
Examples:
  josekit jwe encrypt --key bob.pub.jwk --alg ECDH-ES+A256KW --enc A256GCM 'secret'
  josekit jwe encrypt --key rsa.pub.pem --alg RSA-OAEP-256 --enc A256GCM @report.pdf
  josekit jwe encrypt --passphrase env:PASS --alg PBES2-HS256+A128KW --enc A128GCM -
  josekit jwe encrypt --key k.jwk --alg dir --enc A256GCM --serialization json 'hi'
""",
)
@click.argument("plaintext_arg", metavar="PLAINTEXT")
@click.option("--key", "key_spec", metavar="FILE|env:NAME|-", help="The recipient's (public) key.")
@secret_options
@click.option("--password", metavar="env:NAME|FILE", help="Password of an encrypted PEM key.")
@click.option(
    "--passphrase",
    metavar="env:NAME|FILE",
    help="For PBES2 algorithms: the passphrase (instead of --key).",
)
@click.option("--alg", required=True, help="Key management algorithm, e.g. RSA-OAEP-256.")
@click.option(
    "--enc",
    help="Content encryption algorithm, e.g. A256GCM (none with the HPKE-n Integrated "
    "Encryption algorithms).",
)
@click.option("--zip", "compress", is_flag=True, help="Compress (DEF) before encrypting.")
@click.option("--kid", help="'kid' header (default: the key's kid).")
@click.option("--typ", help="'typ' header.")
@click.option("--cty", help="'cty' header, e.g. JWT for a nested token.")
@header_option
@click.option(
    "--serialization",
    type=click.Choice(["compact", "json", "flattened"]),
    default="compact",
    show_default=True,
    help="Compact token, or JSON (general or flattened).",
)
@json_option
def encrypt_command(
    plaintext_arg: str,
    key_spec: str | None,
    password: str | None,
    passphrase: str | None,
    alg: str,
    enc: str | None,
    compress: bool,
    kid: str | None,
    typ: str | None,
    cty: str | None,
    header_json: str | None,
    serialization: str,
) -> None:
    """Encrypt PLAINTEXT (text, @FILE or - for stdin) and print the JWE."""
    ctx = click.get_current_context()
    allow_list(KEY_MANAGEMENT, [alg])
    if is_integrated(alg):
        if enc is not None:
            raise CliFailure(f"alg {alg} is HPKE Integrated Encryption: it takes no --enc")
    elif enc is None:
        raise CliFailure(f"--enc is required with alg {alg}, e.g. --enc A256GCM")
    else:
        allow_list(CONTENT_ENCRYPTION, [enc], "--enc")
    if [key_spec is not None, passphrase is not None, has_secret()].count(True) != 1:
        raise CliFailure("give exactly one of --key, --secret or --passphrase")
    recipient: Any
    if has_secret():
        recipient = secret_key([alg])
    elif passphrase is not None:
        if not KEY_MANAGEMENT[alg].accepts_password:
            raise CliFailure(f"--passphrase works only with the PBES2 algorithms, not {alg}")
        recipient = _passphrase(passphrase)
    else:
        assert key_spec is not None
        recipient = load_key(key_spec, "--key", password)
    header = parse_header(header_json, kid=kid, typ=typ, cty=cty)
    plaintext, _ = read_input(plaintext_arg, "PLAINTEXT", MAX_PAYLOAD_FILE)
    zip_ = "DEF" if compress else None
    try:
        if serialization == "compact":
            token: Any = encrypt(plaintext, recipient, alg, enc, header=header or None, zip=zip_)
        else:
            token = encrypt_json(
                plaintext,
                [Recipient(recipient, alg)],
                enc,
                protected=header or None,
                zip=zip_,
                flattened=serialization == "flattened",
            )
    except JoseError as exc:
        raise failure_from(exc, "cannot encrypt") from None
    if json_mode(ctx):
        emit_json({"token" if serialization == "compact" else "jwe": token, "alg": alg, "enc": enc})
    elif serialization == "compact":
        click.echo(token)
    else:
        click.echo(dump_json(token, indent=None))


@jwe_group.command(
    "decrypt",
    epilog="""\b
Examples:
  josekit jwe decrypt @token.jwe --key bob.jwk --alg ECDH-ES+A256KW
  josekit jwe decrypt - --key env:PRIVATE_JWK --alg RSA-OAEP-256 --enc A256GCM < token.jwe
  josekit jwe decrypt @token.jwe --passphrase env:PASS --alg PBES2-HS256+A128KW

The plaintext goes to stdout unchanged; the result line goes to stderr.
""",
)
@click.argument("token_arg", metavar="TOKEN")
@key_source_options
@click.option(
    "--passphrase",
    metavar="env:NAME|FILE",
    help="For PBES2 algorithms: the passphrase (instead of --key).",
)
@click.option(
    "--alg",
    "algs",
    multiple=True,
    metavar="ALG",
    help="An accepted key management algorithm; required, repeatable. RSA1_5 and PBES2-* "
    "are accepted only when listed.",
)
@click.option(
    "--enc",
    "encs",
    multiple=True,
    metavar="ENC",
    help="An accepted content encryption (repeatable). Default: all that josekit implements.",
)
@click.option(
    "--crit",
    multiple=True,
    metavar="NAME",
    help="A 'crit' header extension your application understands (repeatable).",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the result line to stderr.")
@json_option
def decrypt_command(
    token_arg: str,
    key_spec: str | None,
    jwks_spec: str | None,
    password: str | None,
    passphrase: str | None,
    algs: tuple[str, ...],
    encs: tuple[str, ...],
    crit: tuple[str, ...],
    quiet: bool,
) -> None:
    """Decrypt the JWE TOKEN (compact or JSON; text, @FILE or -) and print its plaintext."""
    ctx = click.get_current_context()
    accepted = allow_list(KEY_MANAGEMENT, algs)
    accepted_enc = allow_list(CONTENT_ENCRYPTION, encs, "--enc") if encs else None
    token = read_token(token_arg, "TOKEN")
    source: Any
    if passphrase is not None:
        if key_spec is not None or jwks_spec is not None or has_secret():
            raise CliFailure("give --passphrase, or --key/--jwks/--secret, not both")
        source = _passphrase(passphrase)
    else:
        source = resolve_key_source(key_spec, jwks_spec, password, accepted)
    try:
        result = decrypt_token(token, source, accepted, accepted_enc, crit)
    except JoseError as exc:
        raise failure_from(exc, "the JWE could not be decrypted", verifying=True) from None
    if json_mode(ctx):
        emit_json(
            {
                "decrypted": True,
                "alg": result.header.get("alg"),
                "enc": result.header.get("enc"),
                "kid": result.key.kid,
                "header": result.header,
                **payload_view(result.plaintext),
            }
        )
        return
    if not quiet:
        printer(ctx, err=True).line(
            f"Decrypted: alg {result.header.get('alg')}"
            + (f", enc {result.header['enc']}" if "enc" in result.header else "")
            + f", {key_label(result.key)}",
            "good",
        )
    write_payload(result.plaintext)


def header_algorithms(token: str, requested: tuple[str, ...]) -> list[str]:
    """``--alg`` values if given, else the algorithms the JWE names (for ``inspect``)."""
    names = split_names(requested)
    if names:
        return allow_list(KEY_MANAGEMENT, names)
    return token_algorithms(token)
