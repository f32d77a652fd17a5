"""Direct encryption (RFC 7518 §4.5): ``dir``, the shared symmetric key is the CEK."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import InvalidKeyError
from ...jwk import Key
from ...policy import Limits
from ..content import ContentEncryption
from ._base import KeyManagement, Wrapped, check_cek, fail, key_label

__all__ = ["Direct"]


@dataclass(frozen=True, slots=True)
class Direct(KeyManagement):
    name: str
    description: str

    family: ClassVar[str] = "direct encryption"
    key_types: ClassVar[frozenset[str]] = frozenset({"oct"})
    direct: ClassVar[bool] = True
    encrypt_op: ClassVar[str] = "encrypt"
    decrypt_op: ClassVar[str] = "decrypt"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        if len(key.crypto_key) != enc.key_size:
            raise InvalidKeyError(
                f"alg dir with enc {enc.name} needs a {enc.key_size * 8}-bit key; "
                f"this one has {key.size} bits"
            )

    def _check_key_alg(self, key: Key, enc: ContentEncryption) -> None:
        # A direct key names either "dir" or the content encryption it is for (RFC 7520 §5.6).
        if key.alg is not None and key.alg not in (self.name, enc.name):
            raise InvalidKeyError(
                f"key {key_label(key)} is for alg {key.alg!r}, not dir with enc {enc.name}"
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
        return bytes(key.crypto_key), b"", {}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        if encrypted_key:
            raise fail()
        return check_cek(key.crypto_key, enc)

    def cipher(self, key: Key, enc: ContentEncryption) -> Any:
        # The CEK is the key's own bytes in every message: its cipher is prepared once.
        return key._derive(enc.name, enc.cipher)
