"""The result of a successful JWT decode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..jwk import Key

__all__ = ["NestedToken", "Token"]


@dataclass(frozen=True, slots=True)
class Token:
    """A JWT whose signature (or decryption) succeeded and whose claims passed validation.

    Attributes:
        claims: the JWT Claims Set, parsed once from the verified or decrypted bytes.
        header: the JOSE header that protected the claims: the JWS header of a signed JWT,
            the JWE header of an encrypted JWT, the inner JWS header of a nested JWT.
        key: the key that verified the signature or decrypted the token; ``None`` for an
            unsecured JWT.
    """

    claims: dict[str, Any]
    header: dict[str, Any]
    key: Key | None


@dataclass(frozen=True, slots=True)
class NestedToken(Token):
    """A nested JWT (signed, then encrypted): a :class:`Token` plus the outer JWE's details.

    Attributes:
        encryption_header: the header of the outer JWE (``cty`` is ``"JWT"``).
        decryption_key: the key that decrypted the outer JWE.
    """

    encryption_header: dict[str, Any]
    decryption_key: Key | None
