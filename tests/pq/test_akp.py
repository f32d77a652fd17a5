"""AKP keys (RFC 9964 §3-§7): import, export, generation, PEM, thumbprints, validation."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import mldsa

from josekit import Key, KeySet, errors, jwk
from josekit._b64 import b64d, b64e_str
from josekit.algorithms import SIGNATURE_ALGORITHMS

ALGS = ["ML-DSA-44", "ML-DSA-65", "ML-DSA-87"]
PUB_SIZES = {"ML-DSA-44": 1312, "ML-DSA-65": 1952, "ML-DSA-87": 2592}


@pytest.fixture(scope="module")
def keys() -> dict[str, Key]:
    return {alg: jwk.generate("AKP", alg=alg, kid=f"k-{alg}") for alg in ALGS}


def _jwk(key: Key, private: bool = True) -> dict[str, Any]:
    return key.to_dict(private=private)


@pytest.mark.parametrize("alg", ALGS)
def test_generate_gives_a_private_key_of_the_parameter_set(alg: str, keys: dict[str, Key]) -> None:
    key = keys[alg]
    assert (key.kty, key.alg, key.kid, key.crv) == ("AKP", alg, f"k-{alg}", None)
    assert key.is_private
    assert not key.is_symmetric
    data = _jwk(key)
    assert set(data) == {"kty", "alg", "pub", "priv", "kid"}
    assert len(b64d(data["pub"])) == PUB_SIZES[alg]
    assert len(b64d(data["priv"])) == 32
    assert key.size == PUB_SIZES[alg] * 8


@pytest.mark.parametrize("alg", ALGS)
def test_jwk_round_trip_and_public_half(alg: str, keys: dict[str, Key]) -> None:
    key = keys[alg]
    again = Key.import_key(_jwk(key))
    assert again == key
    public = key.public()
    assert not public.is_private
    assert "priv" not in public.to_dict()
    assert public.to_dict()["alg"] == alg
    assert Key.import_key(public.to_json()) == public


@pytest.mark.parametrize("alg", ALGS)
def test_thumbprint_uses_alg_kty_pub_in_lexicographic_order(alg: str, keys: dict[str, Key]) -> None:
    key = keys[alg]
    data = _jwk(key, private=False)
    canonical = json.dumps(
        {"alg": alg, "kty": "AKP", "pub": data["pub"]}, separators=(",", ":")
    ).encode()
    expected = b64e_str(hashlib.sha256(canonical).digest())
    assert key.thumbprint() == expected
    assert key.public().thumbprint() == expected
    # kid, use and key_ops are not thumbprint members.
    assert Key.import_key({**data, "kid": "other", "use": "sig"}).thumbprint() == expected
    assert key.thumbprint_uri().endswith(":sha-256:" + expected)


@pytest.mark.parametrize("alg", ALGS)
def test_pem_round_trip_private_and_public(alg: str, keys: dict[str, Key]) -> None:
    key = keys[alg]
    private_pem = key.to_pem(private=True)
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    imported = Key.import_key(private_pem, kid=key.kid)
    assert imported == key
    public_pem = key.to_pem()
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert Key.import_key(public_pem).thumbprint() == key.thumbprint()
    encrypted = key.to_pem(private=True, password=b"correct horse")
    assert Key.import_key(encrypted, password=b"correct horse").thumbprint() == key.thumbprint()


def test_pem_import_sets_alg_from_the_key_and_refuses_a_contradicting_alg(
    keys: dict[str, Key],
) -> None:
    pem = keys["ML-DSA-65"].to_pem()
    assert Key.import_key(pem).alg == "ML-DSA-65"
    assert Key.import_key(pem, alg="ML-DSA-65").alg == "ML-DSA-65"
    with pytest.raises(errors.InvalidKeyError, match="ML-DSA-65"):
        Key.import_key(pem, alg="ML-DSA-44")


def test_import_from_cryptography_objects() -> None:
    private = mldsa.MLDSA44PrivateKey.generate()
    key = Key.import_key(private, kid="obj")
    assert (key.alg, key.kid, key.is_private) == ("ML-DSA-44", "obj", True)
    public = Key.import_key(private.public_key())
    assert not public.is_private
    assert public.thumbprint() == key.thumbprint()


def test_alg_is_required() -> None:
    data = _jwk(jwk.generate("AKP", alg="ML-DSA-44"))
    del data["alg"]
    with pytest.raises(errors.InvalidKeyError, match="'alg'"):
        Key.import_key(data)


@pytest.mark.parametrize("alg", [None, 7, ["ML-DSA-44"]])
def test_alg_must_be_a_string(alg: object, keys: dict[str, Key]) -> None:
    data = {**_jwk(keys["ML-DSA-44"]), "alg": alg}
    with pytest.raises(errors.InvalidKeyError):
        Key.import_key(data)


@pytest.mark.parametrize("alg", ["ML-DSA-128", "ES256", "SLH-DSA-SHA2-128s", "HPKE-3"])
def test_unknown_akp_alg_is_unsupported(alg: str, keys: dict[str, Key]) -> None:
    data = {**_jwk(keys["ML-DSA-44"], private=False), "alg": alg}
    with pytest.raises(errors.UnsupportedAlgorithmError, match=alg):
        Key.import_key(data)


def test_pub_is_required() -> None:
    with pytest.raises(errors.InvalidKeyError, match="'pub'"):
        Key.import_key({"kty": "AKP", "alg": "ML-DSA-44", "priv": b64e_str(bytes(32))})


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("delta", [-1, 1])
def test_pub_size_is_checked(alg: str, delta: int, keys: dict[str, Key]) -> None:
    pub = b64d(_jwk(keys[alg])["pub"])
    wrong = pub[:delta] if delta < 0 else pub + b"\x00"
    data = {"kty": "AKP", "alg": alg, "pub": b64e_str(wrong)}
    with pytest.raises(errors.InvalidKeyError, match=f"{PUB_SIZES[alg]} bytes"):
        Key.import_key(data)


def test_pub_of_another_parameter_set_is_refused(keys: dict[str, Key]) -> None:
    data = {**_jwk(keys["ML-DSA-65"], private=False), "alg": "ML-DSA-44"}
    with pytest.raises(errors.InvalidKeyError, match="1312 bytes"):
        Key.import_key(data)


@pytest.mark.parametrize("size", [0, 31, 33, 64, 2560])
def test_priv_must_be_the_32_byte_seed(size: int, keys: dict[str, Key]) -> None:
    data = {**_jwk(keys["ML-DSA-44"]), "priv": b64e_str(bytes(size))}
    with pytest.raises(errors.InvalidKeyError, match="32-byte seed"):
        Key.import_key(data)


def test_priv_that_does_not_match_pub_is_refused(keys: dict[str, Key]) -> None:
    data = {**_jwk(keys["ML-DSA-44"]), "priv": b64e_str(b"\x01" * 32)}
    with pytest.raises(errors.InvalidKeyError, match="does not match"):
        Key.import_key(data)


@pytest.mark.parametrize("member", ["pub", "priv"])
@pytest.mark.parametrize("value", ["AAA=", "A+B/", 12, None, "has space"])
def test_members_must_be_strict_base64url(member: str, value: object, keys: dict[str, Key]) -> None:
    data = {**_jwk(keys["ML-DSA-44"]), member: value}
    with pytest.raises(errors.InvalidKeyError):
        Key.import_key(data)


def test_generate_needs_alg_and_refuses_size_and_crv() -> None:
    with pytest.raises(errors.InvalidKeyError, match="alg="):
        jwk.generate("AKP")
    with pytest.raises(errors.InvalidKeyError, match="alg ES256 needs an EC key, not AKP"):
        jwk.generate("AKP", alg="ES256")
    with pytest.raises(errors.InvalidKeyError):
        jwk.generate("AKP", alg="ML-DSA-44", size=256)
    with pytest.raises(errors.InvalidKeyError):
        jwk.generate("AKP", alg="ML-DSA-44", crv="P-256")


def test_generate_records_use(keys: dict[str, Key]) -> None:
    key = jwk.generate("AKP", alg="ML-DSA-44", use="sig")
    assert key.use == "sig"


def test_private_material_never_in_repr(keys: dict[str, Key]) -> None:
    key = keys["ML-DSA-44"]
    text = repr(key)
    assert _jwk(key)["priv"] not in text
    assert "AKP" in text


def test_key_set_selects_akp_keys_by_kid_and_alg(keys: dict[str, Key]) -> None:
    ec = jwk.generate("EC", crv="P-256", kid="ec").public()
    publics = [k.public() for k in keys.values()]
    key_set = KeySet([*publics, ec])
    assert key_set.get("k-ML-DSA-65").alg == "ML-DSA-65"
    assert key_set.find(alg="ML-DSA-87", kty="AKP") == [keys["ML-DSA-87"].public()]
    header = {"alg": "ML-DSA-44", "kid": "k-ML-DSA-44"}
    assert key_set.candidates(header, "verify") == [keys["ML-DSA-44"].public()]
    # The algorithm, not the key set, refuses a key for another alg (jwk.fitting_keys).
    mismatch = {"alg": "ML-DSA-44", "kid": "k-ML-DSA-65"}
    with pytest.raises(errors.KeyNotFoundError, match="ML-DSA-65"):
        jwk.fitting_keys(
            key_set,
            mismatch,
            "verify",
            lambda key: SIGNATURE_ALGORITHMS.lookup("ML-DSA-44").check_key(key, "verify"),
            "verify alg ML-DSA-44",
        )


def test_key_set_json_round_trip_with_akp(keys: dict[str, Key]) -> None:
    key_set = KeySet(k.public() for k in keys.values())
    again = KeySet.import_key_set(key_set.to_json())
    assert [k.thumbprint() for k in again] == [k.thumbprint() for k in key_set]


def test_key_set_skips_unknown_kty_and_unknown_akp_alg(keys: dict[str, Key]) -> None:
    akp = keys["ML-DSA-65"].public().to_dict()
    document = {
        "keys": [
            akp,
            {"kty": "FUTURE", "kid": "unknown", "x": "AAAA"},
            {"kty": "AKP", "alg": "SLH-DSA-SHAKE-256f", "kid": "later", "pub": "AAAA"},
        ]
    }
    key_set = KeySet.import_key_set(document)
    assert [k.kid for k in key_set] == ["k-ML-DSA-65"]
    assert key_set.get("k-ML-DSA-65").alg == "ML-DSA-65"


def test_key_set_with_an_invalid_akp_key_is_refused(keys: dict[str, Key]) -> None:
    bad = {**keys["ML-DSA-44"].public().to_dict(), "pub": b64e_str(bytes(10))}
    with pytest.raises(errors.InvalidKeyError, match="member 0"):
        KeySet.import_key_set({"keys": [bad]}, strict=True)
    (lazy,) = KeySet.import_key_set({"keys": [bad]})
    with pytest.raises(errors.InvalidKeyError, match="member 0"):
        lazy.public_crypto_key  # noqa: B018  (checked before the key is used)
