"""The async twins of JWS signing, for keys held by an async backend (a remote KMS).

Each runs its sync twin unchanged (:mod:`josekit.algorithms._bridge`): every argument and
every check is the same, and only the backend call is awaited on the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from ..algorithms._bridge import offload
from ..jwk import Key
from ._common import Payload, Signer
from ._compact import sign
from ._json import sign_json

__all__ = ["sign_async", "sign_json_async"]


async def sign_async(
    payload: Payload,
    key: Key,
    alg: str,
    *,
    header: Mapping[str, Any] | None = None,
    detached: bool = False,
) -> str:
    """:func:`josekit.jws.sign` for event loops: same arguments, same result and errors.

    A key whose backend is an :class:`~josekit.jwk.AsyncExternalPrivateKey` is awaited on
    this loop; a sync backend (an HSM) runs in a worker thread, so it never stalls the loop;
    a software key signs at once.
    """
    run = partial(sign, payload, key, alg, header=header, detached=detached)
    return await offload(run, key)


async def sign_json_async(
    payload: Payload, signers: Sequence[Signer], *, flattened: bool = False, detached: bool = False
) -> dict[str, Any]:
    """:func:`josekit.jws.sign_json` for event loops, any signer's key held by a backend."""
    run = partial(sign_json, payload, signers, flattened=flattened, detached=detached)
    # What is not a list of Signers is refused by sign_json, at once.
    listed = isinstance(signers, Sequence) and not isinstance(signers, (str, bytes))
    keys = [s.key for s in signers if isinstance(s, Signer)] if listed else []
    return await offload(run, *keys)
