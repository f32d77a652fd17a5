"""The result of a successful JWT decode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._redact import redacted
from ..jwk import Key

__all__ = ["NestedToken", "Token", "UnsecuredToken"]

_SHOWN = ("header", "key", "claims")


@dataclass(frozen=True, slots=True, repr=False)
class Token:
    """A JWT whose signature (or decryption) succeeded and whose claims passed validation.

    Attributes:
        claims: the JWT Claims Set, parsed once from the verified or decrypted bytes.
        header: the JOSE header that protected the claims: the JWS header of a signed JWT,
            the JWE header of an encrypted JWT, the inner JWS header of a nested JWT.
        key: the key that verified the signature or decrypted the token.

    ``repr()`` and ``str()`` show the header, the key and the claim *names*, never a claim
    value.
    """

    claims: dict[str, Any]
    header: dict[str, Any]
    key: Key

    def __repr__(self) -> str:
        return redacted(self, _SHOWN)

    __str__ = __repr__


@dataclass(frozen=True, slots=True, repr=False)
class NestedToken(Token):
    """A nested JWT (signed, then encrypted): a :class:`Token` plus the outer JWE's details.

    Attributes:
        encryption_header: the header of the outer JWE (``cty`` is ``"JWT"``).
        decryption_key: the key that decrypted the outer JWE.
    """

    encryption_header: dict[str, Any]
    decryption_key: Key

    def __repr__(self) -> str:
        return redacted(self, (*_SHOWN, "encryption_header", "decryption_key"))

    __str__ = __repr__


@dataclass(frozen=True, slots=True, repr=False)
class UnsecuredToken:
    """An unsecured JWT (``alg: none``) read by :func:`~josekit.jwt.decode_unsecured`.

    Nothing verified its claims: anyone can have written them.

    Attributes:
        claims: the JWT Claims Set (validated as the caller asked, never verified).
        header: the JOSE header (``alg`` is ``"none"``).
        key: always ``None``: no key was involved.
    """

    claims: dict[str, Any]
    header: dict[str, Any]
    key: None = None

    def __repr__(self) -> str:
        return redacted(self, ("header", "claims"))

    __str__ = __repr__
