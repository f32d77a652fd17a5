"""The ``kty`` table: each key type josekit implements, one :class:`~._row.KeyType` row each.

Adding a key type is adding a module that defines its row and one entry here. The table
imports its rows; rows never import the table or :class:`~josekit.jwk.Key`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from ..errors import InvalidKeyError, JoseError, UnsupportedAlgorithmError
from . import _akp, _ec, _oct, _okp, _rsa
from ._row import KeyMaterial, KeyType

__all__ = ["CRYPTO_TYPES", "KEY_TYPES", "guarded", "is_unsupported", "material_from_crypto"]


def _unexpected(call: Callable[[Any], KeyMaterial], what: str) -> Callable[[Any], KeyMaterial]:
    @functools.wraps(call)
    def imported(data: Any) -> KeyMaterial:
        try:
            return call(data)
        except JoseError:
            raise
        except Exception as exc:  # whatever cryptography raises that no check foresaw
            # Its type and text only: cryptography's messages carry no key material.
            text = f"{type(exc).__name__}: {exc}"[:200]
            message = f"cannot import this {what}: cryptography refused it ({text})"
            raise InvalidKeyError(message) from None

    return imported


def guarded(row: KeyType) -> KeyType:
    """``row`` whose import entry points raise only :class:`~josekit.errors.JoseError`:
    anything else a key-type module lets escape (from ``cryptography``, on material no check
    foresaw) becomes an :class:`~josekit.errors.InvalidKeyError`."""
    from_crypto = row.from_crypto
    return replace(
        row,
        from_jwk=_unexpected(row.from_jwk, f"{row.kty} JWK"),
        from_crypto=None if from_crypto is None else _unexpected(from_crypto, f"{row.kty} key"),
    )


KEY_TYPES: Mapping[str, KeyType] = MappingProxyType(
    {
        row.kty: guarded(row)
        for row in (_rsa.KEY_TYPE, _ec.KEY_TYPE, _okp.KEY_TYPE, _oct.KEY_TYPE, _akp.KEY_TYPE)
    }
)
"""Every key type josekit implements, by ``kty`` (each row :func:`guarded`)."""

CRYPTO_TYPES: tuple[type, ...] = tuple(
    cls for row in KEY_TYPES.values() for cls in row.crypto_types
)
"""The ``cryptography`` key classes josekit imports as keys."""

# By name: reading ``dsa.DSAPrivateKey`` warns that DSA is deprecated (cryptography >= 51).
_UNSUPPORTED_NAMES = frozenset({"DSAPrivateKey", "DSAPublicKey"})


def is_unsupported(obj: object) -> bool:
    """True for a ``cryptography`` key of a kind that is no JOSE key type (DSA)."""
    return any(
        cls.__name__ in _UNSUPPORTED_NAMES and cls.__module__.startswith("cryptography.")
        for cls in type(obj).__mro__
    )


def material_from_crypto(obj: Any) -> KeyMaterial:
    """The material of a ``cryptography`` key object, by the row that owns its class.

    Raises:
        UnsupportedAlgorithmError: no key type takes that class (or its curve).
    """
    for row in KEY_TYPES.values():
        if row.from_crypto is not None and isinstance(obj, row.crypto_types):
            return row.from_crypto(obj)
    raise UnsupportedAlgorithmError(
        f"josekit does not support {type(obj).__name__} keys: use an RSA, EC (P-256, P-384, "
        "P-521, secp256k1), Ed25519, Ed448, X25519, X448 or ML-DSA key"
    )
