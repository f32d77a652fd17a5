"""The external-key seam (``jwk.external_key``) with a software backend standing in for a KMS."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from josekit import jwe, jws, jwt
from josekit.errors import (
    AlgorithmNotAllowedError,
    DecryptionError,
    InvalidKeyError,
    KeyBackendError,
    UnsupportedAlgorithmError,
)
from josekit.jwk import ExternalPrivateKey, Key, external_key


class SoftBackend:
    """A private key behind the protocol, counting calls (a stand-in for a remote KMS)."""

    def __init__(self, private: Any) -> None:
        self.private = private
        self.calls: list[str] = []
        self.fail_with: Exception | None = None
        self.tamper = False

    def __repr__(self) -> str:
        return "SoftBackend(label='test-key')"

    def _start(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_with is not None:
            raise self.fail_with

    def sign(self, alg: str, data: bytes) -> bytes:
        self._start("sign")
        if isinstance(self.private, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(self.private.sign(data, ec.ECDSA(hashes.SHA256())))
            out = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        else:
            out = self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())
        # Flip a bit: setting the first octet to 0 left 1 signature in 256 unchanged.
        return bytes([out[0] ^ 1]) + out[1:] if self.tamper else out

    def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
        self._start("decrypt")
        if alg != "RSA-OAEP-256":
            raise UnsupportedAlgorithmError(f"SoftBackend does not do {alg}")
        sha = hashes.SHA256()
        return bytes(
            self.private.decrypt(encrypted_key, padding.OAEP(padding.MGF1(sha), sha, None))
        )

    def exchange(self, alg: str, peer: Any) -> bytes:
        self._start("exchange")
        return bytes(self.private.exchange(ec.ECDH(), peer))


@pytest.fixture(scope="module")
def rsa_private() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


def _external(private: Any, **meta: Any) -> tuple[Key, SoftBackend]:
    backend = SoftBackend(private)
    public = Key.import_key(private.public_key(), **meta)
    return external_key(public, backend), backend


def test_signs_through_the_backend_and_verifies_with_the_public_half() -> None:
    key, backend = _external(ec.generate_private_key(ec.SECP256R1()), kid="kms-1")
    token = jwt.encode({"sub": "alice"}, key, "ES256")
    assert backend.calls == ["sign"]
    assert jwt.decode(token, key.public(), algorithms=["ES256"]).claims["sub"] == "alice"
    general = jws.sign_json(b"payload", [jws.Signer(key, "ES256")])
    assert jws.verify_json(general, key.public(), algorithms=["ES256"]).payload == b"payload"


def test_private_half_cannot_be_read_or_exported(rsa_private: rsa.RSAPrivateKey) -> None:
    key, _ = _external(rsa_private, kid="kms-2")
    assert key.is_private
    assert isinstance(key.external, ExternalPrivateKey)
    for read in (
        lambda: key.to_dict(private=True),
        lambda: key.to_pem(private=True),
        lambda: key.crypto_key,
        lambda: pickle.dumps(key),
        lambda: Key.import_key(key, kid="other"),
    ):
        with pytest.raises(InvalidKeyError, match="held by SoftBackend"):
            read()
    assert "d" not in key.to_dict()
    assert key.public().to_dict() == key.to_dict()
    assert "SoftBackend(label='test-key')" in repr(key)
    pem = key.to_pem()
    assert serialization.load_pem_public_key(pem.encode()).public_numbers() == (
        rsa_private.public_key().public_numbers()
    )


def test_checks_run_before_the_backend_is_called(rsa_private: rsa.RSAPrivateKey) -> None:
    key, backend = _external(rsa_private, use="enc")
    with pytest.raises(InvalidKeyError, match="use 'enc'"):
        jws.sign(b"x", key, alg="RS256")
    with pytest.raises(InvalidKeyError):
        jws.sign(b"x", key, alg="ES256")  # wrong key type for the alg
    token = jwe.encrypt(b"secret", key.public(), alg="RSA-OAEP-256", enc="A128GCM")
    with pytest.raises(AlgorithmNotAllowedError):
        jwe.decrypt(token, key, algorithms=["RSA-OAEP"])
    assert backend.calls == []
    assert jwe.decrypt(token, key, algorithms=["RSA-OAEP-256"]).plaintext == b"secret"
    assert backend.calls == ["decrypt"]


def test_a_failing_backend_is_a_jose_error(rsa_private: rsa.RSAPrivateKey) -> None:
    key, backend = _external(rsa_private)
    backend.fail_with = ConnectionError("kms unreachable, token=abc")
    with pytest.raises(KeyBackendError, match=r"SoftBackend.*failed to sign with RS256") as info:
        jws.sign(b"x", key, alg="RS256")
    assert "abc" not in str(info.value)
    token = jwe.encrypt(b"secret", key.public(), alg="RSA-OAEP-256", enc="A128GCM")
    with pytest.raises(DecryptionError):
        jwe.decrypt(token, key, algorithms=["RSA-OAEP-256"])


def test_a_signature_that_does_not_verify_never_leaves(rsa_private: rsa.RSAPrivateKey) -> None:
    key, backend = _external(rsa_private)
    backend.tamper = True
    with pytest.raises(KeyBackendError, match="does not verify"):
        jws.sign(b"x", key, alg="RS256")


def test_unsupported_operation_is_reported_not_hidden(rsa_private: rsa.RSAPrivateKey) -> None:
    key, _ = _external(rsa_private)
    token = jwe.encrypt(b"secret", key.public(), alg="RSA-OAEP", enc="A128GCM")
    with pytest.raises(UnsupportedAlgorithmError, match="RSA-OAEP"):
        jwe.decrypt(token, key, algorithms=["RSA-OAEP"])


def test_rsa1_5_backend_failure_is_the_uniform_decryption_error(
    rsa_private: rsa.RSAPrivateKey,
) -> None:
    key, backend = _external(rsa_private)
    token = jwe.encrypt(b"secret", key.public(), alg="RSA1_5", enc="A128GCM")
    backend.fail_with = ValueError("padding check failed")
    with pytest.raises(DecryptionError) as info:
        jwe.decrypt(token, key, algorithms=["RSA1_5"])
    assert "padding" not in str(info.value)


def test_ecdh_through_the_backend() -> None:
    key, backend = _external(ec.generate_private_key(ec.SECP256R1()))
    for alg in ("ECDH-ES", "ECDH-ES+A128KW"):
        token = jwt.encode_encrypted({"sub": "bob"}, key.public(), alg, "A256GCM")
        claims = jwt.decode_encrypted(token, key, algorithms=[alg], encryptions=["A256GCM"])
        assert claims.claims["sub"] == "bob"
    assert backend.calls == ["exchange", "exchange"]
    token = jwe.encrypt(b"x", key.public(), alg="ECDH-ES", enc="A256GCM")
    backend.fail_with = RuntimeError("derive failed")
    with pytest.raises(DecryptionError):
        jwe.decrypt(token, key, algorithms=["ECDH-ES"], encryptions=["A256GCM"])


def test_external_key_refuses_private_or_symmetric_halves_and_non_backends(
    rsa_private: rsa.RSAPrivateKey,
) -> None:
    backend = SoftBackend(rsa_private)
    with pytest.raises(InvalidKeyError, match="public half"):
        external_key(Key.import_key(rsa_private), backend)
    with pytest.raises(InvalidKeyError, match="public half"):
        external_key({"kty": "oct", "k": "AAAAAAAAAAAAAAAAAAAAAA"}, backend)
    with pytest.raises(InvalidKeyError, match="does not implement"):
        external_key(Key.import_key(rsa_private.public_key()), object())  # type: ignore[arg-type]


def test_key_ops_become_private_operations(rsa_private: rsa.RSAPrivateKey) -> None:
    public = Key.import_key(
        {**Key.import_key(rsa_private.public_key()).to_dict(), "key_ops": ["verify"]}
    )
    key = external_key(public, SoftBackend(rsa_private))
    assert key.key_ops == frozenset({"sign"})
    assert (
        jws.verify(jws.sign(b"x", key, alg="RS256"), public, algorithms=["RS256"]).payload == b"x"
    )
    assert key.public().to_dict()["key_ops"] == ["verify"]
