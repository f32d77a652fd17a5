"""decode_id_token: at_hash, c_hash and s_hash (OIDC Core §3.1.3.6, §3.3.2.11; FAPI s_hash)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from jwt_helpers import NOW

from josekit import jwk, jwt
from josekit.errors import InvalidClaimError, JoseError, MissingClaimError
from josekit.jwt._oidc_hashes import token_hash

VECTORS = json.loads(
    (Path(__file__).parent.parent / "vectors/jwt/oidc/oidc_core_hashes.json").read_text()
)
ISS = "https://op.example"
CLIENT = "client-1"
AT = "access-token-2YotnFZFEjr1zCsicMWpAA"
CODE = "SplxlOBeZQQYbYS6WxSbIA"
STATE = "af0ifjsldkj"
ES256 = jwk.generate("EC", crv="P-256", kid="es")


def _half(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def _id_token(key: jwk.Key, alg: str, **extra: Any) -> str:
    claims = {"iss": ISS, "sub": "u", "aud": CLIENT, "iat": NOW, "exp": NOW + 300, **extra}
    return jwt.encode(claims, key, alg)


def _decode(token: str, key: jwk.Key, alg: str, **options: Any) -> jwt.Token:
    return jwt.decode_id_token(
        token,
        key if key.is_symmetric else key.public(),
        algorithms=[alg],
        issuer=ISS,
        client_id=CLIENT,
        now=NOW,
        **options,
    )


def test_oidc_core_appendix_vectors() -> None:
    rsa = jwk.generate("RSA")
    at, c = VECTORS["at_hash"], VECTORS["c_hash"]
    assert token_hash(at["access_token"], "RS256", rsa) == at["at_hash"]
    assert token_hash(c["code"], "RS256", rsa) == c["c_hash"]


@pytest.mark.parametrize(
    ("key", "alg", "digest"),
    [
        (ES256, "ES256", hashlib.sha256),
        (jwk.generate("EC", crv="P-384"), "ES384", hashlib.sha384),
        (jwk.generate("oct", size=512), "HS512", hashlib.sha512),
        (jwk.generate("OKP", crv="Ed25519"), "EdDSA", hashlib.sha512),  # OIDC errata
        (jwk.generate("OKP", crv="Ed25519"), "Ed25519", hashlib.sha512),
    ],
)
def test_each_hash_follows_the_alg(key: jwk.Key, alg: str, digest: Any) -> None:
    at_hash = _half(digest(AT.encode()).digest())
    c_hash = _half(digest(CODE.encode()).digest())
    token = _id_token(key, alg, at_hash=at_hash, c_hash=c_hash)
    result = _decode(token, key, alg, access_token=AT, code=CODE)
    assert result.claims["at_hash"] == at_hash
    with pytest.raises(InvalidClaimError) as info:
        _decode(token, key, alg, access_token=AT + "x")
    assert info.value.claim == "at_hash"
    with pytest.raises(InvalidClaimError) as info:
        _decode(token, key, alg, code=CODE + "x")
    assert info.value.claim == "c_hash"


def test_ed448_uses_shake256_114() -> None:
    key = jwk.generate("OKP", crv="Ed448")
    at_hash = _half(hashlib.shake_256(AT.encode()).digest(114))
    _decode(_id_token(key, "Ed448", at_hash=at_hash), key, "Ed448", access_token=AT)


def test_a_hash_of_another_length_is_refused() -> None:
    wrong = _half(hashlib.sha512(AT.encode()).digest())  # SHA-512 for an ES256 token
    with pytest.raises(InvalidClaimError):
        _decode(_id_token(ES256, "ES256", at_hash=wrong), ES256, "ES256", access_token=AT)


def test_required_where_the_flow_requires_them() -> None:
    bare = _id_token(ES256, "ES256")
    # A code returned beside the ID token (hybrid flow) needs c_hash; a state needs s_hash.
    with pytest.raises(MissingClaimError) as info:
        _decode(bare, ES256, "ES256", code=CODE)
    assert info.value.claim == "c_hash"
    with pytest.raises(MissingClaimError) as info:
        _decode(bare, ES256, "ES256", state=STATE)
    assert info.value.claim == "s_hash"
    # From the token endpoint at_hash is optional; id_token token requires it.
    _decode(bare, ES256, "ES256", access_token=AT)
    _decode(bare, ES256, "ES256", access_token=AT, response_type="code")
    with pytest.raises(MissingClaimError) as info:
        _decode(bare, ES256, "ES256", access_token=AT, response_type="id_token token")
    assert info.value.claim == "at_hash"
    with pytest.raises(JoseError, match="pass code="):
        _decode(bare, ES256, "ES256", access_token=AT, response_type="code id_token token")
    with pytest.raises(JoseError, match="not an OpenID Connect flow"):
        _decode(bare, ES256, "ES256", response_type="token id_token code extra")


def test_s_hash_checked() -> None:
    token = _id_token(ES256, "ES256", s_hash=token_hash(STATE, "ES256", ES256))
    _decode(token, ES256, "ES256", state=STATE)
    with pytest.raises(InvalidClaimError):
        _decode(token, ES256, "ES256", state="other")


def test_bad_arguments_and_algs_without_a_hash() -> None:
    with pytest.raises(JoseError, match="access_token must be"):
        _decode(_id_token(ES256, "ES256"), ES256, "ES256", access_token="")
    mldsa = jwk.generate(alg="ML-DSA-44")
    token = _id_token(mldsa, "ML-DSA-44", at_hash="x")
    with pytest.raises(JoseError, match="no at_hash"):
        _decode(token, mldsa, "ML-DSA-44", access_token=AT)


def test_async_twin_checks_the_same() -> None:
    token = _id_token(ES256, "ES256", c_hash=token_hash(CODE, "ES256", ES256))
    result = asyncio.run(
        jwt.decode_id_token_async(
            token,
            ES256.public(),
            algorithms=["ES256"],
            issuer=ISS,
            client_id=CLIENT,
            now=NOW,
            code=CODE,
            response_type="code id_token",
        )
    )
    assert result.claims["c_hash"]
    with pytest.raises(InvalidClaimError):
        asyncio.run(
            jwt.decode_id_token_async(
                token,
                ES256.public(),
                algorithms=["ES256"],
                issuer=ISS,
                client_id=CLIENT,
                now=NOW,
                code="other",
            )
        )
