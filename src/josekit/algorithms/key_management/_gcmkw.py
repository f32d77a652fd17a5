"""Key wrapping with AES-GCM (RFC 7518 §4.7): ``A128GCMKW``, ``A192GCMKW``, ``A256GCMKW``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..._b64 import b64e_str
from ...jwk import Key
from ...policy import Limits
from ..content import ContentEncryption
from ._base import KeyManagement, Wrapped, check_kek, fail, header_bytes

__all__ = ["AesGcmKeyWrap"]


@dataclass(frozen=True, slots=True)
class AesGcmKeyWrap(KeyManagement):
    name: str
    description: str
    size: int

    family: ClassVar[str] = "key wrapping with AES-GCM"
    key_types: ClassVar[frozenset[str]] = frozenset({"oct"})
    encrypt_op: ClassVar[str] = "wrapKey"
    decrypt_op: ClassVar[str] = "unwrapKey"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        check_kek(self.name, key, self.size)

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
        iv = pinned.get("iv") or os.urandom(12)
        sealed = AESGCM(key.crypto_key).encrypt(iv, cek, b"")
        return cek, sealed[:-16], {"iv": b64e_str(iv), "tag": b64e_str(sealed[-16:])}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        iv = header_bytes(header, "iv")
        tag = header_bytes(header, "tag")
        if len(iv) != 12 or len(tag) != 16 or len(encrypted_key) != enc.key_size:
            raise fail()
        try:
            return AESGCM(key.crypto_key).decrypt(iv, encrypted_key + tag, b"")
        except InvalidTag:
            raise fail() from None
