"""Opt-in use of the public key a JWS carries in its ``jwk`` header, pinned by thumbprint."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._b64 import b64d
from ..errors import InvalidKeyError, KeyNotFoundError, MalformedError
from ._key import Key
from ._public import public_thumbprint

__all__ = ["EmbeddedJWK"]

_SHA256_SIZE = 32


class EmbeddedJWK:
    """A key resolver that takes the verification key from the token's ``jwk`` header.

    Verifiers never look at a header ``jwk`` on their own: whoever signs a token can put any
    key there (CVE-2018-0114). This resolver is for protocols that carry the signer's key in
    the token (ACME, DPoP proofs, self-signed requests) and where the caller knows in advance
    which keys to accept: the header key is used only if its RFC 7638 SHA-256 thumbprint is
    one of ``thumbprints``, it is an asymmetric public key (no private members, not ``oct``),
    and it may verify (its ``use``, ``key_ops`` and ``alg`` are then checked as for any key).

    >>> from josekit import jwk, jws
    >>> signer = jwk.generate("EC", crv="P-256")
    >>> token = jws.sign(b"hi", signer, "ES256", header={"jwk": signer.public().to_dict()})
    >>> resolver = jwk.EmbeddedJWK(thumbprints=[signer.thumbprint()])
    >>> jws.verify(token, resolver, algorithms=["ES256"]).payload
    b'hi'
    """

    __slots__ = ("_thumbprints",)

    _thumbprints: frozenset[str]

    def __init__(self, *, thumbprints: Iterable[str]) -> None:
        """Accept header keys whose SHA-256 JWK thumbprint (base64url) is in ``thumbprints``.

        Raises:
            InvalidKeyError: ``thumbprints`` is empty, or one is not the base64url encoding
                of a SHA-256 digest (43 characters).
        """
        if isinstance(thumbprints, (str, bytes)):
            raise InvalidKeyError("thumbprints must be a collection of strings, not one string")
        pinned = frozenset(thumbprints)
        if not pinned:
            raise InvalidKeyError(
                "EmbeddedJWK needs at least one pinned thumbprint: without one, anybody's key "
                "would verify (use key.thumbprint() of each key you accept)"
            )
        for value in pinned:
            if not isinstance(value, str) or len(_decode(value)) != _SHA256_SIZE:
                raise InvalidKeyError(
                    f"{value!r} is not an RFC 7638 SHA-256 thumbprint: pass key.thumbprint() "
                    "values (base64url, 43 characters)"
                )
        object.__setattr__(self, "_thumbprints", pinned)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("EmbeddedJWK objects are immutable")

    def __repr__(self) -> str:
        return f"EmbeddedJWK(thumbprints={sorted(self._thumbprints)!r})"

    @property
    def thumbprints(self) -> frozenset[str]:
        """The pinned SHA-256 thumbprints."""
        return self._thumbprints

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """The header's ``jwk`` as the only candidate, if it is pinned and fit to verify.

        Raises:
            KeyNotFoundError: the header has no ``jwk``, its key is not pinned, or the
                operation is not ``verify``.
            InvalidKeyError: the header ``jwk`` is not a valid asymmetric public key.
        """
        if operation != "verify":
            raise KeyNotFoundError(
                f"EmbeddedJWK only supplies keys to verify signatures, not to {operation}"
            )
        if "jwk" not in header:
            raise KeyNotFoundError("the token header has no 'jwk' for EmbeddedJWK to use")
        data = header["jwk"]
        if not isinstance(data, Mapping):
            raise InvalidKeyError("the header 'jwk' must be a JSON object")
        # Refused and matched from the members alone: nothing is imported for a key that is
        # private, secret or not pinned (an RSA private key costs seconds to import).
        thumbprint = public_thumbprint(data, "the header 'jwk'")
        if thumbprint not in self._thumbprints:
            raise KeyNotFoundError(
                f"the header 'jwk' (thumbprint {thumbprint}) is not one of the pinned thumbprints"
            )
        key = Key.import_key(data)
        if key.thumbprint("SHA-256") not in self._thumbprints:
            raise KeyNotFoundError(
                "the header 'jwk' encodes its members non-canonically: its key is not one of "
                "the pinned thumbprints"
            )
        return (key,)


def _decode(value: str) -> bytes:
    try:
        return b64d(value, "thumbprint")
    except MalformedError:
        return b""
