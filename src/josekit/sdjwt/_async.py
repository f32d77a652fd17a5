"""The async twins of :func:`issue` and :func:`present`, for keys held by a remote backend.

An issuer key or a holder key may live in a KMS reached over the network
(:class:`~josekit.jwk.AsyncExternalPrivateKey`): these await it without blocking the event
loop, exactly as ``jws.sign_async`` does. With software keys they sign at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ..algorithms._bridge import offload
from ..jwk import Key
from ..jwt._claims import Instant
from ._format import COMPACT, Serialization
from ._issue import Decoys, issue
from ._present import Disclose, present

__all__ = ["issue_async", "present_async"]


async def issue_async(
    claims: Mapping[str, Any],
    key: Key,
    alg: str,
    *,
    holder_key: Key | None = None,
    decoys: Decoys = 0,
    sd_alg: str = "sha-256",
    header: Mapping[str, Any] | None = None,
    typ: str | None = None,
    serialization: Serialization = COMPACT,
) -> str:
    """:func:`issue` for event loops: same arguments, result and errors; ``key`` may be
    held by an async backend (a remote KMS), which is awaited on this loop."""
    run = partial(
        issue,
        claims,
        key,
        alg,
        holder_key=holder_key,
        decoys=decoys,
        sd_alg=sd_alg,
        header=header,
        typ=typ,
        serialization=serialization,
    )
    return await offload(run, key)


async def present_async(
    sd_jwt: str,
    disclose: Disclose,
    *,
    holder_key: Key | None = None,
    alg: str | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    iat: Instant | None = None,
) -> str:
    """:func:`present` for event loops: same arguments, result and errors; ``holder_key``
    may be held by an async backend (a wallet's remote KMS), awaited on this loop."""
    run = partial(
        present,
        sd_jwt,
        disclose,
        holder_key=holder_key,
        alg=alg,
        audience=audience,
        nonce=nonce,
        iat=iat,
    )
    return await offload(run, *([holder_key] if holder_key is not None else []))
