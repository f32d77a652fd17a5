"""RFC 7516 Appendix A, RFC 7518 Appendices B and C, RFC 8037 Appendix A.6."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import x25519

from josekit import Key, errors, jwe
from josekit._b64 import b64d, b64e_str
from josekit.algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT
from josekit.algorithms.key_management import ecdh_shared_secret
from josekit.jwe._compact import _encrypt
from josekit.jwe._json import _encrypt_json
from josekit.policy import DEFAULT_LIMITS

RFC = Path(__file__).resolve().parent.parent / "vectors" / "jwe" / "rfc"
A = json.loads((RFC / "rfc7516_appendix_a.json").read_text(encoding="utf-8"))
BC = json.loads((RFC / "rfc7518_rfc8037.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("section", ["A.1", "A.2", "A.3"])
def test_rfc7516_compact_examples_decrypt(section: str) -> None:
    vector = A[section]
    key = Key.import_key(vector["key"])
    result = jwe.decrypt(vector["compact"], key, algorithms=[vector["alg"]])
    assert result.plaintext == vector["plaintext"].encode()
    assert result.header == {"alg": vector["alg"], "enc": vector["enc"]}


@pytest.mark.parametrize("section", ["A.1", "A.2", "A.3"])
def test_rfc7516_compact_examples_are_reproduced(section: str) -> None:
    vector = A[section]
    key = Key.import_key(vector["key"])
    token = _encrypt(
        vector["plaintext"],
        key if key.kty == "oct" else key.public(),
        vector["alg"],
        vector["enc"],
        None,
        None,
        DEFAULT_LIMITS,
        _cek=b64d(vector["cek"]),
        _iv=b64d(vector["iv"]),
    )
    ours, theirs = token.split("."), vector["compact"].split(".")
    assert ours[0] == theirs[0]
    if vector["alg"] == "A128KW":  # RSA encryption is randomized
        assert ours[1] == theirs[1]
    assert ours[2:] == theirs[2:]


def test_rfc7516_a4_general_json_two_recipients() -> None:
    vector = A["A.4"]
    for recipient in vector["recipients"]:
        key = Key.import_key(recipient["key"])
        result = jwe.decrypt_json(vector["json"], key, algorithms=[recipient["alg"]])
        assert result.plaintext == vector["plaintext"].encode()
        assert result.header["kid"] == recipient["kid"]
        assert result.header["jku"] == "https://server.example.com/keys.jwks"
    ours = _encrypt_json(
        vector["plaintext"],
        [
            jwe.Recipient(
                Key.import_key(r["key"]),
                r["alg"],
                {"alg": r["alg"], "kid": r["kid"]},
            )
            for r in vector["recipients"]
        ],
        vector["enc"],
        None,
        {"jku": "https://server.example.com/keys.jwks"},
        None,
        None,
        False,
        DEFAULT_LIMITS,
        _cek=b64d(vector["cek"]),
        _iv=b64d(vector["iv"]),
    )
    published = vector["json"]
    assert ours["protected"] == published["protected"]
    assert ours["unprotected"] == published["unprotected"]
    assert ours["recipients"][1] == published["recipients"][1]
    assert ours["recipients"][0]["header"] == published["recipients"][0]["header"]
    for member in ("iv", "ciphertext", "tag"):
        assert ours[member] == published[member]


def test_rfc7516_a4_flattened_form_decrypts() -> None:
    vector = A["A.4"]
    published = vector["json"]
    flattened = {k: v for k, v in published.items() if k != "recipients"}
    flattened.update(published["recipients"][1])
    key = Key.import_key(vector["recipients"][1]["key"])
    assert (
        jwe.decrypt_json(flattened, key, algorithms=["A128KW"]).plaintext
        == b"Live long and prosper."
    )


@pytest.mark.parametrize("case", BC["rfc7518_appendix_b"], ids=lambda c: c["section"])
def test_rfc7518_appendix_b_aes_cbc_hmac_sha2(case: dict[str, Any]) -> None:
    ce = CONTENT_ENCRYPTION[case["enc"]]
    key, iv, aad = (bytes.fromhex(case[n]) for n in ("K", "IV", "A"))
    plaintext = bytes.fromhex(case["P"])
    ciphertext, tag = ce.encrypt(key, iv, plaintext, aad)
    assert ciphertext.hex() == case["E"]
    assert tag.hex() == case["T"]
    assert ce.decrypt(key, iv, ciphertext, tag, aad) == plaintext
    with pytest.raises(errors.DecryptionError):
        ce.decrypt(key, iv, ciphertext, tag[:-1] + bytes([tag[-1] ^ 1]), aad)


def test_rfc7518_appendix_c_ecdh_es() -> None:
    case = BC["rfc7518_appendix_c"]
    bob = Key.import_key(case["bob"])
    alice = Key.import_key(case["alice_ephemeral"])
    epk = alice.public().to_dict()
    assert ecdh_shared_secret(bob, epk) == bytes(case["Z"])
    # The whole key agreement: Alice encrypts to Bob with her ephemeral key pinned.
    token = _encrypt(
        b"hello",
        bob.public(),
        "ECDH-ES",
        case["enc"],
        {"apu": case["apu"], "apv": case["apv"]},
        None,
        DEFAULT_LIMITS,
        _pinned={"epk": alice},
    )
    result = jwe.decrypt(token, bob, algorithms=["ECDH-ES"])
    assert result.plaintext == b"hello"
    assert result.header["epk"] == epk
    km = KEY_MANAGEMENT["ECDH-ES"]
    cek = km.unwrap(bob, b"", result.header, CONTENT_ENCRYPTION[case["enc"]], DEFAULT_LIMITS)
    assert b64e_str(cek) == case["derived_key"]


def test_rfc8037_a6_x25519_ecdh_es() -> None:
    case = BC["rfc8037_appendix_a6"]
    bob = Key.import_key(
        x25519.X25519PrivateKey.from_private_bytes(bytes.fromhex(case["bob_secret"]))
    )
    assert bob.to_dict()["x"] == b64e_str(bytes.fromhex(case["bob_public"]))
    ephemeral = Key.import_key(
        x25519.X25519PrivateKey.from_private_bytes(bytes.fromhex(case["ephemeral_secret"]))
    )
    epk = {"kty": "OKP", "crv": "X25519", "x": b64e_str(bytes.fromhex(case["ephemeral_public"]))}
    assert ephemeral.public().to_dict() == epk
    assert ecdh_shared_secret(bob, epk).hex() == case["Z"]
    token = _encrypt(
        b"x",
        bob.public(),
        "ECDH-ES",
        "A128GCM",
        None,
        None,
        DEFAULT_LIMITS,
        _pinned={"epk": ephemeral},
    )
    result = jwe.decrypt(token, bob, algorithms=["ECDH-ES"])
    assert result.header["epk"] == epk
    assert result.plaintext == b"x"
