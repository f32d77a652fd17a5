"""``josekit jwt``: encode (sign, encrypt or both) and decode with claim validation."""

from __future__ import annotations

import secrets
from typing import Any

import click

from .._header import parse_protected
from .._json import loads, loads_object
from ..algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT, SIGNATURE_ALGORITHMS
from ..errors import ClaimError, JoseError, LimitExceededError
from ..jwt import (
    Token,
    decode,
    decode_encrypted,
    decode_nested,
    encode,
    encode_encrypted,
    encode_nested,
)
from ..policy import DEFAULT_LIMITS
from ._common import (
    EXIT_REJECTED,
    MAX_KEY_FILE,
    CliFailure,
    allow_list,
    current_time,
    dump_json,
    emit_json,
    failure_from,
    json_mode,
    json_option,
    load_key,
    load_key_source,
    now_option,
    parse_duration,
    read_input,
    read_token,
)
from ._jws_cmds import alg_required, header_option, key_label, parse_header, signing_key
from ._keysource import key_source_options, resolve_key_source
from ._keystore import kek_option, store_signing_key
from ._render import printer
from ._secrets import has_secret, secret_options
from ._signatures import refuse_unreadable_signatures

__all__ = ["jwt_group"]


def _claim_value(name: str, text: str) -> Any:
    """A ``--claim`` value: JSON when it parses as JSON, else the plain string.

    JSON is read with josekit's strict parser (bounded depth, no duplicate names); a value
    that starts like a JSON object or array but is not one is refused rather than kept as
    a string, since it was surely meant as JSON.
    """
    try:
        return loads(text, f"--claim {name}", DEFAULT_LIMITS.max_json_depth)
    except LimitExceededError as exc:
        raise CliFailure(str(exc)) from None
    except JoseError as exc:
        if text.lstrip().startswith(("{", "[")):
            raise CliFailure(
                f"{exc}; to give the text itself as a string, write {name}='\"...\"'"
            ) from None
        return text


def _claims(claims_arg: str | None, pairs: tuple[str, ...]) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    if claims_arg is not None:
        data, label = read_input(claims_arg, "CLAIMS", MAX_KEY_FILE)
        try:
            claims = loads_object(data, f"the claims ({label})")
        except JoseError as exc:
            raise CliFailure(str(exc)) from None
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CliFailure(f"--claim {pair!r}: write NAME=VALUE (VALUE may be JSON)")
        claims[name] = _claim_value(name, value)
    return claims


@click.group(
    "jwt",
    epilog="""\b
Examples:
  josekit jwt encode --key k1.jwk --alg ES256 --iss https://issuer.example --sub alice --exp-in 15m
  josekit jwt decode @token.jwt --key k1.pub.jwk --alg ES256 --iss https://issuer.example
""",
)
def jwt_group() -> None:
    """Create and validate JSON Web Tokens (RFC 7519): signed, encrypted or nested."""


@jwt_group.command(
    "encode",
    epilog="""\b
Examples:
  josekit jwt encode --key k1.jwk --alg ES256 --iss https://issuer.example --sub alice \\
      --aud api --exp-in 15m --jti
  josekit jwt encode '{"sub":"alice","scope":"read"}' --key k1.jwk --alg ES256 --exp-in 1h
  josekit jwt encode --key k1.jwk --alg ES256 --claim admin=true --claim groups='["a","b"]'
  josekit jwt encode --key k1.jwk --alg ES256 --exp-in 5m \\
      --encrypt-key bob.pub.jwk --encrypt-alg ECDH-ES+A256KW --enc A256GCM   # nested
""",
)
@click.argument("claims_arg", metavar="[CLAIMS]", required=False)
@click.option("--key", "key_spec", metavar="FILE|env:NAME|-", help="Signing key (private).")
@click.option(
    "--store",
    "store_spec",
    metavar="DIR|postgresql://...",
    help="Sign with the current key of this key store instead of --key.",
)
@kek_option
@secret_options
@click.option("--password", metavar="env:NAME|FILE", help="Password of an encrypted PEM key.")
@click.option("--alg", help="Signature algorithm. Default: the signing key's 'alg'.")
@click.option("--iss", help="'iss' claim.")
@click.option("--sub", help="'sub' claim.")
@click.option("--aud", multiple=True, help="'aud' claim (repeatable: several audiences).")
@click.option(
    "--exp-in", metavar="DURATION", help="Set 'exp' this long after now: 90, 15m, 2h, 7d."
)
@click.option("--nbf-in", metavar="DURATION", help="Set 'nbf' this long after now (0 for now).")
@click.option("--iat/--no-iat", default=True, show_default=True, help="Set 'iat' to now.")
@click.option("--jti", "with_jti", is_flag=True, help="Set 'jti' to a random identifier.")
@click.option(
    "--claim",
    "pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Another claim; VALUE is JSON when it parses as JSON (repeatable).",
)
@click.option("--typ", help="'typ' header (default JWT).")
@click.option("--kid", help="'kid' header (default: the key's kid).")
@header_option
@click.option(
    "--encrypt-key",
    metavar="FILE|env:NAME",
    help="Encrypt to this (public) key: with --key the token is nested (signed, then "
    "encrypted); without it, encrypted only.",
)
@click.option("--encrypt-alg", help="Key management algorithm for --encrypt-key.")
@click.option("--enc", help="Content encryption for --encrypt-key, e.g. A256GCM.")
@now_option
@json_option
def encode_command(
    claims_arg: str | None,
    key_spec: str | None,
    store_spec: str | None,
    kek_spec: str | None,
    password: str | None,
    alg: str | None,
    iss: str | None,
    sub: str | None,
    aud: tuple[str, ...],
    exp_in: str | None,
    nbf_in: str | None,
    iat: bool,
    with_jti: bool,
    pairs: tuple[str, ...],
    typ: str | None,
    kid: str | None,
    header_json: str | None,
    encrypt_key: str | None,
    encrypt_alg: str | None,
    enc: str | None,
    now: str | None,
) -> None:
    """Create a JWT from CLAIMS (a JSON object: text, @FILE or -) and the claim options."""
    ctx = click.get_current_context()
    if [key_spec is not None, store_spec is not None, has_secret()].count(True) > 1:
        raise CliFailure("give one of --key, --secret or --store, not several")
    signs = key_spec is not None or store_spec is not None or has_secret()
    if not signs and encrypt_key is None:
        raise CliFailure(
            "give --key (or --secret, or --store) to sign, --encrypt-key to encrypt, or both "
            "for a nested JWT"
        )
    if encrypt_key is not None and (encrypt_alg is None or enc is None):
        raise CliFailure("--encrypt-key needs --encrypt-alg and --enc")
    if encrypt_key is None and (encrypt_alg is not None or enc is not None):
        raise CliFailure("--encrypt-alg and --enc need --encrypt-key")
    claims = _claims(claims_arg, pairs)
    moment = int(current_time(now))
    for name, value in (("iss", iss), ("sub", sub)):
        if value is not None:
            claims[name] = value
    if aud:
        claims["aud"] = aud[0] if len(aud) == 1 else list(aud)
    if iat:
        claims.setdefault("iat", moment)
    if exp_in is not None:
        claims["exp"] = moment + parse_duration(exp_in, "--exp-in")
    if nbf_in is not None:
        claims["nbf"] = moment + parse_duration(nbf_in, "--nbf-in")
    if with_jti:
        claims["jti"] = secrets.token_urlsafe(16)
    header = parse_header(header_json, kid=kid, typ=typ)

    signing = None
    if signs:
        signing = (
            store_signing_key(store_spec, kek_spec)
            if store_spec is not None
            else signing_key(key_spec, password, alg)
        )
        alg = alg or signing.alg
        if alg is None:
            raise alg_required(signing)
        allow_list(SIGNATURE_ALGORITHMS, [alg])
    elif alg is not None:
        raise CliFailure("--alg is the signature algorithm: it needs --key or --secret")
    recipient = None
    if encrypt_key is not None and encrypt_alg is not None and enc is not None:
        allow_list(KEY_MANAGEMENT, [encrypt_alg], "--encrypt-alg")
        allow_list(CONTENT_ENCRYPTION, [enc], "--enc")
        recipient = load_key(encrypt_key, "--encrypt-key")

    try:
        if signing is not None and alg is not None:
            if recipient is not None and encrypt_alg is not None and enc is not None:
                token = encode_nested(
                    claims, signing, alg, recipient, encrypt_alg, enc, header=header or None
                )
                kind = "nested"
            else:
                token = encode(claims, signing, alg, header=header or None)
                kind = "signed"
        elif recipient is not None and encrypt_alg is not None and enc is not None:
            token = encode_encrypted(claims, recipient, encrypt_alg, enc, header=header or None)
            kind = "encrypted"
        else:  # pragma: no cover - the option checks above leave no other case
            raise CliFailure("give --key or --encrypt-key")
    except JoseError as exc:
        raise failure_from(exc, "cannot encode the JWT") from None
    if json_mode(ctx):
        emit_json({"token": token, "kind": kind, "claims": claims})
    else:
        click.echo(token)


def _check_kind(token: str, signed: bool, encrypted: bool) -> None:
    """Say which options a token needs when they do not match its kind."""
    parts = token.count(".") + 1
    if parts == 5 and not encrypted:
        raise CliFailure(
            "this JWT is encrypted (a JWE, 5 parts): give --decrypt-key and --decrypt-alg "
            "(and --key/--jwks with --alg if it is nested: signed, then encrypted)"
        )
    if parts == 3 and encrypted:
        raise CliFailure("this JWT is signed, not encrypted (3 parts): drop --decrypt-key")
    if parts == 5 and not signed:
        try:
            header = parse_protected(token.split(".", 1)[0], DEFAULT_LIMITS)
        except JoseError:
            return
        cty = header.get("cty")
        if isinstance(cty, str) and cty.lower() in ("jwt", "application/jwt"):
            raise CliFailure(
                "this JWE carries a nested JWT (cty JWT): give --key or --jwks and --alg "
                "to verify the signed JWT inside it"
            )


@jwt_group.command(
    "decode",
    epilog="""\b
Examples:
  josekit jwt decode @token.jwt --key k1.pub.jwk --alg ES256 --iss https://issuer.example --aud api
  josekit jwt decode "$TOKEN" --jwks https://issuer.example/jwks.json --alg RS256 \\
      --require exp --require sub --leeway 30s
  josekit jwt decode @enc.jwt --decrypt-key bob.jwk --decrypt-alg ECDH-ES+A256KW
  josekit jwt decode @nested.jwt --decrypt-key bob.jwk --decrypt-alg ECDH-ES+A256KW \\
      --key issuer.pub.jwk --alg ES256                                  # nested

\b
The options say which kind of token to expect, never the token:
  signed     --key or --jwks, with --alg
  encrypted  --decrypt-key, with --decrypt-alg
  nested     both (signed, then encrypted)
The claims go to stdout; the result line to stderr.
""",
)
@click.argument("token_arg", metavar="TOKEN")
@key_source_options
@click.option(
    "--alg",
    "algs",
    multiple=True,
    metavar="ALG",
    help="An accepted signature algorithm; required with --key/--jwks, repeatable.",
)
@click.option(
    "--decrypt-key",
    metavar="FILE|env:NAME|-",
    help="Private key (or JWK Set) that decrypts an encrypted or nested JWT.",
)
@click.option(
    "--decrypt-alg",
    "decrypt_algs",
    multiple=True,
    metavar="ALG",
    help="An accepted key management algorithm; required with --decrypt-key, repeatable.",
)
@click.option(
    "--enc",
    "encs",
    multiple=True,
    metavar="ENC",
    help="An accepted content encryption (repeatable). Default: all that josekit implements.",
)
@click.option("--iss", "issuers", multiple=True, help="Accepted 'iss' (exact; repeatable).")
@click.option(
    "--aud",
    "audiences",
    multiple=True,
    help="This recipient's audience; the token's 'aud' must contain one (repeatable). "
    "Without --aud a token that has 'aud' is refused.",
)
@click.option("--sub", help="Required 'sub' (exact).")
@click.option(
    "--leeway", default="0", show_default=True, metavar="DURATION", help="Clock skew allowed."
)
@click.option(
    "--require", "required", multiple=True, metavar="CLAIM", help="A claim that must be present."
)
@click.option("--typ", help="Required header 'typ', e.g. at+jwt.")
@click.option("--max-age", metavar="DURATION", help="Refuse tokens issued (iat) longer ago.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the result line to stderr.")
@now_option
@json_option
def decode_command(
    token_arg: str,
    key_spec: str | None,
    jwks_spec: str | None,
    password: str | None,
    algs: tuple[str, ...],
    decrypt_key: str | None,
    decrypt_algs: tuple[str, ...],
    encs: tuple[str, ...],
    issuers: tuple[str, ...],
    audiences: tuple[str, ...],
    sub: str | None,
    leeway: str,
    required: tuple[str, ...],
    typ: str | None,
    max_age: str | None,
    quiet: bool,
    now: str | None,
) -> None:
    """Verify (or decrypt) the JWT TOKEN, validate its claims and print them."""
    ctx = click.get_current_context()
    signed = key_spec is not None or jwks_spec is not None or has_secret()
    if not signed and decrypt_key is None:
        raise CliFailure(
            "give --key or --jwks (signed JWT), --decrypt-key (encrypted JWT), or both (nested)"
        )
    accepted = allow_list(SIGNATURE_ALGORITHMS, algs) if signed else None
    if not signed and algs:
        raise CliFailure("--alg is for the signature: give --key or --jwks too (or --decrypt-alg)")
    accepted_km = allow_list(KEY_MANAGEMENT, decrypt_algs, "--decrypt-alg") if decrypt_key else None
    if decrypt_key is None and (decrypt_algs or encs):
        raise CliFailure("--decrypt-alg and --enc need --decrypt-key")
    accepted_enc = allow_list(CONTENT_ENCRYPTION, encs, "--enc") if encs else None
    options: dict[str, Any] = {
        "issuer": list(issuers) or None,
        "audience": list(audiences) or None,
        "subject": sub,
        "leeway": parse_duration(leeway, "--leeway"),
        "required": required,
        "typ": typ,
        "max_age": parse_duration(max_age, "--max-age") if max_age is not None else None,
        "now": current_time(now),
    }
    token = read_token(token_arg, "TOKEN")
    _check_kind(token, signed, decrypt_key is not None)
    verifier = resolve_key_source(key_spec, jwks_spec, password, accepted or ()) if signed else None
    decrypter = load_key_source(decrypt_key, None, None) if decrypt_key is not None else None
    if decrypter is None:
        refuse_unreadable_signatures(token)
    try:
        result: Token
        if verifier is not None and decrypter is not None:
            result = decode_nested(
                token,
                decrypter,
                verifier,
                algorithms=accepted_km or (),
                encryptions=accepted_enc,
                signing_algorithms=accepted or (),
                **options,
            )
        elif verifier is not None:
            result = decode(token, verifier, algorithms=accepted or (), **options)
        elif decrypter is not None:
            result = decode_encrypted(
                token, decrypter, algorithms=accepted_km or (), encryptions=accepted_enc, **options
            )
        else:  # pragma: no cover - the option checks above leave no other case
            raise CliFailure("give --key, --jwks or --decrypt-key")
    except ClaimError as exc:
        if exc.claim == "aud" and not audiences:
            raise CliFailure(
                "the JWT is not valid: it has an 'aud' claim; give --aud with this service's "
                "identifier to accept it",
                EXIT_REJECTED,
                type(exc).__name__,
            ) from None
        raise failure_from(exc, "the JWT is not valid", verifying=True) from None
    except JoseError as exc:
        raise failure_from(exc, "the JWT is not valid", verifying=True) from None
    if json_mode(ctx):
        emit_json(
            {
                "valid": True,
                "header": result.header,
                "claims": result.claims,
                "kid": result.key.kid if result.key is not None else None,
            }
        )
        return
    if not quiet:
        printer(ctx, err=True).line(
            f"Valid JWT: alg {result.header.get('alg')}, {key_label(result.key)}", "good"
        )
    click.echo(dump_json(result.claims))
