"""The ``kty`` table: each key type josekit implements, one :class:`~._row.KeyType` row each.

Adding a key type is adding a module that defines its row and one entry here. The table
imports its rows; rows never import the table or :class:`~josekit.jwk.Key`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from cryptography.hazmat.primitives.asymmetric import dsa

from ..errors import UnsupportedAlgorithmError
from . import _akp, _ec, _oct, _okp, _rsa
from ._row import KeyMaterial, KeyType

__all__ = ["CRYPTO_TYPES", "KEY_TYPES", "UNSUPPORTED_TYPES", "material_from_crypto"]

KEY_TYPES: Mapping[str, KeyType] = MappingProxyType(
    {
        row.kty: row
        for row in (_rsa.KEY_TYPE, _ec.KEY_TYPE, _okp.KEY_TYPE, _oct.KEY_TYPE, _akp.KEY_TYPE)
    }
)
"""Every key type josekit implements, by ``kty``."""

CRYPTO_TYPES: tuple[type, ...] = tuple(
    cls for row in KEY_TYPES.values() for cls in row.crypto_types
)
"""The ``cryptography`` key classes josekit imports as keys."""

UNSUPPORTED_TYPES: tuple[type, ...] = (dsa.DSAPrivateKey, dsa.DSAPublicKey)
"""Key classes of ``cryptography`` that are no JOSE key type."""


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
