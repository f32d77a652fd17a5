"""RFC 8037 Appendix A.4 (Ed25519 signing) and A.5 (Ed25519 validation)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, errors, jws

VECTOR: dict[str, Any] = json.loads(
    (
        Path(__file__).parent.parent / "vectors" / "jws" / "cookbook" / "curve25519" / "jws.json"
    ).read_text("utf-8")
)
KEY = Key.import_key(VECTOR["input"]["key"])
PAYLOAD = VECTOR["input"]["payload"].encode("ascii")


def test_a4_signing_is_reproduced_byte_for_byte() -> None:
    assert jws.sign(PAYLOAD, KEY, "EdDSA") == VECTOR["output"]["compact"]
    signer = jws.Signer(KEY, "EdDSA")
    assert jws.sign_json(PAYLOAD, [signer]) == VECTOR["output"]["json"]
    assert jws.sign_json(PAYLOAD, [signer], flattened=True) == VECTOR["output"]["json_flat"]


@pytest.mark.parametrize("form", ["compact", "json", "json_flat"])
def test_a5_validation(form: str) -> None:
    output = VECTOR["output"][form]
    public = KEY.public()
    if form == "compact":
        result = jws.verify(output, public, algorithms=["EdDSA"])
    else:
        result = jws.verify_json(output, public, algorithms=["EdDSA"])
    assert result.payload == PAYLOAD


def test_a5_fully_specified_alg_does_not_match_an_eddsa_header() -> None:
    # RFC 9864 'Ed25519' is a different alg value from 'EdDSA': the header says EdDSA.
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.verify(VECTOR["output"]["compact"], KEY.public(), algorithms=["Ed25519"])


def test_rfc9864_ed25519_with_the_same_key() -> None:
    token = jws.sign(PAYLOAD, KEY, "Ed25519")
    p64 = token.split(".")[1]
    assert p64 == VECTOR["output"]["compact"].split(".")[1]
    # Ed25519 is deterministic: same key and signing input give the same signature.
    assert jws.sign(PAYLOAD, KEY, "Ed25519") == token
    assert jws.verify(token, KEY.public(), algorithms=["Ed25519"]).payload == PAYLOAD
