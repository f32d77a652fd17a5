"""Key wrapping with PBES2 (RFC 7518 §4.8): ``PBES2-HS256+A128KW`` and its siblings.

``p2c`` and ``p2s`` from a received header are checked before any key derivation.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

from ..._b64 import b64e_str
from ...errors import InvalidHeaderError, LimitExceededError
from ...jwk import Key
from ...policy import Limits
from ..content import ContentEncryption
from ._aeskw import unwrap_cek
from ._base import HASHES, KeyManagement, Wrapped, fail, header_bytes

__all__ = ["Pbes2"]

_SALT_SIZE = 16  # p2s generated on encrypt
_MIN_SALT = 8  # RFC 7518 §4.8.1.1


def _check_p2c(value: object, limits: Limits) -> int:
    """Validate a ``p2c`` from a header to decrypt: a positive int within ``limits.max_p2c``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidHeaderError("header parameter 'p2c' must be an integer")
    if value < 1:
        raise InvalidHeaderError("header parameter 'p2c' must be positive")
    if value > limits.max_p2c:
        raise LimitExceededError(
            f"PBES2 iteration count p2c={value} is above the limit of {limits.max_p2c}; "
            "raise Limits.max_p2c only if you trust the sender"
        )
    return value


@dataclass(frozen=True, slots=True)
class Pbes2(KeyManagement):
    name: str
    description: str
    sha: int
    size: int

    family: ClassVar[str] = "key wrapping with PBES2"
    key_types: ClassVar[frozenset[str]] = frozenset({"oct"})
    accepts_password: ClassVar[bool] = True
    encrypt_op: ClassVar[str] = "wrapKey"
    decrypt_op: ClassVar[str] = "unwrapKey"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        return  # any non-empty password (an empty 'oct' key cannot be imported)

    def _kek(self, password: bytes, salt: bytes, count: int) -> bytes:
        kdf = PBKDF2HMAC(
            HASHES[self.sha](), self.size, self.name.encode("ascii") + b"\x00" + salt, count
        )
        return kdf.derive(password)

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
        count = params.get("p2c", limits.default_p2c)
        if not isinstance(count, int) or isinstance(count, bool):
            raise InvalidHeaderError("header parameter 'p2c' must be an integer")
        if count < limits.min_p2c:
            raise InvalidHeaderError(
                f"PBES2 iteration count p2c={count} is below the minimum of {limits.min_p2c}"
            )
        if count > limits.max_p2c:
            raise InvalidHeaderError(
                f"PBES2 iteration count p2c={count} is above Limits.max_p2c={limits.max_p2c}: "
                "recipients would refuse the token"
            )
        salt = pinned.get("p2s") or os.urandom(_SALT_SIZE)
        kek = self._kek(key.crypto_key, salt, count)
        return cek, aes_key_wrap(kek, cek), {"p2s": b64e_str(salt), "p2c": count}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        # Both parameters are checked before any key derivation.
        if "p2c" not in header:
            raise InvalidHeaderError(f"alg {self.name} needs a 'p2c' header parameter")
        count = _check_p2c(header["p2c"], limits)
        salt = header_bytes(header, "p2s")
        if len(salt) < _MIN_SALT:
            raise InvalidHeaderError(f"header parameter 'p2s' must be at least {_MIN_SALT} bytes")
        if len(encrypted_key) != enc.key_size + 8:
            raise fail()
        return unwrap_cek(self._kek(key.crypto_key, salt, count), encrypted_key, enc)
