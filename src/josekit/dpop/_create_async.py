"""``create_proof_async``: a DPoP proof signed by a key that a remote backend holds."""

from __future__ import annotations

from functools import partial

from ..algorithms._bridge import offload
from ..jwk import Key
from ..jwt._claims import Instant
from ._proof import create_proof

__all__ = ["create_proof_async"]


async def create_proof_async(
    key: Key,
    method: str,
    url: str,
    *,
    alg: str | None = None,
    access_token: str | None = None,
    nonce: str | None = None,
    iat: Instant | None = None,
    jti: str | None = None,
) -> str:
    """:func:`create_proof` for event loops: same arguments, result and errors; ``key`` may
    be held by an async backend (:class:`~josekit.jwk.AsyncExternalPrivateKey`), awaited on
    this loop, or by a sync one (an HSM), called in a worker thread."""
    run = partial(
        create_proof,
        key,
        method,
        url,
        alg=alg,
        access_token=access_token,
        nonce=nonce,
        iat=iat,
        jti=jti,
    )
    return await offload(run, key)
