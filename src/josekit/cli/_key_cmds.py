"""``josekit key``: generate, convert and fingerprint keys."""

from __future__ import annotations

import os
from typing import Any

import click

from ..algorithms import (
    CONTENT_ENCRYPTION,
    KEY_MANAGEMENT,
    SIGNATURE_ALGORITHMS,
    KeyManagement,
    SignatureAlgorithm,
)
from ..errors import InvalidKeyError, UnsupportedAlgorithmError
from ..jwk import Key, generate
from ..jwk._curves import EC_CURVES, OKP_CURVES
from ._common import (
    CliFailure,
    dump_json,
    emit_json,
    failure_from,
    json_mode,
    json_option,
    load_key,
    write_private_file,
)
from ._render import printer

__all__ = ["key_group"]

_KTYS = ("EC", "OKP", "RSA", "oct", "AKP")
_CURVES = (*EC_CURVES, *OKP_CURVES)
_HASHES = ("SHA-256", "SHA-384", "SHA-512")
_ANY_ENC = CONTENT_ENCRYPTION["A256GCM"]


def _descriptor(alg: str) -> SignatureAlgorithm | KeyManagement:
    """The JWS or JWE key management row of ``alg`` (a key's ``alg`` is one of those)."""
    if alg in SIGNATURE_ALGORITHMS:
        return SIGNATURE_ALGORITHMS[alg]
    if alg in KEY_MANAGEMENT:
        return KEY_MANAGEMENT[alg]
    close = [n for n in (*SIGNATURE_ALGORITHMS, *KEY_MANAGEMENT) if n.lower() == alg.lower()]
    if close:
        raise CliFailure(f"--alg {alg}: did you mean {close[0]}?")
    raise CliFailure(
        f"--alg {alg}: unknown algorithm (josekit implements {', '.join(SIGNATURE_ALGORITHMS)} "
        f"for signatures and {', '.join(KEY_MANAGEMENT)} for encryption)"
    )


def _check_fit(key: Key, alg: str) -> None:
    """Refuse a key its own ``alg`` could never use (e.g. a P-256 key marked ES384)."""
    desc = _descriptor(alg)
    try:
        if isinstance(desc, SignatureAlgorithm):
            desc.check_key(key, "sign" if key.is_private else "verify")
        elif isinstance(desc, KeyManagement) and not desc.direct:
            # The content encryption does not matter to the key, except for 'dir'.
            desc.check_key(key, "decrypt" if key.is_private else "encrypt", _ANY_ENC)
    except InvalidKeyError as exc:
        raise CliFailure(f"--alg {alg} does not fit this key: {exc}") from None


def _check_combination(kty: str, crv: str | None, size: int | None, alg: str | None) -> None:
    if kty in ("EC", "OKP", "AKP") and size is not None:
        chooser = "--alg" if kty == "AKP" else "--crv"
        raise CliFailure(f"--size applies to RSA and oct keys; {kty} keys take {chooser}")
    if kty in ("RSA", "oct", "AKP") and crv is not None:
        raise CliFailure(f"--crv applies to EC and OKP keys, not {kty}")
    if crv is not None:
        family = "EC" if crv in EC_CURVES else "OKP"
        if family != kty:
            raise CliFailure(f"--crv {crv} is an {family} curve: use --kty {family}")
    if kty == "AKP" and alg is None:
        raise CliFailure("AKP (ML-DSA) keys need --alg: ML-DSA-44, ML-DSA-65 or ML-DSA-87")


def _render_key(key: Key, fmt: str, private: bool) -> str:
    if fmt == "pem":
        return key.to_pem(private=private).rstrip("\n")
    return dump_json(key.to_dict(private=private))


def _describe(key: Key) -> str:
    parts = [key.kty]
    if key.crv:
        parts.append(key.crv)
    elif key.kty in ("RSA", "oct"):
        parts.append(f"{key.size} bits")
    if key.kid is not None:
        parts.append(f"kid {key.kid}")
    return ", ".join(parts)


def _write(path: str, text: str, private: bool, force: bool) -> None:
    try:
        if private:
            write_private_file(path, text + "\n", overwrite=force)
        else:
            with open(path, "w" if force else "x", encoding="utf-8") as fh:
                fh.write(text + "\n")
    except FileExistsError:
        raise CliFailure(f"{path} exists: remove it or pass --force to overwrite it") from None


def _with_meta(
    key: Key, kid: str | None, alg: str | None, use: str | None, kid_thumbprint: bool
) -> Key:
    if kid is not None and kid_thumbprint:
        raise CliFailure("give --kid or --kid-thumbprint, not both")
    if kid_thumbprint:
        kid = key.thumbprint()
    members = {"kid": kid, "alg": alg, "use": use}
    if all(v is None for v in members.values()):
        return key
    data = key.to_dict(private=key.is_private)
    for name, value in members.items():
        if value is not None:
            data[name] = value
    return Key.import_key(data)


@click.group(
    "key",
    epilog="""\b
Examples:
  josekit key generate --kty EC --crv P-256 --kid k1 -o k1.jwk --public-out k1.pub.jwk
  josekit key convert k1.jwk --to pem --public
  josekit key thumbprint k1.pub.jwk --uri
""",
)
def key_group() -> None:
    """Generate keys, convert them between PEM and JWK, compute thumbprints."""


@key_group.command(
    "generate",
    epilog="""\b
Examples:
  josekit key generate --kty EC --crv P-256 --alg ES256 --kid k1
  josekit key generate --alg EdDSA --format pem --public
  josekit key generate --kty RSA --size 3072 --use sig -o rsa.jwk --public-out rsa.pub.jwk
  josekit key generate --kty oct --size 256 --alg HS256
""",
)
@click.option(
    "--kty",
    type=click.Choice(_KTYS),
    help="Key type. Optional when --alg names a signature algorithm.",
)
@click.option(
    "--crv",
    type=click.Choice(_CURVES),
    help="Curve: P-256 (EC default), P-384, P-521, secp256k1; Ed25519 (OKP default), "
    "Ed448, X25519, X448.",
)
@click.option(
    "--size",
    type=click.IntRange(min=8),
    help="Bits, for RSA (default 2048, at least 2048) and oct (default 256). AKP (ML-DSA) "
    "keys take --alg ML-DSA-44, ML-DSA-65 or ML-DSA-87.",
)
@click.option("--alg", help="The one algorithm the key is for (recorded as 'alg').")
@click.option("--use", type=click.Choice(["sig", "enc"]), help="Recorded as 'use'.")
@click.option("--kid", help="Key ID (recorded as 'kid').")
@click.option("--kid-thumbprint", is_flag=True, help="Use the RFC 7638 thumbprint as the key ID.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jwk", "pem"]),
    default="jwk",
    show_default=True,
    help="Output format. PEM records no kid, alg or use (--alg then only chooses the key), "
    "and has no form for oct keys.",
)
@click.option("--public", is_flag=True, help="Also print the public key, after the private one.")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False),
    help="Write the private key to this file (mode 0600) instead of stdout.",
)
@click.option(
    "--public-out",
    type=click.Path(dir_okay=False),
    help="Write the public key to this file.",
)
@click.option("--force", is_flag=True, help="Overwrite --out/--public-out files that exist.")
@json_option
def generate_command(
    kty: str | None,
    crv: str | None,
    size: int | None,
    alg: str | None,
    use: str | None,
    kid: str | None,
    kid_thumbprint: bool,
    fmt: str,
    public: bool,
    out: str | None,
    public_out: str | None,
    force: bool,
) -> None:
    """Generate a new key and print it (the private key; --public adds the public one)."""
    ctx = click.get_current_context()
    if kid is not None and kid_thumbprint:
        raise CliFailure("give --kid or --kid-thumbprint, not both")
    if fmt == "pem" and (kid is not None or kid_thumbprint or use is not None):
        raise CliFailure("PEM cannot record kid or use: drop them, or use --format jwk")
    if alg is None:
        if kty is None:
            raise CliFailure("give --kty (EC, OKP, RSA, oct or AKP), or --alg to choose one for it")
        _check_combination(kty, crv, size, alg)
    else:
        _descriptor(alg)  # a known algorithm, spelt right
    try:
        key = generate(kty, alg=alg, crv=crv, size=size, kid=kid, use=use)
    except (InvalidKeyError, UnsupportedAlgorithmError) as exc:
        given = [f"--{n} {v}" for n, v in (("kty", kty), ("crv", crv), ("size", size)) if v]
        if alg is not None and given:
            raise CliFailure(f"{' '.join(given)} contradicts --alg {alg}: {exc}") from None
        if alg is not None:
            raise CliFailure(f"--alg {alg} does not tell the key: {exc}; give --kty") from None
        raise failure_from(exc, "cannot generate the key") from None
    if kid_thumbprint:
        key = _with_meta(key, None, None, None, True)
    if alg is not None:
        _check_fit(key, alg)
    wants_public = public or public_out is not None
    if wants_public and key.is_symmetric:
        raise CliFailure("an oct key is a shared secret: it has no public half")
    if fmt == "pem" and key.is_symmetric:
        raise CliFailure("an oct key has no PEM form: use --format jwk")

    for path in (out, public_out):
        if path is not None and os.path.exists(path) and not force:
            raise CliFailure(f"{path} exists: remove it or pass --force to overwrite it")
    private_text = _render_key(key, fmt, private=True)
    public_text = _render_key(key.public(), fmt, private=False) if wants_public else None
    if out is not None:
        _write(out, private_text, private=True, force=force)
    if public_out is not None and public_text is not None:
        _write(public_out, public_text, private=False, force=force)

    if json_mode(ctx):
        result: dict[str, Any] = {
            "kty": key.kty,
            "crv": key.crv,
            "size": key.size,
            "kid": key.kid,
            "thumbprint": key.thumbprint(),
            "format": fmt,
        }
        if out is None:
            result["private"] = key.to_dict(True) if fmt == "jwk" else private_text
        else:
            result["private_file"] = out
        if public_text is not None:
            if public_out is None:
                result["public"] = key.public().to_dict() if fmt == "jwk" else public_text
            else:
                result["public_file"] = public_out
        emit_json(result)
        return
    if out is None:
        click.echo(private_text)
    if public_text is not None and public_out is None:
        click.echo(public_text)
    if out is not None or public_out is not None:
        info = printer(ctx, err=True)
        if out is not None:
            info.line(f"wrote the private key to {out} ({_describe(key)})")
        if public_out is not None:
            info.line(f"wrote the public key to {public_out}")


@key_group.command(
    "convert",
    epilog="""\b
Examples:
  josekit key convert key.pem                       # PEM to JWK
  josekit key convert key.jwk --to pem              # JWK to PEM
  josekit key convert key.jwk --public --kid-thumbprint
  josekit key convert enc.pem --password env:PEM_PASSWORD --to jwk -o key.jwk
""",
)
@click.argument("key_spec", metavar="KEY")
@click.option(
    "--to",
    "fmt",
    type=click.Choice(["jwk", "pem"]),
    default="jwk",
    show_default=True,
    help="Output format.",
)
@click.option("--public", is_flag=True, help="Output only the public half of a private key.")
@click.option("--kid", help="Set 'kid' (JWK output).")
@click.option("--kid-thumbprint", is_flag=True, help="Set 'kid' to the RFC 7638 thumbprint.")
@click.option("--alg", help="Set 'alg' (JWK output).")
@click.option("--use", type=click.Choice(["sig", "enc"]), help="Set 'use' (JWK output).")
@click.option(
    "--password",
    metavar="env:NAME|FILE",
    help="Password of an encrypted PEM/DER private key, from a variable or a file.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False),
    help="Write to this file (mode 0600 for a private key) instead of stdout.",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@json_option
def convert_command(
    key_spec: str,
    fmt: str,
    public: bool,
    kid: str | None,
    kid_thumbprint: bool,
    alg: str | None,
    use: str | None,
    password: str | None,
    out: str | None,
    force: bool,
) -> None:
    """Convert KEY (a file, env:NAME or -) between PEM and JWK, or to its public half.

    The input may be a JWK, a PEM or DER key (PKCS#8, SubjectPublicKeyInfo, PKCS#1, SEC1)
    or a PEM certificate (its public key).
    """
    ctx = click.get_current_context()
    key = load_key(key_spec, "KEY", password, allow_set=True)
    if public:
        if key.is_symmetric:
            raise CliFailure("an oct key is a shared secret: it has no public half")
        key = key.public()
    if fmt == "pem" and (kid or alg or use or kid_thumbprint):
        raise CliFailure("PEM cannot record kid, alg or use: convert --to jwk to set them")
    key = _with_meta(key, kid, alg, use, kid_thumbprint)
    if alg is not None:
        _check_fit(key, alg)
    if fmt == "pem" and key.is_symmetric:
        raise CliFailure("an oct key has no PEM form: convert --to jwk")
    text = _render_key(key, fmt, private=key.is_private)
    if out is not None:
        _write(out, text, private=key.is_private, force=force)
    if json_mode(ctx):
        result: dict[str, Any] = {
            "format": fmt,
            "private": key.is_private,
            "thumbprint": key.thumbprint(),
        }
        if out is None:
            result["key"] = key.to_dict(key.is_private) if fmt == "jwk" else text
        else:
            result["file"] = out
        emit_json(result)
        return
    if out is None:
        click.echo(text)
    else:
        kind = "private" if key.is_private else "public"
        printer(ctx, err=True).line(f"wrote the {kind} key to {out} ({_describe(key)})")


@key_group.command(
    "thumbprint",
    epilog="""\b
Examples:
  josekit key thumbprint key.jwk
  josekit key thumbprint key.pem --uri
  josekit key thumbprint env:SIGNING_KEY --hash SHA-512 --json
""",
)
@click.argument("key_spec", metavar="KEY")
@click.option(
    "--hash",
    "hash_name",
    type=click.Choice(_HASHES),
    default="SHA-256",
    show_default=True,
    help="Hash function.",
)
@click.option("--uri", is_flag=True, help="Print the RFC 9278 thumbprint URI.")
@click.option("--password", metavar="env:NAME|FILE", help="Password of an encrypted PEM/DER key.")
@json_option
def thumbprint_command(key_spec: str, hash_name: str, uri: bool, password: str | None) -> None:
    """Print the RFC 7638 thumbprint of KEY (a file, env:NAME or -).

    A private key and its public half have the same thumbprint.
    """
    ctx = click.get_current_context()
    key = load_key(key_spec, "KEY", password, allow_set=True)
    thumbprint = key.thumbprint(hash_name)
    thumbprint_uri = key.thumbprint_uri(hash_name)
    if json_mode(ctx):
        emit_json(
            {"hash": hash_name, "thumbprint": thumbprint, "uri": thumbprint_uri, "kid": key.kid}
        )
        return
    click.echo(thumbprint_uri if uri else thumbprint)
