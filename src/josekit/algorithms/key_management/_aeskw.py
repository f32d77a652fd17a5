"""AES Key Wrap (RFC 7518 §4.4): ``A128KW``, ``A192KW``, ``A256KW``.

:func:`unwrap_cek` is also the last step of PBES2 and of ECDH-ES+A*KW.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from ...jwk import Key
from ...policy import Limits
from ..content import ContentEncryption
from ._base import KeyManagement, Wrapped, check_cek, check_kek, fail

__all__ = ["AesKeyWrap", "unwrap_cek"]


@dataclass(frozen=True, slots=True)
class AesKeyWrap(KeyManagement):
    name: str
    description: str
    size: int

    family: ClassVar[str] = "key wrapping"
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
        return cek, aes_key_wrap(key.crypto_key, cek), {}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        return unwrap_cek(key.crypto_key, encrypted_key, enc)


def unwrap_cek(kek: bytes, encrypted_key: bytes, enc: ContentEncryption) -> bytes:
    """Unwrap a CEK with the AES key ``kek``; every failure is the one decryption error."""
    if len(encrypted_key) != enc.key_size + 8:
        raise fail()
    try:
        return check_cek(aes_key_unwrap(kek, encrypted_key), enc)
    except (InvalidUnwrap, ValueError):
        raise fail() from None
