"""RFC 7515 Appendix A: every example, verified as published; deterministic ones re-signed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, KeySet, errors, jws
from josekit._b64 import b64d
from josekit.algorithms import SIGNATURE_ALGORITHMS

DATA: dict[str, Any] = json.loads(
    (
        Path(__file__).parent.parent / "vectors" / "jws" / "rfc" / "rfc7515_appendix_a.json"
    ).read_text("utf-8")
)
PAYLOAD = b64d(DATA["payload_b64u"])


def _key(name: str) -> Key:
    return Key.import_key(DATA["keys"][name])


def _verifier(name: str) -> Key:
    key = _key(name)
    return key if key.is_symmetric else key.public()


def test_payload_is_the_rfc_claims_set() -> None:
    assert PAYLOAD == b'{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}'


@pytest.mark.parametrize("name", sorted(DATA["compact"]))
def test_compact_example_verifies(name: str) -> None:
    vector = DATA["compact"][name]
    result = jws.verify(vector["token"], _verifier(name), algorithms=[vector["alg"]])
    expected = b"Payload" if name == "A.4" else PAYLOAD
    assert result.payload == expected
    assert result.header["alg"] == vector["alg"]
    if name == "A.1":
        assert result.header == {"typ": "JWT", "alg": "HS256"}


@pytest.mark.parametrize("name", [n for n, v in DATA["compact"].items() if v["deterministic"]])
def test_deterministic_example_reproduced_byte_for_byte(name: str) -> None:
    # The RFC headers contain CR LF, which josekit's compact JSON never emits, so the
    # signature is recomputed over the exact published signing input.
    vector = DATA["compact"][name]
    h64, p64, s64 = vector["token"].split(".")
    row = SIGNATURE_ALGORITHMS[vector["alg"]]
    assert row.sign(_key(name), f"{h64}.{p64}".encode("ascii")) == b64d(s64)


@pytest.mark.parametrize("name", [n for n, v in DATA["compact"].items() if not v["deterministic"]])
def test_ecdsa_examples_sign_afresh_and_verify(name: str) -> None:
    vector = DATA["compact"][name]
    token = jws.sign(PAYLOAD, _key(name), vector["alg"])
    assert token != vector["token"]
    assert jws.verify(token, _verifier(name), algorithms=[vector["alg"]]).payload == PAYLOAD


@pytest.mark.parametrize("name", sorted(DATA["compact"]))
def test_compact_example_with_one_changed_signature_byte_fails(name: str) -> None:
    vector = DATA["compact"][name]
    h64, p64, s64 = vector["token"].split(".")
    signature = bytearray(b64d(s64))
    signature[len(signature) // 2] ^= 0x01
    from josekit._b64 import b64e_str

    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(
            f"{h64}.{p64}.{b64e_str(bytes(signature))}",
            _verifier(name),
            algorithms=[vector["alg"]],
        )


def test_a5_unsecured_only_through_decode_unsecured() -> None:
    token = DATA["unsecured"]["A.5"]
    result = jws.decode_unsecured(token)
    assert result.payload == PAYLOAD
    assert result.header == {"alg": "none"}
    assert result.key is None
    assert jws.encode_unsecured(PAYLOAD) == token
    for key in (_verifier("A.1"), _verifier("A.2")):
        with pytest.raises(errors.UnsupportedAlgorithmError):
            jws.verify(token, key, algorithms=["none"])
        with pytest.raises(errors.AlgorithmNotAllowedError):
            jws.verify(token, key, algorithms=["HS256", "RS256"])


@pytest.mark.parametrize(
    ("name", "alg", "kid"),
    [("A.2", "RS256", "2010-12-29"), ("A.3", "ES256", "e9bc097a-ce51-4036-9562-d2ade882db0d")],
)
def test_a6_general_json_each_signature_verifies(name: str, alg: str, kid: str) -> None:
    result = jws.verify_json(DATA["json"]["A.6"], _verifier(name), algorithms=[alg])
    assert result.payload == PAYLOAD
    assert result.header == {"alg": alg, "kid": kid}
    assert result.protected_header == {"alg": alg}


def test_a6_general_json_with_a_key_set_picks_by_kid() -> None:
    keys = KeySet(
        [
            Key.import_key({**DATA["keys"]["A.2"], "kid": "2010-12-29"}).public(),
            Key.import_key(
                {**DATA["keys"]["A.3"], "kid": "e9bc097a-ce51-4036-9562-d2ade882db0d"}
            ).public(),
        ]
    )
    text = json.dumps(DATA["json"]["A.6"])
    assert jws.verify_json(text, keys, algorithms=["ES256"]).key is keys.get(
        "e9bc097a-ce51-4036-9562-d2ade882db0d"
    )
    assert jws.verify_json(text, keys, algorithms=["RS256"]).key is keys.get("2010-12-29")


def test_a6_general_json_rejects_an_algorithm_not_allowed() -> None:
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.verify_json(DATA["json"]["A.6"], _verifier("A.3"), algorithms=["ES384"])


def test_a7_flattened_json_verifies() -> None:
    result = jws.verify_json(
        json.dumps(DATA["json"]["A.7"]), _verifier("A.3"), algorithms=["ES256"]
    )
    assert result.payload == PAYLOAD
    assert result.header["kid"] == "e9bc097a-ce51-4036-9562-d2ade882db0d"


def test_a7_flattened_json_rejects_the_a6_rsa_key() -> None:
    with pytest.raises(errors.InvalidKeyError):
        jws.verify_json(DATA["json"]["A.7"], _verifier("A.2"), algorithms=["ES256"])
