"""Disclosures (RFC 9901 §4.2): their strict decoding, their digests and the hash table."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Union

from cryptography.hazmat.primitives import hashes

from .._b64 import b64d, b64e_str
from .._json import dumps, loads
from ..errors import JoseError, SDJWTError
from ..policy import Limits

__all__ = [
    "ARRAY_ELEMENT",
    "DIGESTS",
    "ELLIPSIS",
    "HASHES",
    "SD_ALG",
    "Disclosure",
    "Path",
    "check_sd_algorithms",
    "decode_disclosure",
    "digest",
    "new_disclosure",
    "random_digest",
]

DIGESTS = "_sd"
"""The member holding an object's digests."""
ELLIPSIS = "..."
"""The member of an array element placeholder ``{"...": digest}``."""
SD_ALG = "_sd_alg"
"""The top-level member naming the hash algorithm."""
ARRAY_ELEMENT = None
"""The :attr:`Disclosure.name` of an array element disclosure."""

Path = tuple[Union[str, int], ...]
"""Where a claim sits: member names and array positions, from the top of the claims."""

HASHES: MappingProxyType[str, type[hashes.HashAlgorithm]] = MappingProxyType(
    {
        "sha-256": hashes.SHA256,
        "sha-384": hashes.SHA384,
        "sha-512": hashes.SHA512,
        "sha3-256": hashes.SHA3_256,
        "sha3-384": hashes.SHA3_384,
        "sha3-512": hashes.SHA3_512,
    }
)
"""The IANA Named Information hash names josekit computes, by name (RFC 9901 §4.1.1).

Truncated hashes (``sha-256-32`` ...) are deliberately absent: they make second preimages
cheap (RFC 9901 §9.4)."""

_RESERVED_NAMES = frozenset({DIGESTS, ELLIPSIS})
_SALT_BYTES = 16  # 128 bits, RFC 9901 §9.3


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One disclosure: what it reveals and where.

    Attributes:
        encoded: the base64url text exactly as it travels (the digest is taken over it).
        digest: the base64url digest of ``encoded`` under the SD-JWT's ``_sd_alg``.
        salt: the salt.
        name: the claim name, or ``None`` for an array element.
        value: the claim value (still holding the digests of nested disclosures).
        path: where the value lands in the processed claims, e.g. ``("address", "street")``
            or ``("nationalities", 1)``; empty until the disclosure has been placed.
    """

    encoded: str
    digest: str
    salt: str
    name: str | None
    value: Any
    path: Path = ()

    def __repr__(self) -> str:
        where = ".".join(str(step) for step in self.path) or "?"
        return f"Disclosure({self.name!r} at {where}, digest={self.digest!r})"


def _hash_of(sd_alg: str) -> type[hashes.HashAlgorithm]:
    try:
        return HASHES[sd_alg]
    except (KeyError, TypeError):
        raise SDJWTError(
            f"_sd_alg {sd_alg!r} is not a hash algorithm josekit supports "
            f"(supported: {', '.join(HASHES)})"
        ) from None


def digest(text: str, sd_alg: str) -> str:
    """The base64url digest of the ASCII text ``text`` under ``sd_alg``."""
    h = hashes.Hash(_hash_of(sd_alg)())
    h.update(text.encode("ascii"))
    return b64e_str(h.finalize())


def check_sd_algorithms(sd_algorithms: Collection[str]) -> frozenset[str]:
    """The caller's accepted ``_sd_alg`` values, checked: non-empty, all supported."""
    if isinstance(sd_algorithms, str) or not isinstance(sd_algorithms, Collection):
        raise JoseError(
            f"sd_algorithms must be a list of hash names such as ['sha-256'], not {sd_algorithms!r}"
        )
    if not sd_algorithms:
        raise JoseError("sd_algorithms must name at least one hash algorithm")
    for name in sd_algorithms:
        _hash_of(name)
    return frozenset(sd_algorithms)


def new_disclosure(name: str | None, value: Any, sd_alg: str) -> Disclosure:
    """A fresh disclosure with a 128-bit salt from the OS CSPRNG."""
    salt = b64e_str(secrets.token_bytes(_SALT_BYTES))
    contents = [salt, value] if name is None else [salt, name, value]
    encoded = b64e_str(dumps(contents).encode("utf-8"))
    return Disclosure(encoded, digest(encoded, sd_alg), salt, name, value)


def random_digest(sd_alg: str) -> str:
    """A decoy: the digest of random bytes, indistinguishable from a real digest."""
    return digest(b64e_str(secrets.token_bytes(_SALT_BYTES)), sd_alg)


def decode_disclosure(encoded: object, sd_alg: str, limits: Limits) -> Disclosure:
    """Decode one received disclosure strictly: base64url, UTF-8, JSON, then its shape.

    The digest is taken over ``encoded`` as received, never over a re-encoding.

    Raises:
        SDJWTError: not base64url JSON, not an array of 2 or 3 elements, a salt or claim name
            that is not a string, or a reserved claim name (``_sd``, ``...``).
    """
    if type(encoded) is not str or not encoded:
        raise SDJWTError(f"a disclosure must be a non-empty base64url string, not {encoded!r}")
    try:
        contents = loads(b64d(encoded, "disclosure"), "a disclosure", limits.max_json_depth)
    except JoseError as exc:
        raise SDJWTError(f"a disclosure is not base64url-encoded JSON: {exc}") from None
    if type(contents) is not list or len(contents) not in (2, 3):
        raise SDJWTError(
            "a disclosure must be a JSON array of 3 elements (salt, claim name, value) or of 2 "
            f"(salt, value) for an array element, not {_shape(contents)}"
        )
    salt = contents[0]
    if type(salt) is not str:
        raise SDJWTError(f"a disclosure's salt must be a string, not {type(salt).__name__}")
    if len(contents) == 2:
        return Disclosure(encoded, digest(encoded, sd_alg), salt, ARRAY_ELEMENT, contents[1])
    name = contents[1]
    if type(name) is not str:
        raise SDJWTError(f"a disclosure's claim name must be a string, not {_shape(name)}")
    if name in _RESERVED_NAMES:
        raise SDJWTError(
            f"a disclosure names the claim {name!r}, which is reserved for SD-JWT digests "
            "(RFC 9901 §4.2.1): the SD-JWT is refused"
        )
    return Disclosure(encoded, digest(encoded, sd_alg), salt, name, contents[2])


def _shape(value: object) -> str:
    if type(value) is list:
        return f"an array of {len(value)}"
    return "null" if value is None else type(value).__name__
