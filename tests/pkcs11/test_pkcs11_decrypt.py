"""Decryption in a SoftHSM2 token: JWEs from josekit and jwcrypto for its public half."""

from __future__ import annotations

import json

import pytest
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk

from josekit import jwe, jwt
from josekit._b64 import b64d, b64e_str
from josekit.errors import DecryptionError, InvalidKeyError, UnsupportedAlgorithmError
from josekit.jwk import Key, generate
from josekit.pkcs11 import Pkcs11Token

_KEYS: dict[str, Key] = {}


def _enc_key(token: Pkcs11Token, kty: str) -> Key:
    if kty not in _KEYS:
        crv = "P-256" if kty == "EC" else None
        _KEYS[kty] = token.generate(kty, crv=crv, label=f"decrypt-{kty}", use="enc")
    return _KEYS[kty]


def _jwcrypto_jwe(key: Key, alg: str, plaintext: bytes) -> str:
    made = jwcrypto_jwe.JWE(
        plaintext, json.dumps({"alg": alg, "enc": "A256GCM"}), algs=[alg, "A256GCM"]
    )
    made.add_recipient(jwcrypto_jwk.JWK(**key.to_dict()))
    return str(made.serialize(compact=True))


def _tamper(compact: str, part: int) -> str:
    parts = compact.split(".")
    raw = bytearray(b64d(parts[part], "part"))
    raw[len(raw) // 2] ^= 0x01
    parts[part] = b64e_str(bytes(raw))
    return ".".join(parts)


CASES = [
    ("RSA", "RSA-OAEP"),
    ("RSA", "RSA1_5"),
    ("EC", "ECDH-ES"),
    ("EC", "ECDH-ES+A128KW"),
    ("EC", "ECDH-ES+A192KW"),
    ("EC", "ECDH-ES+A256KW"),
]


@pytest.mark.parametrize(("kty", "alg"), CASES)
def test_jwes_from_josekit_and_jwcrypto_decrypt_through_the_token(
    token: Pkcs11Token, kty: str, alg: str
) -> None:
    key = _enc_key(token, kty)
    published = Key.import_key(key.to_json())
    for compact in (
        jwe.encrypt(b"from josekit", published, alg=alg, enc="A256GCM"),
        _jwcrypto_jwe(key, alg, b"from josekit"),
    ):
        out = jwe.decrypt(compact, key, algorithms=[alg], encryptions=["A256GCM"])
        assert out.plaintext == b"from josekit"
        # the encrypted key (or the epk's derivation) and the ciphertext, each tampered
        for part in (1, 3) if alg != "ECDH-ES" else (3,):
            with pytest.raises(DecryptionError):
                jwe.decrypt(_tamper(compact, part), key, algorithms=[alg], encryptions=["A256GCM"])


def test_rsa_oaep_256_on_softhsm_is_unsupported_naming_the_mechanism(token: Pkcs11Token) -> None:
    # SoftHSM 2.6 does OAEP with SHA-1 only: SHA-256 must be refused, never run as SHA-1.
    key = _enc_key(token, "RSA")
    compact = jwe.encrypt(b"x", key.public(), alg="RSA-OAEP-256", enc="A256GCM")
    with pytest.raises(UnsupportedAlgorithmError, match="CKM_RSA_PKCS_OAEP with SHA-256"):
        jwe.decrypt(compact, key, algorithms=["RSA-OAEP-256"], encryptions=["A256GCM"])


def test_json_serialization_and_encrypted_and_nested_jwts(token: Pkcs11Token) -> None:
    key = _enc_key(token, "EC")
    general = jwe.encrypt_json(
        b"to many", [jwe.Recipient(key.public(), "ECDH-ES+A128KW")], "A128GCM"
    )
    assert jwe.decrypt_json(general, key, algorithms=["ECDH-ES+A128KW"]).plaintext == b"to many"
    encrypted = jwt.encode_encrypted({"sub": "e"}, key.public(), "ECDH-ES", "A256GCM")
    assert jwt.decode_encrypted(encrypted, key, algorithms=["ECDH-ES"]).claims["sub"] == "e"
    signer = generate("EC", crv="P-256")
    nested = jwt.encode_nested({"sub": "n"}, signer, "ES256", key.public(), "ECDH-ES", "A256GCM")
    out = jwt.decode_nested(
        nested, key, signer.public(), algorithms=["ECDH-ES"], signing_algorithms=["ES256"]
    )
    assert out.claims["sub"] == "n"


def test_a_signing_key_cannot_decrypt_and_checks_come_first(token: Pkcs11Token) -> None:
    signing = token.generate("RSA", label="decrypt-refused")  # use="sig"
    made = jwe.encrypt(
        b"x", Key.import_key({**signing.to_dict(), "use": "enc"}), alg="RSA-OAEP", enc="A256GCM"
    )
    with pytest.raises(InvalidKeyError, match="use 'sig'"):
        jwe.decrypt(made, signing, algorithms=["RSA-OAEP"])
