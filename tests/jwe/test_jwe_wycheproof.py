"""Wycheproof: json_web_encryption_test.json and json_web_crypto_test.json in full, and the
JWK-encoded ECDH/XDH files through josekit's key import and ECDH-ES path.

Choices made for the vectors Wycheproof leaves open or that need a reading:

* The tests that hand a JSON serialization to a compact API (flag ``JsonSerialization``) are
  refused by :func:`jwe.decrypt`; the same object is also decrypted with
  :func:`jwe.decrypt_json`, the entry point meant for it, where it is a valid JWE.
* Keys are used with every algorithm allowed, so that the key's own ``alg`` is what refuses
  a wrong algorithm (``Pkcs15WithOaepKey``, ``WrongCipher``, symmetric confusion).
* X25519/X448 ``acceptable`` vectors: josekit refuses every all-zero shared secret
  (``ZeroSharedSecret``, RFC 7748 §6.1), and accepts the others (twist points, non-canonical
  encodings: RFC 7748 §5 and §7 say to accept them) when the shared secret is the expected one.
* ``ecdh_secp256k1_webcrypto_test.json`` names its curve ``P-256K``, the draft name of what
  RFC 8812 registered as ``secp256k1``; the harness renames it. JWE defines no ECDH-ES on
  secp256k1, so those vectors go through the key import and the ECDH primitive only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash

from josekit import Key, KeySet, errors, jwe, jws
from josekit._b64 import b64e_str
from josekit._json import dumps
from josekit.algorithms import KEY_MANAGEMENT, SIGNATURE_ALGORITHMS
from josekit.algorithms.key_management import ecdh_shared_secret

DATA = Path(__file__).resolve().parent.parent / "vectors" / "jwe" / "wycheproof"
EVERY_ALG = sorted(KEY_MANAGEMENT)
EVERY_JWS_ALG = sorted(SIGNATURE_ALGORITHMS)


def _cases(name: str) -> Iterator[Any]:
    data = json.loads((DATA / name).read_text(encoding="utf-8"))
    for group in data["testGroups"]:
        for test in group["tests"]:
            yield pytest.param(group, test, id=f"{test['tcId']}-{test['comment']}")


def _key(material: dict[str, Any]) -> Key | KeySet:
    if "keys" in material:
        return KeySet.import_key_set(material)
    return Key.import_key(material)


# -- json_web_encryption_test.json ------------------------------------------------------


@pytest.mark.parametrize(("group", "test"), list(_cases("json_web_encryption_test.json")))
def test_json_web_encryption(group: dict[str, Any], test: dict[str, Any]) -> None:
    _check_jwe(group, test)


def _decrypt_compact(private: dict[str, Any], token: str | dict[str, Any]) -> None:
    text = token if isinstance(token, str) else dumps(token)
    jwe.decrypt(text, _key(private), algorithms=EVERY_ALG)


def _verify_compact(material: dict[str, Any], token: str | dict[str, Any]) -> None:
    text = token if isinstance(token, str) else dumps(token)
    jws.verify(text, _key(material), algorithms=EVERY_JWS_ALG)


def _check_jwe(group: dict[str, Any], test: dict[str, Any]) -> None:
    token = test["jwe"]
    if test["result"] == "valid":
        key = _key(group["private"])
        result = jwe.decrypt(token, key, algorithms=EVERY_ALG)
        if "pt" in test:  # hex in this file format
            assert result.plaintext == bytes.fromhex(test["pt"])
        else:
            assert result.plaintext
        return
    assert test["result"] == "invalid"
    with pytest.raises(errors.JoseError):
        _decrypt_compact(group["private"], token)
    if "JsonSerialization" in test["flags"]:
        # Refused by the compact API, as the vector asks; it is a valid flattened JWE.
        result = jwe.decrypt_json(token, _key(group["private"]), algorithms=EVERY_ALG)
        assert result.header["unknown"] == "untrustworthy"


# -- json_web_crypto_test.json ------------------------------------------------------------


@pytest.mark.parametrize(("group", "test"), list(_cases("json_web_crypto_test.json")))
def test_json_web_crypto(group: dict[str, Any], test: dict[str, Any]) -> None:
    if "jwe" in test:
        _check_jwe(group, test)
        return
    token = test["jws"]
    if test["result"] == "valid":
        key = _key(group.get("public") or group["private"])
        assert jws.verify(token, key, algorithms=EVERY_JWS_ALG).payload
        return
    assert test["result"] == "invalid"
    with pytest.raises(errors.JoseError):
        _verify_compact(group.get("public") or group["private"], token)


# -- JWK-encoded ECDH and XDH -------------------------------------------------------------

_ECDH_FILES = [
    "ecdh_secp256r1_webcrypto_test.json",
    "ecdh_secp384r1_webcrypto_test.json",
    "ecdh_secp521r1_webcrypto_test.json",
    "ecdh_secp256k1_webcrypto_test.json",
    "x25519_jwk_test.json",
    "x448_jwk_test.json",
]
_JWE_CURVES = {"P-256", "P-384", "P-521", "X25519", "X448"}


def _renamed(jwk: dict[str, Any]) -> dict[str, Any]:
    return {**jwk, "crv": "secp256k1"} if jwk.get("crv") == "P-256K" else jwk


def _ecdh_cases() -> Iterator[Any]:
    for name in _ECDH_FILES:
        data = json.loads((DATA / name).read_text(encoding="utf-8"))
        stem = name.split("_")[1] if name.startswith("ecdh") else name.split("_")[0]
        for group in data["testGroups"]:
            for test in group["tests"]:
                yield pytest.param(test, id=f"{stem}-{test['tcId']}")


def _expect_success(test: dict[str, Any]) -> bool:
    if test["result"] == "acceptable":
        return "ZeroSharedSecret" not in test["flags"]
    return bool(test["result"] == "valid")


def _jwe_for(public: dict[str, Any], shared: bytes) -> str:
    """An ECDH-ES/A128GCM JWE whose epk is ``public``, its CEK derived from ``shared``."""
    header = {"alg": "ECDH-ES", "enc": "A128GCM", "epk": public}
    other_info = b"\x00\x00\x00\x07A128GCM" + b"\x00" * 8 + (128).to_bytes(4, "big")
    cek = ConcatKDFHash(hashes.SHA256(), 16, other_info).derive(shared)
    h64 = b64e_str(dumps(header).encode())
    iv = os.urandom(12)
    sealed = AESGCM(cek).encrypt(iv, b"wycheproof", h64.encode())
    return f"{h64}..{b64e_str(iv)}.{b64e_str(sealed[:-16])}.{b64e_str(sealed[-16:])}"


@pytest.mark.parametrize("test", list(_ecdh_cases()))
def test_ecdh_key_import_and_agreement(test: dict[str, Any]) -> None:
    private_jwk, public_jwk = _renamed(test["private"]), _renamed(test["public"])
    expected = bytes.fromhex(test["shared"])
    if not _expect_success(test):
        with pytest.raises(errors.JoseError):
            ecdh_shared_secret(Key.import_key(private_jwk), public_jwk)
        token = _jwe_for(public_jwk, expected or os.urandom(32))
        with pytest.raises(errors.JoseError):
            jwe.decrypt(token, Key.import_key(private_jwk), algorithms=["ECDH-ES"])
        return
    private = Key.import_key(private_jwk)
    assert ecdh_shared_secret(private, public_jwk) == expected
    if private.crv in _JWE_CURVES:
        token = _jwe_for(public_jwk, expected)
        assert jwe.decrypt(token, private, algorithms=["ECDH-ES"]).plaintext == b"wycheproof"
