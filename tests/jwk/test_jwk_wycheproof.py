"""Wycheproof ``json_web_key_test.json``: every key set, every token.

Each test gives a key set (``private``, and for asymmetric keys also ``public``) and a
compact JWS. A ``valid`` token must verify with ``jws.verify`` (algorithms = the header's
``alg``) with every key set of its group; an ``invalid`` one must raise a ``JoseError``
somewhere between importing the key set and verifying.

Choices where the vectors leave room (flag ``Ambiguous``):

* tcId 1 (``MixedKeySet``): josekit refuses a key set that mixes a secret ``oct`` key with
  an EC key, so the set does not even import, as the vector recommends.
* tcId 4 (``DuplicateKid``): josekit refuses a key set with two keys of the same ``kid``. In
  this vector the second key's ``k`` also has non-zero unused bits in its last base64url
  character, which josekit's strict base64url refuses first; test_keyset_refuses_duplicate_kid
  below checks the duplicate ``kid`` rule on its own with the first key of the group.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from josekit import errors, jws
from josekit.jwk import Key, KeySet

WYCHEPROOF = Path(__file__).resolve().parent.parent / "vectors" / "jwk" / "wycheproof"
DATA = json.loads((WYCHEPROOF / "json_web_key_test.json").read_text(encoding="utf-8"))

# Why josekit refuses each invalid vector: (error class, fragment of its message). This pins
# the reason, so a vector cannot pass because of an unrelated failure.
REASONS: dict[int, tuple[type[errors.JoseError], str]] = {
    1: (errors.InvalidKeyError, "must not mix symmetric"),
    3: (errors.InvalidSignatureError, "signature verification failed"),
    4: (errors.InvalidKeyError, "non-zero unused bits"),
    6: (errors.KeyNotFoundError, "use 'enc'"),
    7: (errors.InvalidKeyError, "ROCA"),
    8: (errors.KeyNotFoundError, "RS256"),
    9: (errors.InvalidKeyError, "exponent 'e' must be odd, at least 3"),
    10: (errors.KeyNotFoundError, "HS256"),
    11: (errors.KeyNotFoundError, "HS384"),
    12: (errors.KeyNotFoundError, "HS512"),
    16: (errors.InvalidKeyError, "'k' is empty"),
    17: (errors.InvalidKeyError, "'k' is empty"),
    18: (errors.InvalidKeyError, "'k' is empty"),
    19: (errors.KeyNotFoundError, "alg 'ES521'"),
    20: (errors.KeyNotFoundError, "alg 'ES224'"),
    21: (errors.KeyNotFoundError, "use 'enc'"),
    22: (errors.InvalidKeyError, "not on curve P-256"),
    23: (errors.InvalidKeyError, "must be 48 bytes"),
    24: (errors.InvalidKeyError, "missing required member 'e'"),
    25: (errors.KeyNotFoundError, "alg 'A256GCM'"),
    26: (errors.KeyNotFoundError, "alg 'A256KW'"),
}
# Single keys of these groups fail in the algorithm's own key check, which names the reason
# the key-set path can only summarise (tcId 8: RSA under 2048 bits; 10-12: short HMAC keys).
SINGLE_KEY_REASONS = {8: "at least 2048 bits", 10: "256 bits", 11: "384 bits", 12: "512 bits"}


def cases() -> list[Any]:
    out = []
    for group in DATA["testGroups"]:
        for test in group["tests"]:
            for which in ("private", "public"):
                if which in group:
                    case_id = f"tc{test['tcId']}-{test['comment']}-{which}"
                    out.append(pytest.param(group[which], test, id=case_id))
    return out


def header_alg(token: str) -> str:
    segment = token.split(".")[0]
    alg = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))["alg"]
    assert isinstance(alg, str)
    return alg


def verify(keyset: dict[str, Any], token: str, strict: bool = True) -> bytes:
    keys = KeySet.import_key_set(keyset, strict=strict)
    return jws.verify(token, keys, algorithms=[header_alg(token)]).payload


def test_every_vector_is_run() -> None:
    assert sum(len(g["tests"]) for g in DATA["testGroups"]) == DATA["numberOfTests"] == 26
    assert {t["result"] for g in DATA["testGroups"] for t in g["tests"]} == {"valid", "invalid"}
    invalid = {t["tcId"] for g in DATA["testGroups"] for t in g["tests"] if t["result"] != "valid"}
    assert invalid == set(REASONS)


@pytest.mark.parametrize(("keyset", "test"), cases())
def test_wycheproof_json_web_key(keyset: dict[str, Any], test: dict[str, Any]) -> None:
    token = test["jws"]
    if test["result"] == "valid":
        payload = token.split(".")[1]
        assert verify(keyset, token) == base64.urlsafe_b64decode(
            payload + "=" * (-len(payload) % 4)
        )
        return
    error, fragment = REASONS[test["tcId"]]
    with pytest.raises(errors.JoseError) as info:
        verify(keyset, token)
    assert isinstance(info.value, error), repr(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(("keyset", "test"), cases())
def test_wycheproof_json_web_key_read_lazily(keyset: dict[str, Any], test: dict[str, Any]) -> None:
    """A set read lazily (the default) accepts and refuses the same tokens."""
    token = test["jws"]
    if test["result"] == "valid":
        assert verify(keyset, token, strict=False) == verify(keyset, token)
        return
    with pytest.raises(errors.JoseError):
        verify(keyset, token, strict=False)


@pytest.mark.parametrize(("tc_id", "fragment"), sorted(SINGLE_KEY_REASONS.items()))
def test_single_weak_key_names_the_reason(tc_id: int, fragment: str) -> None:
    (group,) = [g for g in DATA["testGroups"] if g["tests"][0]["tcId"] == tc_id]
    (data,) = group.get("public", group["private"])["keys"]
    key = Key.import_key(data)  # import accepts it; the algorithm refuses to use it
    token = group["tests"][0]["jws"]
    with pytest.raises(errors.InvalidKeyError, match=fragment):
        jws.verify(token, key, algorithms=[header_alg(token)])


def test_keyset_refuses_duplicate_kid() -> None:
    (group,) = [g for g in DATA["testGroups"] if g["comment"] == "jws_duplicate_kid"]
    first = group["private"]["keys"][0]
    other = {**first, "k": base64.urlsafe_b64encode(bytes(32)).rstrip(b"=").decode()}
    with pytest.raises(errors.InvalidKeyError, match="duplicate kid 'kid-aes-sign'"):
        KeySet.import_key_set({"keys": [first, other]})


def test_roca_key_is_refused_in_every_form() -> None:
    (group,) = [g for g in DATA["testGroups"] if g["comment"] == "jws_rsa_roca_key"]
    (private,) = group["private"]["keys"]
    (public,) = group["public"]["keys"]
    for data in (private, public, {m: public[m] for m in ("kty", "n", "e")}):
        with pytest.raises(errors.InvalidKeyError, match="ROCA"):
            Key.import_key(data)


# -- The embedded-jwk vector of json_web_signature_test.json (es256 group) -------------

SIGNATURES = json.loads((WYCHEPROOF / "json_web_signature_test.json").read_text(encoding="utf-8"))


def embedded_jwk_vector() -> tuple[dict[str, Any], dict[str, Any]]:
    for group in SIGNATURES["testGroups"]:
        for test in group["tests"]:
            if test["comment"] == "rejectsAttackerProvidedEmbeddedJwk":
                return group, test
    raise AssertionError("vector not found")


def test_plain_verify_never_uses_the_header_jwk() -> None:
    group, test = embedded_jwk_vector()
    assert test["result"] == "invalid"
    token = test["jws"]
    segment = token.split(".")[0]
    header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    assert "jwk" in header
    public = Key.import_key(group["public"])
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, public, algorithms=["ES256"])
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, KeySet([public]), algorithms=["ES256"])
