"""JWK import: turn one public JWK (a parsed JSON object) into a usable key object.

This is the work a verifier does for every key it reads from a JWK Set or a header. The
inputs are an RSA-2048 public key and an EC P-256 public key, each with ``kid``, ``alg`` and
``use``. josekit (``Key.import_key``) checks the members strictly, rejects ROCA-weak RSA
moduli and EC points not on the curve; PyJWT (``PyJWK``), joserfc (``import_key``),
jwcrypto (``JWK``) and python-jose (``jwk.construct``) do their own checks.

The floor is what any library must spend at least: decode the base64url members and build
the pyca/cryptography public key object (which checks the EC point is on the curve).

Before timing, the key each library imports must verify a token josekit signed with that
key and refuse the token with a damaged signature.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from _harness import FLOOR, JOSEKIT, Benchmark, CheckError, Prepared, Target, tamper
from bench_jws import b64d
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from jose import jwk as jose_jwk
from jose import jws as jose_jws
from joserfc import jws as rfc_jws
from joserfc.jwk import ECKey, RSAKey
from jwcrypto import jwk as jwc_jwk
from jwcrypto import jws as jwc_jws

import jwt as pyjwt
from josekit import jwk, jws

__all__ = ["benchmarks"]

ALGS = {"RSA": "RS256", "EC": "ES256"}
_CURVE = ec.SECP256R1()


def _floor(member: dict[str, Any]) -> Any:
    if member["kty"] == "RSA":
        e = int.from_bytes(b64d(member["e"]), "big")
        n = int.from_bytes(b64d(member["n"]), "big")
        return rsa.RSAPublicNumbers(e, n).public_key()
    if member["crv"] != "P-256":
        raise ValueError("unexpected curve")
    point = b"\x04" + b64d(member["x"]) + b64d(member["y"])
    return ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, point)


def _floor_verify(token: str, key: Any) -> object:
    h64, p64, s64 = token.split(".")
    data, signature = f"{h64}.{p64}".encode(), b64d(s64)
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        der = utils.encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    return p64


def _importers(member: dict[str, Any]) -> dict[str, Callable[[], object]]:
    rfc_type = RSAKey if member["kty"] == "RSA" else ECKey
    return {
        JOSEKIT: lambda: jwk.Key.import_key(member),
        FLOOR: lambda: _floor(member),
        "PyJWT": lambda: pyjwt.PyJWK(member),
        "joserfc": lambda: rfc_type.import_key(member),
        "jwcrypto": lambda: jwc_jwk.JWK(**member),
        "python-jose": lambda: jose_jwk.construct(member, member["alg"]),
    }


def _verifiers(token: str, alg: str) -> dict[str, Callable[[Any], object]]:
    """How each library verifies ``token`` with the key object its importer returned."""

    def jwcrypto_verify(key: Any) -> object:
        checked = jwc_jws.JWS()
        checked.deserialize(token)
        checked.verify(key, alg=alg)
        return checked.payload

    return {
        JOSEKIT: lambda key: jws.verify(token, key, algorithms=[alg]).payload,
        FLOOR: lambda key: _floor_verify(token, key),
        "PyJWT": lambda key: pyjwt.api_jws.decode_complete(token, key.key, algorithms=[alg]),
        "joserfc": lambda key: rfc_jws.deserialize_compact(token, key, algorithms=[alg]),
        "jwcrypto": jwcrypto_verify,
        "python-jose": lambda key: jose_jws.verify(token, key, algorithms=[alg]),
    }


def _check(library: str, load: Callable[[], object], token: str, alg: str) -> None:
    _verifiers(token, alg)[library](load())
    try:
        _verifiers(tamper(token), alg)[library](load())
    except Exception:
        return
    raise CheckError(f"{library}: the imported key accepted a damaged signature")


def _build(kty: str) -> Prepared:
    alg = ALGS[kty]
    if kty == "RSA":
        private = jwk.generate("RSA", size=2048, kid="key-1", alg=alg, use="sig")
    else:
        private = jwk.generate("EC", crv="P-256", kid="key-1", alg=alg, use="sig")
    member = private.public().to_dict()
    token = jws.sign(b'{"sub":"user-1234567890"}', private, alg)
    timed = {}
    notes = {}
    for library, load in _importers(member).items():
        try:
            _check(library, load, token, alg)
        except Exception as exc:  # a library that does not interoperate is left out
            if library in (JOSEKIT, FLOOR):
                raise
            notes[library] = f"{type(exc).__name__}: {exc}"[:120]
            continue
        timed[library] = load
    return Prepared(timed, notes)


def benchmarks() -> list[Benchmark]:
    """Import one public RSA-2048 and one public EC P-256 JWK."""
    return [
        Benchmark(
            f"jwk.import.{kty}.public",
            functools.partial(_build, kty),
            Target(beat_peers=True),
            f"import a public {label} JWK (a parsed JSON object) as a key object",
        )
        for kty, label in (("RSA", "RSA-2048"), ("EC", "EC P-256"))
    ]
