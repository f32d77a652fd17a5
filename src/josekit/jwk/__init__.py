"""JSON Web Keys (RFC 7517) and JWK Sets: import, export, generation, thumbprints.

>>> from josekit import jwk
>>> key = jwk.generate("EC", crv="P-256", kid="k1")
>>> key.public().to_dict()["crv"]
'P-256'
"""

from __future__ import annotations

from ._embedded import EmbeddedJWK
from ._external import AsyncExternalPrivateKey, ExternalPrivateKey, external_key
from ._generate import generate
from ._key import KEY_OPS, Key, KeyData
from ._keyset import KeyResolver, KeySet, fitting_keys, resolve_keys

__all__ = [
    "KEY_OPS",
    "AsyncExternalPrivateKey",
    "EmbeddedJWK",
    "ExternalPrivateKey",
    "Key",
    "KeyData",
    "KeyResolver",
    "KeySet",
    "generate",
    "external_key",
    "import_key",
    "fitting_keys",
    "from_secret",
    "resolve_keys",
]

import_key = Key.import_key
"""Shorthand for :meth:`Key.import_key`."""
from_secret = Key.from_secret
"""Shorthand for :meth:`Key.from_secret`: a key from a shared secret (HS256, HS384, HS512)."""
