"""RFC 9964 Appendix A (JOSE): the published ML-DSA keys, thumbprints and JWS verify as given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import mldsa

from josekit import Key, errors, jws
from josekit._b64 import b64d, b64e_str

VECTORS = Path(__file__).parent.parent / "vectors" / "pq"
PAYLOAD = "It\u2019s a dangerous business, Frodo, going out your door.".encode()


def _vector(alg: str) -> dict[str, Any]:
    name = alg.replace("-", "_") + ".jose.json"
    data: dict[str, Any] = json.loads((VECTORS / name).read_text("utf-8"))
    return data


@pytest.mark.parametrize("alg", ["ML-DSA-44", "ML-DSA-65"])
def test_published_jwk_imports_and_its_kid_is_the_thumbprint(alg: str) -> None:
    vector = _vector(alg)
    key = Key.import_key(vector["jwk"])
    assert key.kty == "AKP"
    assert key.alg == alg
    assert key.is_private
    assert key.thumbprint() == vector["jwk"]["kid"]
    assert key.public().thumbprint() == vector["jwk"]["kid"]
    assert key.to_dict(private=True) == vector["jwk"]


@pytest.mark.parametrize("alg", ["ML-DSA-44", "ML-DSA-65"])
def test_published_seed_derives_the_published_public_key(alg: str) -> None:
    vector = _vector(alg)
    seed = bytes.fromhex(vector["seed"])
    assert b64e_str(seed) == vector["jwk"]["priv"]
    cls = {"ML-DSA-44": mldsa.MLDSA44PrivateKey, "ML-DSA-65": mldsa.MLDSA65PrivateKey}[alg]
    derived = cls.from_seed_bytes(seed).public_key().public_bytes_raw()
    assert derived == b64d(vector["jwk"]["pub"])


@pytest.mark.parametrize("alg", ["ML-DSA-44", "ML-DSA-65"])
def test_published_jws_verifies(alg: str) -> None:
    vector = _vector(alg)
    public = Key.import_key(vector["jwk"]).public()
    result = jws.verify(vector["jws"], public, algorithms=[alg])
    assert result.payload == PAYLOAD
    assert result.protected_header == {"alg": alg, "kid": vector["jwk"]["kid"]}


@pytest.mark.parametrize("alg", ["ML-DSA-44", "ML-DSA-65"])
def test_published_jws_with_one_flipped_signature_bit_fails(alg: str) -> None:
    vector = _vector(alg)
    header, payload, signature = vector["jws"].split(".")
    raw = bytearray(b64d(signature))
    raw[100] ^= 0x01
    tampered = f"{header}.{payload}.{b64e_str(bytes(raw))}"
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(tampered, Key.import_key(vector["jwk"]).public(), algorithms=[alg])


def test_ml_dsa_87_all_zero_seed_has_the_rfc_thumbprint() -> None:
    # RFC 9964 Appendix A.1: the ML-DSA-87 example key is the all-zero seed; its kid is the
    # RFC 7638 thumbprint over alg, kty and pub.
    private = mldsa.MLDSA87PrivateKey.from_seed_bytes(bytes(32))
    key = Key.import_key(private)
    assert key.alg == "ML-DSA-87"
    assert key.thumbprint() == "tRn1JNIkgMsABVQBlXeDHxAIcclh-2IX0UdDEzPt5XU"


def test_rfc_figure_1_all_zero_ml_dsa_44_thumbprint() -> None:
    # RFC 9964 §3 Figure 1 gives the kid of the all-zero ML-DSA-44 key.
    key = Key.import_key(mldsa.MLDSA44PrivateKey.from_seed_bytes(bytes(32)))
    assert key.thumbprint() == "T4xl70S7MT6Zeq6r9V9fPJGVn76wfnXJ21-gyo0Gu6o"
