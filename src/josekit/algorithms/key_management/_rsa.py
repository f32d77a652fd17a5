"""Key encryption with RSA (RFC 7518 §4.2, §4.3): ``RSA1_5`` and the ``RSA-OAEP`` family."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from ...errors import DecryptionError, InvalidKeyError
from ...jwk import Key
from ...policy import Limits
from .._external import external_decrypt
from ..content import ContentEncryption
from ._base import HASHES, KeyManagement, Wrapped, check_cek, fail

__all__ = ["RsaEncryption", "oaep"]


@dataclass(frozen=True, slots=True)
class RsaEncryption(KeyManagement):
    name: str
    description: str
    padding: padding.AsymmetricPadding

    family: ClassVar[str] = "key encryption"
    key_types: ClassVar[frozenset[str]] = frozenset({"RSA"})
    encrypt_op: ClassVar[str] = "encrypt"
    decrypt_op: ClassVar[str] = "decrypt"
    min_key_bits: ClassVar[int] = 2048

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        if key.size < self.min_key_bits:
            raise InvalidKeyError(
                f"alg {self.name} needs an RSA key of at least {self.min_key_bits} bits; "
                f"this one has {key.size}"
            )

    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        assert cek is not None
        return cek, bytes(key.public_crypto_key.encrypt(cek, self.padding)), {}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        if isinstance(self.padding, padding.PKCS1v15):
            # RFC 7516 §11.5 (Bleichenbacher): never reveal whether the padding or the
            # length was wrong; go on with a random CEK so that decryption fails later,
            # exactly as with a wrong key.
            substitute = os.urandom(enc.key_size)
            try:
                cek = self._decrypt(key, encrypted_key)
            except (ValueError, DecryptionError):
                return substitute
            return bytes(cek) if len(cek) == enc.key_size else substitute
        try:
            cek = self._decrypt(key, encrypted_key)
        except ValueError:
            raise fail() from None
        return check_cek(bytes(cek), enc)

    def _decrypt(self, key: Key, encrypted_key: bytes) -> bytes:
        if key.external is not None:  # held by an HSM/KMS: it decrypts
            return external_decrypt(key, self.name, encrypted_key)
        return bytes(key.crypto_key.decrypt(encrypted_key, self.padding))


def oaep(name: str, bits: int | None) -> RsaEncryption:
    algo: hashes.HashAlgorithm = hashes.SHA1() if bits is None else HASHES[bits]()  # noqa: S303
    label = "SHA-1" if bits is None else f"SHA-{bits}"
    return RsaEncryption(
        name,
        f"RSAES OAEP using {label} and MGF1 with {label}",
        padding.OAEP(mgf=padding.MGF1(algo), algorithm=algo, label=None),
    )
