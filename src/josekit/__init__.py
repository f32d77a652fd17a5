"""josekit: the JOSE family for Python, secure by default.

JWS (signing), JWE (encryption), JWK and JWK Sets (keys), JWA (algorithms) and JWT (tokens),
built on pyca/cryptography.
"""

from __future__ import annotations

from . import errors, jwe, jwk, jws, jwt
from .jwk import Key, KeySet
from .policy import DEFAULT_LIMITS, Limits

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_LIMITS",
    "Key",
    "KeySet",
    "Limits",
    "__version__",
    "errors",
    "jwe",
    "jwk",
    "jws",
    "jwt",
]
