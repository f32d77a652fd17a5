"""Property tests: any claims set round-trips through every signing algorithm and through
every JWE key-management family and content-encryption family, signed, encrypted and nested."""

from __future__ import annotations

import functools
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt_helpers import NOW, rsa_key, signing_key

from josekit import Key, jwk, jwt
from josekit._b64 import b64e_str
from josekit.algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT, SIGNATURE_ALGORITHMS

jwe = pytest.importorskip("josekit.jwe")

PASSWORD = "correct horse battery staple"
REGISTERED = {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

private_claims = st.dictionaries(
    st.text(max_size=12).filter(lambda name: name not in REGISTERED), json_values, max_size=6
)


@st.composite
def claim_sets(draw: st.DrawFn) -> dict[str, Any]:
    """A claims set: private claims plus valid registered ones, valid at NOW."""
    claims = draw(private_claims)
    if draw(st.booleans()):
        claims["iss"] = draw(st.text(min_size=1, max_size=20))
    if draw(st.booleans()):
        claims["sub"] = draw(st.text(min_size=1, max_size=20))
    if draw(st.booleans()):
        claims["aud"] = draw(st.sampled_from(["api", ["api"], ["other", "api"]]))
    if draw(st.booleans()):
        claims["exp"] = draw(st.integers(NOW + 1, NOW + 10**6) | st.floats(NOW + 1, NOW + 1e6))
    if draw(st.booleans()):
        claims["nbf"] = draw(st.integers(0, NOW))
    if draw(st.booleans()):
        claims["iat"] = draw(st.integers(0, NOW) | st.floats(0, NOW))
    if draw(st.booleans()):
        claims["jti"] = draw(st.text(max_size=20))
    return claims


def options(claims: dict[str, Any]) -> dict[str, Any]:
    """Decode options that the claims set must satisfy."""
    out: dict[str, Any] = {"now": NOW, "required": sorted(claims)}
    if "aud" in claims:
        out["audience"] = "api"
    if "iss" in claims:
        out["issuer"] = claims["iss"]
    if "sub" in claims:
        out["subject"] = claims["sub"]
    return out


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("alg", list(SIGNATURE_ALGORITHMS))
@PROPERTY
@given(claims=claim_sets())
def test_signed_roundtrip_every_algorithm(alg: str, claims: dict[str, Any]) -> None:
    key = signing_key(alg)
    verifier = key if key.is_symmetric else key.public()
    token = jwt.encode(claims, key, alg)
    result = jwt.decode(token, verifier, algorithms=[alg], **options(claims))
    assert result.claims == claims
    assert result.header["alg"] == alg


# -- JWE: one (alg, enc) per key-management family, every content encryption ----------------


def _oct(size: int) -> Key:
    return Key.import_key({"kty": "oct", "k": b64e_str(os.urandom(size))})


@functools.cache
def _ec(crv: str) -> Key:
    return jwk.generate("OKP" if crv.startswith("X") else "EC", crv=crv)


def jwe_keys(alg: str, enc: str | None) -> tuple[Any, Any]:
    """(encryption key, decryption key) for a JWE ``alg`` with ``enc``."""
    if alg == "dir":
        assert enc is not None
        key = _oct(CONTENT_ENCRYPTION[enc].key_size)
        return key, key
    if alg.startswith("PBES2"):
        return PASSWORD, PASSWORD
    if alg.startswith("RSA"):
        return rsa_key().public(), rsa_key()
    if alg.startswith("ECDH-ES") or alg.startswith("HPKE"):
        private = _ec("X25519" if alg.endswith("+A192KW") else "P-256")
        return private.public(), private
    key = _oct(int(alg[1:4]) // 8)  # AES key wrap, AES-GCM key wrap
    return key, key


FAMILIES = [
    "RSA1_5",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "A128KW",
    "A256KW",
    "dir",
    "ECDH-ES",
    "ECDH-ES+A192KW",  # on X25519
    "ECDH-ES+A256KW",
    "A128GCMKW",
    "A256GCMKW",
    "PBES2-HS256+A128KW",
]
if "HPKE-0-KE" in KEY_MANAGEMENT:  # HPKE key encryption (P-256), where implemented
    FAMILIES.append("HPKE-0-KE")
ENCRYPTIONS = list(CONTENT_ENCRYPTION)
CASES: list[tuple[str, str | None]] = [(alg, enc) for alg in FAMILIES for enc in ENCRYPTIONS]
INTEGRATED = [n for n in ("HPKE-0",) if n in KEY_MANAGEMENT and KEY_MANAGEMENT[n].integrated]
CASES += [(alg, None) for alg in INTEGRATED]  # HPKE Integrated Encryption: no enc


@pytest.mark.parametrize(("alg", "enc"), CASES)
@settings(max_examples=3, deadline=None)
@given(claims=claim_sets())
def test_encrypted_roundtrip_every_family(
    alg: str, enc: str | None, claims: dict[str, Any]
) -> None:
    encrypt_key, decrypt_key = jwe_keys(alg, enc)
    token = jwt.encode_encrypted(claims, encrypt_key, alg, enc)
    encryptions = [enc] if enc is not None else None
    result = jwt.decode_encrypted(
        token, decrypt_key, algorithms=[alg], encryptions=encryptions, **options(claims)
    )
    assert result.claims == claims
    assert (result.header["alg"], result.header.get("enc")) == (alg, enc)


@pytest.mark.parametrize("alg", FAMILIES)
@settings(max_examples=5, deadline=None)
@given(claims=claim_sets(), sign_alg=st.sampled_from(["HS256", "ES256", "EdDSA", "PS256"]))
def test_nested_roundtrip_every_family(alg: str, claims: dict[str, Any], sign_alg: str) -> None:
    enc = "A256GCM"
    encrypt_key, decrypt_key = jwe_keys(alg, enc)
    key = signing_key(sign_alg)
    token = jwt.encode_nested(claims, key, sign_alg, encrypt_key, alg, enc)
    result = jwt.decode_nested(
        token,
        decrypt_key,
        key if key.is_symmetric else key.public(),
        algorithms=[alg],
        encryptions=[enc],
        signing_algorithms=[sign_alg],
        **options(claims),
    )
    assert result.claims == claims
    assert result.encryption_header["cty"] == "JWT"
