"""RFC 7797 (unencoded payload, ``b64: false``): the RFC's §4 examples and the cookbook's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, errors, jws

VECTORS = Path(__file__).parent.parent / "vectors" / "jws"
RFC: dict[str, Any] = json.loads((VECTORS / "rfc" / "rfc7797_section4.json").read_text("utf-8"))
KEY = Key.import_key(RFC["key"])
PAYLOAD = RFC["payload"].encode("ascii")


def _cookbook(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / "cookbook" / "rfc7797" / name).read_text("utf-8"))
    return data


def test_4_1_b64_true_verifies_and_is_reproduced() -> None:
    token = RFC["4.1"]["compact"]
    assert jws.verify(token, KEY, algorithms=["HS256"]).payload == PAYLOAD
    assert jws.sign(PAYLOAD, KEY, "HS256") == token


def test_4_2_b64_false_detached_compact_verifies_and_is_reproduced() -> None:
    token = RFC["4.2"]["compact_detached"]
    result = jws.verify(
        token, KEY, algorithms=["HS256"], detached_payload=PAYLOAD, unencoded_payload=True
    )
    assert result.payload == PAYLOAD
    assert result.protected_header == RFC["4.2"]["protected"]
    # The payload contains '.', so compact needs detached content.
    header = {"b64": False, "crit": ["b64"]}
    assert jws.sign(PAYLOAD, KEY, "HS256", header=header, detached=True) == token
    with pytest.raises(errors.MalformedError):
        jws.sign(PAYLOAD, KEY, "HS256", header=header)


def test_4_2_b64_false_flattened_json_verifies_and_is_reproduced() -> None:
    obj = RFC["4.2"]["json_flat"]
    result = jws.verify_json(obj, KEY, algorithms=["HS256"], unencoded_payload=True)
    assert result.payload == PAYLOAD
    signer = jws.Signer(KEY, "HS256", protected={"b64": False, "crit": ["b64"]})
    assert jws.sign_json(PAYLOAD, [signer], flattened=True) == obj


def test_4_2_needs_the_caller_to_enable_unencoded_payloads() -> None:
    with pytest.raises(errors.CriticalHeaderError):
        jws.verify(
            RFC["4.2"]["compact_detached"], KEY, algorithms=["HS256"], detached_payload=PAYLOAD
        )
    with pytest.raises(errors.CriticalHeaderError):
        jws.verify_json(RFC["4.2"]["json_flat"], KEY, algorithms=["HS256"])


def test_4_2_signature_does_not_verify_as_b64_true() -> None:
    # The same signature over the base64url-encoded payload is a different signing input.
    h64, _, s64 = RFC["4.2"]["compact_detached"].split(".")
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(f"{h64}.JC4wMg.{s64}", KEY, algorithms=["HS256"], unencoded_payload=True)


@pytest.mark.parametrize("form", ["compact", "json", "json_flat"])
def test_cookbook_compact_compatible_example(form: str) -> None:
    vector = _cookbook("hmac-sha2_b64_false.json")
    key = Key.import_key(vector["input"]["key"])
    payload = vector["input"]["payload"].encode("ascii")
    output = vector["output"][form]
    if form == "compact":
        result = jws.verify(output, key, algorithms=["HS256"], unencoded_payload=True)
        assert jws.sign(payload, key, "HS256", header={"b64": False, "crit": ["b64"]}) == output
    else:
        result = jws.verify_json(output, key, algorithms=["HS256"], unencoded_payload=True)
        signer = jws.Signer(key, "HS256", protected={"b64": False, "crit": ["b64"]})
        assert jws.sign_json(payload, [signer], flattened=form == "json_flat") == output
    assert result.payload == payload


@pytest.mark.parametrize("form", ["json", "json_flat"])
def test_cookbook_json_only_example_lacks_crit_and_is_refused(form: str) -> None:
    # This cookbook file's protected header is {"alg":"HS256","b64":false}: 'b64' is not
    # listed in 'crit', which RFC 7797 §6 requires. A verifier must not honour such a
    # 'b64' (it would silently change what was signed), so josekit refuses the token
    # even with unencoded payloads enabled. The RFC's own version is tested above.
    vector = _cookbook("4.2.hmac-sha2_b64_false.json")
    key = Key.import_key(vector["input"]["key"])
    output = vector["output"][form]
    with pytest.raises(errors.InvalidHeaderError, match="crit"):
        jws.verify_json(output, key, algorithms=["HS256"], unencoded_payload=True)
