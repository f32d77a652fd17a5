"""RFC 7520 §4 (the JOSE Cookbook): every example in every serialization.

The published output is always verified. Where the signature is deterministic (RSASSA-PKCS1-v1_5
and HMAC) josekit also signs the same input and must produce the published bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, errors, jws
from josekit._b64 import b64d
from josekit.algorithms import SIGNATURE_ALGORITHMS

VECTORS = Path(__file__).parent.parent / "vectors" / "jws" / "cookbook"
FILES = sorted(VECTORS.glob("4_*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _cases() -> list[Any]:
    cases = []
    for path in FILES:
        vector = _load(path)
        for form in vector["output"]:
            cases.append(pytest.param(path, form, id=f"{path.stem}-{form}"))
    return cases


def _pairs(vector: dict[str, Any]) -> list[tuple[Key, str]]:
    keys = vector["input"]["key"]
    algs = vector["input"]["alg"]
    if not isinstance(keys, list):
        keys, algs = [keys], [algs]
    return [(Key.import_key(k), a) for k, a in zip(keys, algs, strict=True)]


def _public(key: Key) -> Key:
    return key if key.is_symmetric else key.public()


@pytest.mark.parametrize(("path", "form"), _cases())
def test_published_output_verifies(path: Path, form: str) -> None:
    vector = _load(path)
    payload = vector["input"]["payload"].encode("utf-8")
    output = vector["output"][form]
    detached = form == "compact" and output.split(".")[1] == ""
    detached = detached or (form != "compact" and "payload" not in output)
    kwargs: dict[str, Any] = {"detached_payload": payload} if detached else {}
    for key, alg in _pairs(vector):
        if form == "compact":
            result = jws.verify(output, _public(key), algorithms=[alg], **kwargs)
        else:
            # both the parsed object and its JSON text
            result = jws.verify_json(output, _public(key), algorithms=[alg], **kwargs)
            again = jws.verify_json(json.dumps(output), _public(key), algorithms=[alg], **kwargs)
            assert again.header == result.header
        assert result.payload == payload
        assert result.header["alg"] == alg
        assert result.key is not None
        assert result.key.thumbprint() == key.thumbprint()


@pytest.mark.parametrize(("path", "form"), _cases())
def test_published_output_is_refused_with_another_algorithm(path: Path, form: str) -> None:
    vector = _load(path)
    output = vector["output"][form]
    payload = vector["input"]["payload"].encode("utf-8")
    for key, alg in _pairs(vector):
        other = "HS512" if alg != "HS512" else "HS384"
        if form == "compact":
            detached = payload if output.split(".")[1] == "" else None
            with pytest.raises(errors.AlgorithmNotAllowedError):
                jws.verify(output, _public(key), algorithms=[other], detached_payload=detached)
        else:
            detached = None if "payload" in output else payload
            with pytest.raises(errors.AlgorithmNotAllowedError):
                jws.verify_json(output, _public(key), algorithms=[other], detached_payload=detached)


# -- deterministic examples: josekit must produce the published bytes -----------------


def test_4_1_rsa_v15_signature_reproduced() -> None:
    vector = _load(VECTORS / "4_1.rsa_v15_signature.json")
    ((key, alg),) = _pairs(vector)
    payload = vector["input"]["payload"]
    assert jws.sign(payload, key, alg) == vector["output"]["compact"]
    signer = jws.Signer(key, alg, protected={"kid": key.kid})
    assert jws.sign_json(payload, [signer]) == vector["output"]["json"]
    assert jws.sign_json(payload, [signer], flattened=True) == vector["output"]["json_flat"]


def test_4_4_hmac_reproduced() -> None:
    vector = _load(VECTORS / "4_4.hmac-sha2_integrity_protection.json")
    ((key, alg),) = _pairs(vector)
    payload = vector["input"]["payload"]
    assert jws.sign(payload, key, alg) == vector["output"]["compact"]
    signer = jws.Signer(key, alg, protected={"kid": key.kid})
    assert jws.sign_json(payload, [signer]) == vector["output"]["json"]
    assert jws.sign_json(payload, [signer], flattened=True) == vector["output"]["json_flat"]


def test_4_5_detached_content_reproduced() -> None:
    vector = _load(VECTORS / "4_5.signature_with_detached_content.json")
    ((key, alg),) = _pairs(vector)
    payload = vector["input"]["payload"]
    assert jws.sign(payload, key, alg, detached=True) == vector["output"]["compact"]
    signer = jws.Signer(key, alg, protected={"kid": key.kid})
    assert jws.sign_json(payload, [signer], detached=True) == vector["output"]["json"]
    assert (
        jws.sign_json(payload, [signer], flattened=True, detached=True)
        == vector["output"]["json_flat"]
    )


def test_4_6_protecting_specific_header_fields_reproduced() -> None:
    # josekit puts the key's kid in the unprotected header when the caller did not
    # protect it: exactly the layout of this example.
    vector = _load(VECTORS / "4_6.protecting_specific_header_fields.json")
    ((key, alg),) = _pairs(vector)
    payload = vector["input"]["payload"]
    signer = jws.Signer(key, alg)
    assert jws.sign_json(payload, [signer]) == vector["output"]["json"]
    assert jws.sign_json(payload, [signer], flattened=True) == vector["output"]["json_flat"]


def test_4_7_protecting_content_only_signature_reproduced() -> None:
    # josekit always protects 'alg', so it never emits this layout itself; the MAC over the
    # published signing input (an empty protected header) is still reproduced.
    vector = _load(VECTORS / "4_7.protecting_content_only.json")
    ((key, alg),) = _pairs(vector)
    signing = vector["signing"]
    mac = SIGNATURE_ALGORITHMS[alg].sign(key, signing["sig-input"].encode("ascii"))
    assert mac == b64d(signing["sig"])
    assert vector["output"]["json"]["signatures"][0]["signature"] == signing["sig"]


def test_4_8_multiple_signatures_deterministic_ones_reproduced() -> None:
    vector = _load(VECTORS / "4_8.multiple_signatures.json")
    (rsa, rs256), (_, _), (oct_key, hs256) = _pairs(vector)
    payload = vector["input"]["payload"]
    produced = jws.sign_json(
        payload,
        [jws.Signer(rsa, rs256), jws.Signer(oct_key, hs256, protected={"kid": oct_key.kid})],
    )
    published = vector["output"]["json"]
    assert produced["payload"] == published["payload"]
    assert produced["signatures"] == [published["signatures"][0], published["signatures"][2]]


def test_4_8_each_signature_alone_is_independent() -> None:
    # Only the signature that verifies contributes its header; the others are not merged.
    vector = _load(VECTORS / "4_8.multiple_signatures.json")
    (rsa, _), (ec, _), (oct_key, _) = _pairs(vector)
    output = vector["output"]["json"]
    result = jws.verify_json(output, ec.public(), algorithms=["ES512"])
    assert result.header == {"alg": "ES512", "kid": "bilbo.baggins@hobbiton.example"}
    assert result.protected_header == {}
    result = jws.verify_json(output, oct_key, algorithms=["HS256"])
    assert result.header == {"alg": "HS256", "kid": oct_key.kid}
    # The RSA key is allowed RS256 only: the EC and HMAC signatures are not tried with it.
    assert jws.verify_json(output, rsa.public(), algorithms=["RS256"]).header["alg"] == "RS256"


@pytest.mark.parametrize("name", ["4_2.rsa-pss_signature.json", "4_3.ecdsa_signature.json"])
def test_randomised_examples_sign_afresh_and_verify(name: str) -> None:
    vector = _load(VECTORS / name)
    ((key, alg),) = _pairs(vector)
    payload = vector["input"]["payload"]
    token = jws.sign(payload, key, alg)
    assert token.split(".")[0] == vector["signing"]["protected_b64u"]
    assert token != vector["output"]["compact"]
    assert jws.verify(token, key.public(), algorithms=[alg]).payload == payload.encode()
