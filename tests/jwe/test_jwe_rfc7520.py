"""RFC 7520 §5 (and §6, RFC 8037 A.6) JWE examples from the JOSE Cookbook.

Every published serialization is decrypted. Where the example pins the CEK, the IV and the
generated values (ephemeral key, PBES2 salt, AES-GCM key wrap IV), the same inputs go through
the internal encryption seam and the output must be byte-identical; RSA encryption is
randomized, so for RSA the encrypted key is the one part not compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, jwe
from josekit._b64 import b64d
from josekit.jwe._compact import _encrypt
from josekit.jwe._json import _encrypt_json
from josekit.policy import DEFAULT_LIMITS

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "jwe" / "cookbook"
EXAMPLES = sorted(VECTORS.glob("5_*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    encrypt: dict[str, Any] = data.get("encrypt", data)
    return encrypt


ALL = [*EXAMPLES, VECTORS / "6.nesting_signatures_and_encryption.json"]
ALL_AND_X25519 = [*ALL, VECTORS / "curve25519_ecdh-es.json"]


def _keys(vector: dict[str, Any]) -> list[Any]:
    given = vector["input"].get("key")
    if given is None:
        return [vector["input"]["pwd"]]
    return [Key.import_key(k) for k in (given if isinstance(given, list) else [given])]


def _algs(vector: dict[str, Any]) -> list[str]:
    alg = vector["input"]["alg"]
    return alg if isinstance(alg, list) else [alg]


@pytest.mark.parametrize("path", ALL_AND_X25519, ids=lambda p: p.stem)
def test_every_published_serialization_decrypts(path: Path) -> None:
    vector = _load(path)
    plaintext = vector["input"]["plaintext"].encode("utf-8")
    outputs = vector["output"]
    assert outputs, "the example has no output"
    for key, alg in zip(_keys(vector), _algs(vector), strict=True):
        if "compact" in outputs:
            result = jwe.decrypt(outputs["compact"], key, algorithms=[alg])
            assert result.plaintext == plaintext
            assert result.header["alg"] == alg
        for form in ("json", "json_flat"):
            if form in outputs:
                result = jwe.decrypt_json(outputs[form], key, algorithms=[alg])
                assert result.plaintext == plaintext
                assert result.header["alg"] == alg
                if "aad" in vector["input"]:
                    assert result.aad == vector["input"]["aad"].encode("utf-8")


def _pins(vector: dict[str, Any], encrypting_key: dict[str, Any]) -> dict[str, Any]:
    pins: dict[str, Any] = {}
    if "epk" in encrypting_key:
        pins["epk"] = Key.import_key(encrypting_key["epk"])
    if "salt" in encrypting_key:
        pins["p2s"] = b64d(encrypting_key["salt"])
    if "iv" in encrypting_key:
        pins["iv"] = b64d(encrypting_key["iv"])
    return pins


def _generated(vector: dict[str, Any]) -> tuple[bytes | None, bytes]:
    generated = vector["generated"]
    cek = b64d(generated["cek"]) if "cek" in generated else None
    return cek, b64d(generated["iv"])


COMPACT = [p for p in ALL if "compact" in _load(p)["output"]]


@pytest.mark.parametrize("path", COMPACT, ids=lambda p: p.stem)
def test_compact_output_is_reproduced(path: Path) -> None:
    vector = _load(path)
    content = vector["encrypting_content"]
    cek, iv = _generated(vector)
    (key,) = _keys(vector)
    (alg,) = _algs(vector)
    header = dict(content["protected"])
    if isinstance(key, Key):
        members = key.to_dict(private=key.kty == "oct")
        if "kid" not in header:  # RFC 7520 §6 leaves the key's kid out of the header
            members.pop("kid", None)
        key = Key.import_key(members)
    token = _encrypt(
        vector["input"]["plaintext"],
        key,
        alg,
        vector["input"]["enc"],
        header,
        None,
        DEFAULT_LIMITS,
        _cek=cek,
        _iv=iv,
        _pinned=_pins(vector, vector.get("encrypting_key", {})),
    )
    ours = token.split(".")
    theirs = vector["output"]["compact"].split(".")
    assert ours[0] == content["protected_b64u"]
    if not alg.startswith("RSA"):  # RSA key encryption is randomized
        assert ours[1] == theirs[1]
    assert ours[2:] == theirs[2:]


JSON = [p for p in ALL if "json" in _load(p)["output"] and "compact" not in _load(p)["output"]]


@pytest.mark.parametrize("path", JSON, ids=lambda p: p.stem)
def test_json_output_is_reproduced(path: Path) -> None:
    vector = _load(path)
    content = vector["encrypting_content"]
    cek, iv = _generated(vector)
    published = vector["output"]["json"]
    encrypting = vector["encrypting_key"]
    encrypting = encrypting if isinstance(encrypting, list) else [encrypting]
    recipients = []
    pins = []
    for index, (key, alg) in enumerate(zip(_keys(vector), _algs(vector), strict=True)):
        entry = published["recipients"][index]
        recipients.append(
            jwe.Recipient(key.public() if key.kty != "oct" else key, alg, entry.get("header"))
        )
        pins.append(_pins(vector, encrypting[index]))
    aad = vector["input"].get("aad")
    ours = _encrypt_json(
        vector["input"]["plaintext"],
        recipients,
        _enc(vector),
        content.get("protected"),
        content.get("unprotected"),
        aad,
        None,
        False,
        DEFAULT_LIMITS,
        _cek=cek,
        _iv=iv,
        _pinned=pins,
    )
    for index, alg in enumerate(_algs(vector)):
        if alg.startswith("RSA"):  # randomized: compare everything else
            assert "encrypted_key" in ours["recipients"][index]
            ours["recipients"][index]["encrypted_key"] = published["recipients"][index][
                "encrypted_key"
            ]
    assert ours == published


def _enc(vector: dict[str, Any]) -> str:
    # RFC 7520 §5.13's input says "A128CBC-H256" (a typo); the header is authoritative.
    for part in ("protected", "unprotected"):
        header = vector["encrypting_content"].get(part) or {}
        if "enc" in header:
            return str(header["enc"])
    raise AssertionError("the example has no enc header")


def test_compression_example_matches_the_published_deflate_output() -> None:
    vector = _load(VECTORS / "5_9.compressed_content.json")
    (key,) = _keys(vector)
    token = vector["output"]["compact"]
    result = jwe.decrypt(token, key, algorithms=["A128KW"])
    assert result.plaintext == vector["input"]["plaintext"].encode("utf-8")
    from josekit.jwe._common import deflate

    assert deflate(result.plaintext) == b64d(vector["generated"]["plaintext_c"])


def test_nested_jwt_example_carries_a_jws() -> None:
    data = json.loads((VECTORS / "6.nesting_signatures_and_encryption.json").read_text("utf-8"))
    vector = data["encrypt"]
    (key,) = _keys(vector)
    result = jwe.decrypt(vector["output"]["compact"], key, algorithms=["RSA-OAEP"])
    assert result.header["cty"] == "JWT"
    assert result.plaintext.decode("ascii") == data["sign"]["output"]["compact"]
