"""Protect an HTTP API with access tokens: RFC 6750 bearer tokens, RFC 9728 metadata.

>>> from josekit import jwk, jwt
>>> from josekit.web import BearerVerifier
>>> key = jwk.generate("EC", crv="P-256", kid="k1")
>>> verifier = BearerVerifier(
...     key.public(), issuer="https://issuer.example", audience="https://api.example",
...     algorithms=["ES256"], profile="jwt",
... )
>>> claims = {"iss": "https://issuer.example", "aud": "https://api.example",
...           "sub": "alice", "scope": "read", "exp": 4102444800}
>>> principal = verifier.verify("Bearer " + jwt.encode(claims, key, "ES256"))
>>> principal.subject, sorted(principal.scopes)
('alice', ['read'])

:class:`BearerVerifier` holds every rule (header parsing, status codes, challenges, scopes);
the framework adapters in :mod:`josekit.integrations` only translate a request and a
:class:`~josekit.errors.BearerError` for their framework. This package needs no extra.
"""

from __future__ import annotations

from ._challenge import ERROR_CODES, REFUSALS, Refusal, challenge
from ._header import MAX_CREDENTIALS
from ._metadata import metadata_url, protected_resource_metadata
from ._principal import Principal
from ._verifier import BearerVerifier

__all__ = [
    "ERROR_CODES",
    "MAX_CREDENTIALS",
    "REFUSALS",
    "BearerVerifier",
    "Principal",
    "Refusal",
    "challenge",
    "metadata_url",
    "protected_resource_metadata",
]
