"""RFC 7519 examples: §3.1 (HS256), Appendix A.1 (encrypted) and A.2 (nested), and the
RFC 7520 §6 nested example. Every published token is decoded as published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import jwk, jwt
from josekit.errors import (
    AlgorithmNotAllowedError,
    ExpiredTokenError,
    InvalidHeaderError,
    InvalidSignatureError,
    MalformedError,
)

VECTORS = Path(__file__).parent.parent / "vectors" / "jwt"
RFC7519: dict[str, Any] = json.loads((VECTORS / "rfc" / "rfc7519.json").read_text())
EXP = RFC7519["claims"]["exp"]


def test_section_3_1_example() -> None:
    vector = RFC7519["section_3_1"]
    key = jwk.Key.import_key(vector["key"])
    result = jwt.decode(vector["token"], key, algorithms=[vector["alg"]], issuer="joe", now=EXP - 1)
    assert result.claims == RFC7519["claims"]
    assert result.header == {"typ": "JWT", "alg": "HS256"}
    assert result.key == key


def test_section_3_1_example_is_expired_at_exp() -> None:
    vector = RFC7519["section_3_1"]
    key = jwk.Key.import_key(vector["key"])
    with pytest.raises(ExpiredTokenError):
        jwt.decode(vector["token"], key, algorithms=["HS256"], now=EXP)
    with pytest.raises(ExpiredTokenError):
        jwt.decode(vector["token"], key, algorithms=["HS256"])  # the wall clock: long past


def test_section_3_1_payload_bytes_are_the_published_ones() -> None:
    vector = RFC7519["section_3_1"]
    payload = vector["token"].split(".")[1]
    import base64

    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert raw == RFC7519["claims_set_utf8"].encode()


def test_section_3_1_wrong_key() -> None:
    vector = RFC7519["section_3_1"]
    with pytest.raises(InvalidSignatureError):
        jwt.decode(
            vector["token"], jwk.generate("oct", size=512), algorithms=["HS256"], now=EXP - 1
        )


def test_appendix_a_1_encrypted_jwt() -> None:
    """RSA1_5 is decrypted only because this call lists it explicitly."""
    vector = RFC7519["appendix_a_1"]
    key = jwk.Key.import_key(vector["key"])
    result = jwt.decode_encrypted(
        vector["token"],
        key,
        algorithms=["RSA1_5"],
        encryptions=[vector["enc"]],
        issuer="joe",
        now=EXP - 1,
    )
    assert result.claims == RFC7519["claims"]
    assert result.header == {"alg": "RSA1_5", "enc": "A128CBC-HS256"}
    assert result.key == key


def test_appendix_a_1_needs_rsa1_5_listed() -> None:
    vector = RFC7519["appendix_a_1"]
    key = jwk.Key.import_key(vector["key"])
    with pytest.raises(AlgorithmNotAllowedError):
        jwt.decode_encrypted(vector["token"], key, algorithms=["RSA-OAEP"], now=EXP - 1)


def test_appendix_a_1_expired_after_decryption() -> None:
    vector = RFC7519["appendix_a_1"]
    key = jwk.Key.import_key(vector["key"])
    with pytest.raises(ExpiredTokenError):
        jwt.decode_encrypted(vector["token"], key, algorithms=["RSA1_5"], now=EXP)


def test_appendix_a_1_is_not_a_signed_or_nested_jwt() -> None:
    vector = RFC7519["appendix_a_1"]
    key = jwk.Key.import_key(vector["key"])
    with pytest.raises(MalformedError, match="decode_encrypted"):
        jwt.decode(vector["token"], key, algorithms=["RS256"], now=EXP - 1)
    with pytest.raises(InvalidHeaderError, match="cty"):
        jwt.decode_nested(
            vector["token"],
            key,
            key.public(),
            algorithms=["RSA1_5"],
            signing_algorithms=["RS256"],
            now=EXP - 1,
        )


def test_appendix_a_2_nested_jwt() -> None:
    vector = RFC7519["appendix_a_2"]
    decryption_key = jwk.Key.import_key(vector["encryption_key"])
    verification_key = jwk.Key.import_key(vector["signing_key"]).public()
    result = jwt.decode_nested(
        vector["token"],
        decryption_key,
        verification_key,
        algorithms=["RSA1_5"],
        encryptions=["A128CBC-HS256"],
        signing_algorithms=[vector["sign_alg"]],
        issuer="joe",
        now=EXP - 1,
    )
    assert result.claims == RFC7519["claims"]
    assert result.header == {"alg": "RS256"}
    assert result.key == verification_key
    assert result.encryption_header == {"alg": "RSA1_5", "enc": "A128CBC-HS256", "cty": "JWT"}
    assert result.decryption_key == decryption_key


def test_appendix_a_2_inner_signature_is_checked() -> None:
    vector = RFC7519["appendix_a_2"]
    decryption_key = jwk.Key.import_key(vector["encryption_key"])
    with pytest.raises(InvalidSignatureError):
        jwt.decode_nested(
            vector["token"],
            decryption_key,
            jwk.generate("RSA", size=2048).public(),
            algorithms=["RSA1_5"],
            signing_algorithms=["RS256"],
            now=EXP - 1,
        )
    with pytest.raises(AlgorithmNotAllowedError):
        jwt.decode_nested(
            vector["token"],
            decryption_key,
            jwk.Key.import_key(vector["signing_key"]).public(),
            algorithms=["RSA1_5"],
            signing_algorithms=["PS256"],
            now=EXP - 1,
        )


def test_appendix_a_2_is_not_an_encrypted_claims_set() -> None:
    vector = RFC7519["appendix_a_2"]
    decryption_key = jwk.Key.import_key(vector["encryption_key"])
    with pytest.raises(MalformedError, match="decode_nested"):
        jwt.decode_encrypted(vector["token"], decryption_key, algorithms=["RSA1_5"], now=EXP - 1)


def test_rfc7520_section_6_nested() -> None:
    vector = json.loads(
        (VECTORS / "cookbook" / "6.nesting_signatures_and_encryption.json").read_text()
    )
    signing_key = jwk.Key.import_key(vector["sign"]["input"]["key"])
    encryption_key = jwk.Key.import_key(vector["encrypt"]["input"]["key"])
    result = jwt.decode_nested(
        vector["encrypt"]["output"]["compact"],
        encryption_key,
        signing_key.public(),
        algorithms=[vector["encrypt"]["input"]["alg"]],
        encryptions=[vector["encrypt"]["input"]["enc"]],
        signing_algorithms=[vector["sign"]["input"]["alg"]],
        issuer="hobbiton.example",
        typ="JWT",
        now=EXP - 1,
    )
    assert result.claims == json.loads(vector["sign"]["input"]["payload"])
    assert result.header == vector["sign"]["signing"]["protected"]
    assert result.encryption_header == vector["encrypt"]["encrypting_content"]["protected"]
