"""Every test of Wycheproof ``json_web_signature_test.json`` (see doc/json_web_crypto.md).

A "valid" test must verify with ``algorithms=[the header's alg]`` (the key's alg when the header
cannot be read or says ``none``); an "invalid" one must raise a :class:`JoseError`, never a bare
Python exception. The few tests where josekit deliberately departs from the file's label are in
``DECISIONS`` below, each with its reason; each of them is also checked for the behaviour the
reason claims.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, errors, jws
from josekit._b64 import b64d, b64e_str
from josekit.algorithms import SIGNATURE_ALGORITHMS

DATA: dict[str, Any] = json.loads(
    (
        Path(__file__).parent.parent
        / "vectors"
        / "jws"
        / "wycheproof"
        / "json_web_signature_test.json"
    ).read_text("utf-8")
)
GROUPS = {t["tcId"]: group for group in DATA["testGroups"] for t in group["tests"]}
TESTS = {t["tcId"]: t for group in DATA["testGroups"] for t in group["tests"]}

# tcId -> (expected result, reason). Everything not listed follows the file's label.
DECISIONS: dict[int, tuple[str, str]] = {
    346: (
        "invalid",
        "RFC 7520 Figure 20 is a PS384 signature, but Wycheproof added alg PS256 to the key. "
        "The header's alg must equal the key's alg, so josekit refuses it (SECURITY-NOTES #2b, "
        "#25); without the added alg the signature verifies (test_key_alg_mismatch_*).",
    ),
    350: ("invalid", "the same token and key as 346, with key_ops added"),
    347: (
        "invalid",
        "RFC 7520 Figure 27 is an ES512 signature, but the key's added alg is 'ES521', which "
        "is no JWS algorithm; the key-alg rule refuses it (see 346).",
    ),
    351: ("invalid", "the same token and key as 347, with key_ops added"),
    367: (
        "valid",
        "labelled invalidBase64Padding, but the jws string in the file is byte-identical to "
        "tcId 357 (valid): the '=' padding the comment describes is not in the data. A token "
        "cannot be both; josekit accepts it, and padded segments are refused by "
        "test_padding_is_refused_in_every_segment.",
    ),
    370: ("valid", "labelled invalidBase64PaddingInPayload; identical to 357, as for 367"),
    372: (
        "invalid",
        "labelled valid: a '?' is inserted into the header segment. Strict base64url has no "
        "'?', and the signing input is the segment as received (RFC 7515 §5.2), so even a "
        "lenient decoder would not match the MAC. Accepting it would make tokens malleable.",
    ),
    373: ("invalid", "labelled valid: a '?' is inserted into the payload segment; as for 372"),
}


def _key(group: dict[str, Any]) -> Key:
    return Key.import_key(group.get("public") or group["private"])


def _algorithms(token: str, group: dict[str, Any]) -> list[str]:
    key_alg = (group.get("public") or group["private"]).get("alg")
    try:
        alg = json.loads(b64d(token.split(".")[0]))["alg"]
    except Exception:
        alg = None
    if isinstance(alg, str) and alg != "none":
        return [alg]
    return [key_alg]


def _verify(token: str, key: Key, algorithms: list[str]) -> jws.VerifiedJWS:
    return jws.verify(token, key, algorithms=algorithms)


@pytest.mark.parametrize("tc_id", sorted(TESTS))
def test_wycheproof(tc_id: int) -> None:
    test, group = TESTS[tc_id], GROUPS[tc_id]
    expected = DECISIONS.get(tc_id, (test["result"], ""))[0]
    assert test["result"] in ("valid", "invalid")  # the file has no "acceptable" JWS tests
    key = _key(group)
    algorithms = _algorithms(test["jws"], group)
    if expected == "valid":
        result = _verify(test["jws"], key, algorithms)
        assert result.payload == b64d(test["jws"].split(".")[1])
        assert result.key is key
    else:
        try:
            _verify(test["jws"], key, algorithms)
        except errors.JoseError:
            pass
        else:
            pytest.fail(f"tcId {tc_id} ({test['comment']}) verified but must be refused")


def test_decisions_refer_to_existing_tests() -> None:
    for tc_id, (expected, _) in DECISIONS.items():
        assert TESTS[tc_id]["result"] != expected


def test_padding_tests_really_equal_the_valid_mac_test() -> None:
    assert TESTS[367]["jws"] == TESTS[357]["jws"] == TESTS[370]["jws"]


@pytest.mark.parametrize("tc_id", [346, 347, 350, 351])
def test_key_alg_mismatch_is_the_only_problem(tc_id: int) -> None:
    group = GROUPS[tc_id]
    token = TESTS[tc_id]["jws"]
    with pytest.raises(errors.InvalidKeyError, match="alg"):
        _verify(token, _key(group), _algorithms(token, group))
    bare = {k: v for k, v in group["public"].items() if k != "alg"}
    result = _verify(token, Key.import_key(bare), _algorithms(token, group))
    assert result.payload.startswith(b"It\xe2\x80\x99s a dangerous business")


@pytest.mark.parametrize("tc_id", [372, 373])
def test_inserted_character_is_refused_as_malformed_or_by_the_signature(tc_id: int) -> None:
    group = GROUPS[tc_id]
    token = TESTS[tc_id]["jws"]
    with pytest.raises((errors.MalformedError, errors.InvalidSignatureError)):
        _verify(token, _key(group), ["HS256"])
    # Removing the '?' gives back tcId 357, which verifies.
    assert token.replace("?", "") == TESTS[357]["jws"]
    _verify(token.replace("?", ""), _key(group), ["HS256"])


@pytest.mark.parametrize("segment", [0, 1, 2])
def test_padding_is_refused_in_every_segment(segment: int) -> None:
    # The MAC is recomputed over the padded text, so only the padding is wrong.
    key = _key(GROUPS[357])
    parts = TESTS[357]["jws"].split(".")
    parts[segment] += "=" * (-len(parts[segment]) % 4 or 2)
    if segment != 2:
        mac = SIGNATURE_ALGORITHMS["HS256"].sign(key, f"{parts[0]}.{parts[1]}".encode())
        parts[2] = b64e_str(mac)
    with pytest.raises(errors.MalformedError, match="base64url"):
        _verify(".".join(parts), key, ["HS256"])


def test_json_serialization_is_refused_by_compact_verify() -> None:
    test = TESTS[17]
    assert test["flags"] == ["JsonSerialization"]
    with pytest.raises(errors.MalformedError, match="JSON serialization"):
        _verify(test["jws"], _key(GROUPS[17]), ["HS256"])
    # It is not even well-formed JSON (the 'signatures' array is never closed).
    with pytest.raises(errors.MalformedError):
        jws.verify_json(test["jws"], _key(GROUPS[17]), algorithms=["HS256"])


def test_embedded_jwk_is_never_used() -> None:
    test = TESTS[32]
    assert test["comment"] == "rejectsAttackerProvidedEmbeddedJwk"
    header = json.loads(b64d(test["jws"].split(".")[0]))
    attacker = Key.import_key(header["jwk"])
    # The token is genuinely signed by the embedded key...
    assert jws.verify(test["jws"], attacker, algorithms=["ES256"]).payload == b"foo"
    # ...which josekit never takes from the header: with the caller's key it fails.
    with pytest.raises(errors.InvalidSignatureError):
        _verify(test["jws"], _key(GROUPS[32]), ["ES256"])


def test_symmetry_confusion_is_refused_before_any_mac() -> None:
    test = TESTS[31]
    with pytest.raises(errors.InvalidKeyError, match="oct"):
        _verify(test["jws"], _key(GROUPS[31]), ["HS256"])


@pytest.mark.parametrize("tc_id", [16, 341, 342, 343, 344])
def test_alg_none_is_refused(tc_id: int) -> None:
    group = GROUPS[tc_id]
    token = TESTS[tc_id]["jws"]
    # 'NONE' (tcId 342) is no algorithm at all: UnsupportedAlgorithmError.
    with pytest.raises(
        (errors.AlgorithmNotAllowedError, errors.UnsupportedAlgorithmError), match=r"(?i)none"
    ):
        _verify(token, _key(group), _algorithms(token, group))
