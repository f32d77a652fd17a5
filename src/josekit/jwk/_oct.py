"""Symmetric keys (``kty: "oct"``, RFC 7518 §6.4): a secret with no public form."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .._b64 import b64e_str
from ..errors import InvalidKeyError
from ._members import fail, member_bytes, reject_option
from ._row import KeyMaterial, KeyType

__all__ = ["KEY_TYPE"]


def _from_jwk(jwk: Mapping[str, Any]) -> KeyMaterial:
    secret = member_bytes(jwk, "k")
    if not secret:
        fail("'oct' key 'k' is empty")
    return _material(secret)


def _material(secret: bytes) -> KeyMaterial:
    return ("oct", None, {"kty": "oct"}, {"k": b64e_str(secret)}, secret, None, None, None)


def _generate(size: int | None, crv: str | None, alg: str | None) -> KeyMaterial:
    reject_option(crv, "crv", "oct")
    bits = 256 if size is None else size
    if bits < 128 or bits % 8:
        raise InvalidKeyError("'oct' keys must be at least 128 bits, a multiple of 8")
    return _material(os.urandom(bits // 8))


def _size(crypto: Any, crv: str | None, alg: str | None) -> int:
    return len(crypto) * 8


KEY_TYPE = KeyType(
    kty="oct",
    required=("k", "kty"),
    private=("k",),
    crypto_types=(),  # a secret is imported from a JWK, never from a key object
    from_jwk=_from_jwk,
    from_crypto=None,
    generate=_generate,
    size=_size,
)
"""The ``oct`` row of the ``kty`` table."""
