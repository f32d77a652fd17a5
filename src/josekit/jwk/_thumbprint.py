"""RFC 7638 JWK thumbprints and RFC 9278 thumbprint URIs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from .._b64 import b64e_str
from .._json import dumps
from ..errors import UnsupportedAlgorithmError

__all__ = ["thumbprint_of", "thumbprint_uri"]

_HASHES = {"SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
_URI_NAMES = {"SHA-256": "sha-256", "SHA-384": "sha-384", "SHA-512": "sha-512"}


def thumbprint_of(members: Mapping[str, str], hash: str) -> str:
    """The base64url ``hash`` digest of ``members`` (a key's required members) as RFC 7638
    canonical JSON: sorted, no whitespace.

    Raises:
        UnsupportedAlgorithmError: ``hash`` is not SHA-256, SHA-384 or SHA-512.
    """
    name = _HASHES.get(hash)
    if name is None:
        raise UnsupportedAlgorithmError(
            f"unsupported thumbprint hash {hash!r}: use one of {sorted(_HASHES)}"
        )
    return b64e_str(hashlib.new(name, dumps(dict(sorted(members.items()))).encode()).digest())


def thumbprint_uri(thumbprint: str, hash: str) -> str:
    """The RFC 9278 URI of a ``hash`` thumbprint (``hash`` already checked)."""
    return f"urn:ietf:params:oauth:jwk-thumbprint:{_URI_NAMES[hash]}:{thumbprint}"
