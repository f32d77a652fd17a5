"""Signed JWTs: josekit against PyJWT, joserfc, jwcrypto, python-jose and the floor.

Every library decodes with the algorithm pinned and is configured to validate the same claims:
``iss`` and ``aud`` against expected values, ``exp``/``nbf`` (and where the library does,
``iat``) against the clock, and ``exp``, ``iat``, ``nbf``, ``iss``, ``aud``, ``sub`` and
``jti`` required. Before timing, every library must refuse an expired token, a token not yet
valid, a wrong issuer, a wrong audience and tokens without ``sub`` or ``jti``: that shows the
configurations are equivalent.

The floor is the JWS floor (see :mod:`bench_jws`) plus ``json.loads`` of the claims and the
same claim checks written inline.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any

from _harness import (
    FLOOR,
    JOSEKIT,
    Benchmark,
    Codec,
    Prepared,
    Target,
    consume_case,
    produce_case,
)
from bench_jws import (
    ALGORITHMS,
    Material,
    _floor_primitives,
    b64d,
    b64e,
    josekit_keys,
    joserfc_keys,
    jwcrypto_keys,
    material,
)
from jose import jwk as jose_jwk
from jose import jwt as jose_jwt
from joserfc import jwt as rfc_jwt
from jwcrypto import jwt as jwc_jwt

import jwt as pyjwt
from josekit import jwt

__all__ = ["benchmarks"]

ISSUER = "https://issuer.example.com"
AUDIENCE = "https://api.example.com"
REQUIRED = ("exp", "iat", "nbf", "iss", "aud", "sub", "jti")


def claims_now(serial: int = 0) -> dict[str, Any]:
    """Seven registered claims and five private ones, valid for the next hour; ``serial``
    changes the ``jti`` (not its length)."""
    now = int(time.time())
    return {
        "iss": ISSUER,
        "sub": "user-1234567890",
        "aud": AUDIENCE,
        "exp": now + 3600,
        "iat": now - 60,
        "nbf": now - 60,
        "jti": f"6c1f0d3e-5b0a-4a47-9f0e-{serial:012x}",
        "scope": "openid profile email",
        "roles": ["reader", "writer"],
        "tenant": "acme",
        "email": "user@example.com",
        "email_verified": True,
    }


def invalid_variants(claims: dict[str, Any]) -> list[dict[str, Any]]:
    """Claims sets every configured decoder must refuse."""
    now = int(time.time())
    without_sub = {k: v for k, v in claims.items() if k != "sub"}
    without_jti = {k: v for k, v in claims.items() if k != "jti"}
    return [
        {**claims, "exp": now - 120, "nbf": now - 600, "iat": now - 600},
        {**claims, "nbf": now + 600},
        {**claims, "iss": "https://other.example.com"},
        {**claims, "aud": "https://other.example.com"},
        without_sub,
        without_jti,
    ]


# -- josekit --------------------------------------------------------------------------------


def josekit_codec(m: Material) -> Codec:
    """``jwt.encode`` / ``jwt.decode(..., issuer=, audience=, required=)``."""
    alg = m.alg
    signing, verifying = josekit_keys(m)

    def produce(claims: dict[str, Any]) -> str:
        return jwt.encode(claims, signing, alg)

    def consume(token: str) -> dict[str, Any]:
        return jwt.decode(
            token,
            verifying,
            algorithms=[alg],
            issuer=ISSUER,
            audience=AUDIENCE,
            required=REQUIRED,
        ).claims

    return Codec(JOSEKIT, produce, consume)


# -- the floor ------------------------------------------------------------------------------


def floor_codec(m: Material) -> Codec:
    """The JWS floor plus claims parsing and the same claim checks, inline."""
    alg = m.alg
    sign, verify = _floor_primitives(m)
    h64 = b64e(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())

    def produce(claims: dict[str, Any]) -> str:
        signing_input = h64 + b"." + b64e(json.dumps(claims, separators=(",", ":")).encode())
        return (signing_input + b"." + b64e(sign(signing_input))).decode()

    def consume(token: str) -> dict[str, Any]:
        signing_input, _, s64 = token.rpartition(".")
        header64, p64 = signing_input.split(".")
        if json.loads(b64d(header64))["alg"] != alg:
            raise ValueError("unexpected alg")
        verify(signing_input.encode(), b64d(s64))
        claims: dict[str, Any] = json.loads(b64d(p64))
        now = time.time()
        aud = claims["aud"]
        if (
            claims["iss"] != ISSUER
            or (aud != AUDIENCE and not (isinstance(aud, list) and AUDIENCE in aud))
            or not claims["exp"] > now
            or claims["nbf"] > now
            or claims["iat"] > now
            or not isinstance(claims["sub"], str)
            or not isinstance(claims["jti"], str)
        ):
            raise ValueError("invalid claims")
        return claims

    return Codec(FLOOR, produce, consume)


# -- peers ----------------------------------------------------------------------------------


def pyjwt_codec(m: Material) -> Codec:
    """``jwt.encode`` / ``jwt.decode(..., issuer=, audience=, options={"require": ...})``."""
    alg = m.alg
    options: Any = {"require": list(REQUIRED)}

    def produce(claims: dict[str, Any]) -> str:
        return pyjwt.encode(claims, m.private, algorithm=alg)

    def consume(token: str) -> dict[str, Any]:
        return pyjwt.decode(
            token, m.public, algorithms=[alg], issuer=ISSUER, audience=AUDIENCE, options=options
        )

    return Codec("PyJWT", produce, consume)


def joserfc_codec(m: Material) -> Codec:
    """``jwt.encode`` / ``jwt.decode`` then a ``JWTClaimsRegistry`` (built once) validates."""
    alg = m.alg
    signing, verifying = joserfc_keys(m)
    registry = rfc_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        sub={"essential": True},
        jti={"essential": True},
        exp={"essential": True},
        nbf={"essential": True},
        iat={"essential": True},
    )

    def produce(claims: dict[str, Any]) -> str:
        return rfc_jwt.encode({"alg": alg}, claims, signing, algorithms=[alg])

    def consume(token: str) -> dict[str, Any]:
        decoded = rfc_jwt.decode(token, verifying, algorithms=[alg])
        registry.validate(decoded.claims)
        return dict(decoded.claims)

    return Codec("joserfc", produce, consume)


def jwcrypto_codec(m: Material) -> Codec:
    """``JWT(...).make_signed_token`` / ``JWT(jwt=token, key=, algs=, check_claims=)``."""
    alg = m.alg
    signing, verifying = jwcrypto_keys(m)
    check_claims = {name: None for name in REQUIRED}
    check_claims.update(iss=ISSUER, aud=AUDIENCE)  # type: ignore[arg-type]

    def produce(claims: dict[str, Any]) -> str:
        token = jwc_jwt.JWT(header={"alg": alg}, claims=claims)
        token.make_signed_token(signing)
        return str(token.serialize())

    def consume(token: str) -> dict[str, Any]:
        decoded = jwc_jwt.JWT(
            jwt=token,
            key=verifying,
            algs=[alg],
            check_claims=check_claims,
            expected_type="JWS",
        )
        return dict(json.loads(decoded.claims))

    return Codec("jwcrypto", produce, consume)


def python_jose_codec(m: Material) -> Codec:
    """``jwt.encode`` / ``jwt.decode(..., issuer=, audience=, options={require_*})``."""
    alg = m.alg
    signing = jose_jwk.construct(m.private, alg)
    verifying = jose_jwk.construct(m.public, alg)
    options = {f"require_{name}": True for name in REQUIRED}

    def produce(claims: dict[str, Any]) -> str:
        return str(jose_jwt.encode(claims, signing, algorithm=alg))

    def consume(token: str) -> dict[str, Any]:
        return dict(
            jose_jwt.decode(
                token,
                verifying,
                algorithms=[alg],
                issuer=ISSUER,
                audience=AUDIENCE,
                options=options,
            )
        )

    return Codec("python-jose", produce, consume)


def codecs(alg: str) -> tuple[list[Codec], dict[str, str]]:
    """Every library's codec for ``alg``, and the libraries that do not support it."""
    m = material(alg)
    out = [josekit_codec(m), floor_codec(m), pyjwt_codec(m), joserfc_codec(m), jwcrypto_codec(m)]
    unsupported = {}
    if alg == "EdDSA":
        unsupported["python-jose"] = "n/a: python-jose has no EdDSA"
    else:
        out.append(python_jose_codec(m))
    return out, unsupported


def _must_reject(produce: Callable[[dict[str, Any]], str]) -> Callable[[str], list[str]]:
    return lambda token: [produce(claims) for claims in invalid_variants(claims_now())]


def _decode(alg: str) -> Prepared:
    found, unsupported = codecs(alg)
    return consume_case(
        found,
        claims_now(),
        variants=[claims_now(i) for i in range(1, 16)],
        unsupported=unsupported,
        must_reject=_must_reject(found[0].produce),
    )


def _encode(alg: str) -> Prepared:
    found, unsupported = codecs(alg)
    return produce_case(found, claims_now(), unsupported=unsupported)


def benchmarks() -> list[Benchmark]:
    """Decode (with validation) and encode for HS256, RS256, ES256 and EdDSA."""
    out = []
    for alg in ALGORITHMS:
        out.append(
            Benchmark(
                f"jwt.decode.{alg}",
                functools.partial(_decode, alg),
                Target(beat_peers=True, max_floor_ratio=1.6 if alg == "HS256" else None),
                f"verify an {alg} JWT and validate 7 registered claims (+5 private)",
            )
        )
    out += [
        Benchmark(
            f"jwt.encode.{alg}",
            functools.partial(_encode, alg),
            Target(),
            f"encode an {alg} JWT of 12 claims",
        )
        for alg in ALGORITHMS
    ]
    return out
