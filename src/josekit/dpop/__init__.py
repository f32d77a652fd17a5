"""DPoP, OAuth 2.0 Demonstrating Proof of Possession (RFC 9449).

A DPoP proof is a small JWT, signed by the client for one HTTP request, whose header carries
the client's public key; an access token bound to that key (``cnf.jkt``, see
:mod:`josekit.cnf`) is then useless to whoever steals it.

Client::

    import httpx
    from josekit import dpop, jwk

    key = jwk.generate("EC", crv="P-256")
    with httpx.Client(auth=dpop.DPoPAuth(key, access_token=token)) as client:
        client.get("https://api.example/items")

Server (``josekit.web.BearerVerifier(dpop="required")`` does this for web frameworks)::

    proof = dpop.verify_proof(request_dpop_header, method="GET",
                              url="https://api.example/items", algorithms=["ES256"],
                              access_token=token, nonce=issuer, replay=cache)
    cnf.check_confirmation(claims, key=proof.key)

:class:`DPoPAuth` needs httpx (``pip install 'josekit[remote]'``); it is imported only when
first used, so the server side works without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._create_async import create_proof_async
from ._htu import normalize_url
from ._nonce import NonceIssuer
from ._proof import (
    DPOP_TYP,
    MAX_JTI_LENGTH,
    MAX_PROOF_SIZE,
    DPoPProof,
    ExpectedNonce,
    access_token_hash,
    create_proof,
    verify_proof,
    verify_proof_async,
)

if TYPE_CHECKING:
    from ._client import DPoPAuth

__all__ = [
    "DPOP_TYP",
    "MAX_JTI_LENGTH",
    "MAX_PROOF_SIZE",
    "DPoPAuth",
    "DPoPProof",
    "ExpectedNonce",
    "NonceIssuer",
    "access_token_hash",
    "create_proof",
    "create_proof_async",
    "normalize_url",
    "verify_proof",
    "verify_proof_async",
]


def __getattr__(name: str) -> Any:
    if name == "DPoPAuth":
        try:
            from ._client import DPoPAuth
        except ImportError as exc:
            raise ImportError(
                "josekit.dpop.DPoPAuth is an httpx.Auth, and httpx is not installed: "
                "pip install 'josekit[remote]'"
            ) from exc
        return DPoPAuth
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
