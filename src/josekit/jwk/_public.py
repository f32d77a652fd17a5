"""Public keys from places an attacker writes (a header ``jwk``, a ``cnf.jwk``).

Such a JWK is checked as a public asymmetric key from its members alone, *before* any
import: a private or secret member would otherwise cost its full import (an RSA private key
is checked for consistency, which for a large modulus takes seconds) only to be refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidKeyError, MalformedError, UnsupportedAlgorithmError
from ._key import Key
from ._kty import KEY_TYPES
from ._row import KeyType
from ._thumbprint import thumbprint_of

__all__ = ["import_public", "public_row", "public_thumbprint"]


def public_row(data: Mapping[str, Any], what: str) -> KeyType:
    """The ``kty`` row of ``data``, refusing a secret or private JWK before any import.

    Raises:
        InvalidKeyError: an ``oct`` key, a private member, or a required member missing or
            not a string.
        MalformedError: no ``kty`` string.
        UnsupportedAlgorithmError: a ``kty`` josekit does not implement.
    """
    kty = data.get("kty")
    if not isinstance(kty, str):
        raise MalformedError(f"{what} has no 'kty' string member")
    if kty == "oct":
        raise InvalidKeyError(f"{what} is a secret 'oct' key: it cannot be used")
    row = KEY_TYPES.get(kty)
    if row is None:
        raise UnsupportedAlgorithmError(
            f"{what} has kty {kty!r}, which josekit does not support ({sorted(KEY_TYPES)})"
        )
    private = [name for name in row.private if name in data]
    if private or "oth" in data:
        raise InvalidKeyError(
            f"{what} holds private key members ({', '.join(private or ['oth'])}): "
            "a token must carry public keys only"
        )
    for name in row.required:
        if not isinstance(data.get(name), str):
            raise InvalidKeyError(f"{what} must have the string member {name!r}")
    return row


def public_thumbprint(data: Mapping[str, Any], what: str) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public JWK, read from its members, never imported.

    The members are hashed as written: a JWK encoding an integer with a leading zero octet
    gets another thumbprint than the imported key's (which uses the canonical encoding).

    Raises:
        InvalidKeyError, MalformedError, UnsupportedAlgorithmError: as :func:`public_row`.
    """
    row = public_row(data, what)
    return thumbprint_of({name: data[name] for name in row.required}, "SHA-256")


def import_public(data: Mapping[str, Any], what: str) -> Key:
    """``data`` imported as a public asymmetric key, refused as such before any import.

    Raises:
        InvalidKeyError, MalformedError, UnsupportedAlgorithmError: as :func:`public_row`,
            or the key is invalid.
    """
    public_row(data, what)
    return Key.import_key(data)
