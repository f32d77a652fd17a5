"""``josekit jws``: sign and verify (compact and JSON serializations)."""

from __future__ import annotations

import sys
from typing import Any

import click

from .._b64 import b64e_str
from .._json import loads_object
from ..algorithms import SIGNATURE_ALGORITHMS
from ..algorithms._registry import fits
from ..errors import JoseError
from ..jwk import Key
from ..jws import Signer, VerifiedJWS, sign, sign_json, verify, verify_json
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
    read_token,
)
from ._keysource import key_source_options, resolve_key_source
from ._render import printer
from ._secrets import has_secret, secret_key, secret_options
from ._signatures import refuse_unreadable_signatures

__all__ = ["jws_group", "payload_view", "signing_key", "write_payload"]


def payload_view(payload: bytes) -> dict[str, Any]:
    """The payload for JSON output: its text when it is UTF-8, and always its base64url."""
    try:
        text: str | None = payload.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return {"payload": text, "payload_b64url": b64e_str(payload)}


def write_payload(payload: bytes) -> None:
    """Write payload bytes to stdout as they are (a newline is added only on a terminal)."""
    stream = sys.stdout.buffer
    stream.write(payload)
    if stream.isatty() and not payload.endswith(b"\n"):
        stream.write(b"\n")
    stream.flush()


def key_label(result_key: Any) -> str:
    """``kid 'k1'`` or ``thumbprint ...`` for the key that verified or decrypted."""
    if result_key is None:
        return "the given key"
    kid = getattr(result_key, "kid", None)
    if kid is not None:
        return f"key kid {kid!r}"
    if getattr(result_key, "is_symmetric", False):
        return "the shared secret"  # a secret's thumbprint would let anyone test guesses
    try:
        return f"key with thumbprint {result_key.thumbprint()}"
    except JoseError:
        return "the given key"


def alg_required(key: Key) -> CliFailure:
    """The error for a signing key without ``alg`` and no ``--alg``: it names what fits."""
    fitting = [
        name
        for name in SIGNATURE_ALGORITHMS
        if fits(SIGNATURE_ALGORITHMS[name].check_key, key, "sign")
    ]
    hint = f"; name one, e.g. --alg {fitting[0]} (this key fits {', '.join(fitting)})"
    return CliFailure("--alg is required: the key has no 'alg' member" + (hint if fitting else ""))


def signing_key(key_spec: str | None, password: str | None, alg: str | None) -> Key:
    """The private key of ``--key``, or the key of ``--secret`` (which then needs ``--alg``)."""
    if (key_spec is None) == (not has_secret()):
        raise CliFailure("give --key (a private key) or --secret (a shared secret for HS*)")
    if key_spec is not None:
        return load_key(key_spec, "--key", password)
    if alg is None:
        raise CliFailure("--secret needs --alg: HS256, HS384 or HS512")
    return secret_key([alg])


def header_option(func: Any) -> Any:
    """``--header JSON``: extra protected header parameters."""
    return click.option(
        "--header",
        "header_json",
        metavar="JSON",
        help='Extra protected header parameters, a JSON object (e.g. \'{"typ":"JWT"}\').',
    )(func)


def parse_header(header_json: str | None, **extra: str | None) -> dict[str, Any]:
    """The ``--header`` object merged with single-parameter options such as ``--typ``."""
    header: dict[str, Any] = {}
    if header_json is not None:
        try:
            header = loads_object(header_json, "--header")
        except JoseError as exc:
            raise CliFailure(str(exc)) from None
    for name, value in extra.items():
        if value is not None:
            if name in header and header[name] != value:
                raise CliFailure(f"--{name} contradicts '{name}' in --header")
            header[name] = value
    return header


@click.group(
    "jws",
    epilog="""\b
Examples:
  josekit jws sign --key k1.jwk --alg ES256 'hello'
  josekit jws verify @token.txt --key k1.pub.jwk --alg ES256
""",
)
def jws_group() -> None:
    """Sign and verify JSON Web Signatures (RFC 7515)."""


@jws_group.command(
    "sign",
    epilog="""\b
Examples:
  josekit jws sign --key k1.jwk --alg ES256 'hello'
  josekit jws sign --key env:SIGNING_JWK --alg EdDSA @document.json
  cat data.bin | josekit jws sign --key k1.jwk --alg ES256 --detached -
  josekit jws sign --key k1.jwk --alg ES256 --serialization json --typ example+jws 'hi'
""",
)
@click.argument("payload_arg", metavar="PAYLOAD")
@click.option("--key", "key_spec", metavar="FILE|env:NAME|-", help="Private key.")
@secret_options
@click.option("--password", metavar="env:NAME|FILE", help="Password of an encrypted PEM key.")
@click.option("--alg", help="Signature algorithm. Default: the key's 'alg'.")
@click.option("--kid", help="'kid' header (default: the key's kid).")
@click.option("--typ", help="'typ' header, e.g. JWT.")
@click.option("--cty", help="'cty' header.")
@header_option
@click.option("--detached", is_flag=True, help="Leave the payload out of the token.")
@click.option(
    "--unencoded",
    is_flag=True,
    help="RFC 7797 unencoded payload (b64: false, listed in crit).",
)
@click.option(
    "--serialization",
    type=click.Choice(["compact", "json", "flattened"]),
    default="compact",
    show_default=True,
    help="Compact token, or JSON (general or flattened).",
)
@json_option
def sign_command(
    payload_arg: str,
    key_spec: str | None,
    password: str | None,
    alg: str | None,
    kid: str | None,
    typ: str | None,
    cty: str | None,
    header_json: str | None,
    detached: bool,
    unencoded: bool,
    serialization: str,
) -> None:
    """Sign PAYLOAD (text, @FILE or - for stdin) and print the JWS."""
    ctx = click.get_current_context()
    key = signing_key(key_spec, password, alg)
    if alg is None:
        if key.alg is None:
            raise alg_required(key)
        alg = key.alg
    allow_list(SIGNATURE_ALGORITHMS, [alg])
    header = parse_header(header_json, kid=kid, typ=typ, cty=cty)
    if unencoded:
        crit = header.get("crit", [])
        if not isinstance(crit, list) or not all(isinstance(name, str) for name in crit):
            raise CliFailure(
                "--header: 'crit' must be an array of header parameter names, e.g. "
                '{"crit":["b64"]}'
            )
        header["b64"] = False
        header["crit"] = [*crit, "b64"] if "b64" not in crit else crit
    payload, _ = read_input(payload_arg, "PAYLOAD", MAX_PAYLOAD_FILE)
    try:
        if serialization == "compact":
            token: Any = sign(payload, key, alg, header=header or None, detached=detached)
        else:
            token = sign_json(
                payload,
                [Signer(key, alg, protected=header or None)],
                flattened=serialization == "flattened",
                detached=detached,
            )
    except JoseError as exc:
        raise failure_from(exc, "cannot sign") from None
    if json_mode(ctx):
        emit_json({"token" if serialization == "compact" else "jws": token, "alg": alg})
    elif serialization == "compact":
        click.echo(token)
    else:
        click.echo(dump_json(token, indent=None))


@jws_group.command(
    "verify",
    epilog="""\b
Examples:
  josekit jws verify @token.txt --key k1.pub.jwk --alg ES256
  josekit jws verify "$TOKEN" --jwks https://example.com/jwks.json --alg RS256 --alg PS256
  josekit jws verify @sig.jws --key k.jwk --alg EdDSA --detached-payload @data.bin
  josekit jws verify - --key env:PUBLIC_JWK --alg ES256 --json < token.txt

The verified payload goes to stdout unchanged; the result line goes to stderr.
""",
)
@click.argument("token_arg", metavar="TOKEN")
@key_source_options
@click.option(
    "--alg",
    "algs",
    multiple=True,
    metavar="ALG",
    help="An accepted algorithm; required, repeatable (or comma-separated).",
)
@click.option(
    "--detached-payload",
    metavar="TEXT|@FILE|-",
    help="The payload of a detached-content JWS.",
)
@click.option(
    "--crit",
    "crit",
    multiple=True,
    metavar="NAME",
    help="A 'crit' header extension your application understands (repeatable).",
)
@click.option("--unencoded", is_flag=True, help="Accept RFC 7797 unencoded payloads (b64: false).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the result line to stderr.")
@json_option
def verify_command(
    token_arg: str,
    key_spec: str | None,
    jwks_spec: str | None,
    password: str | None,
    algs: tuple[str, ...],
    detached_payload: str | None,
    crit: tuple[str, ...],
    unencoded: bool,
    quiet: bool,
) -> None:
    """Verify the JWS TOKEN (compact or JSON; text, @FILE or -) and print its payload.

    Keys named inside the token (jwk, jku, x5u, x5c) are never used: the key comes from
    --key or --jwks only.
    """
    ctx = click.get_current_context()
    accepted = allow_list(SIGNATURE_ALGORITHMS, algs)
    token = read_token(token_arg, "TOKEN")
    source = resolve_key_source(key_spec, jwks_spec, password, accepted)
    refuse_unreadable_signatures(token)
    detached = None
    if detached_payload is not None:
        detached, _ = read_input(detached_payload, "--detached-payload", MAX_PAYLOAD_FILE)
    try:
        result: VerifiedJWS
        if token.startswith("{"):
            result = verify_json(
                token,
                source,
                algorithms=accepted,
                detached_payload=detached,
                crit=crit,
                unencoded_payload=unencoded,
            )
        else:
            result = verify(
                token,
                source,
                algorithms=accepted,
                detached_payload=detached,
                crit=crit,
                unencoded_payload=unencoded,
            )
    except JoseError as exc:
        raise failure_from(exc, "the JWS did not verify", verifying=True) from None
    if json_mode(ctx):
        emit_json(
            {
                "verified": True,
                "alg": result.header.get("alg"),
                "kid": result.key.kid if result.key is not None else None,
                "header": result.header,
                **payload_view(result.payload),
            }
        )
        return
    if not quiet:
        printer(ctx, err=True).line(
            f"Signature verified: alg {result.header.get('alg')}, {key_label(result.key)}",
            "good",
        )
    write_payload(result.payload)
