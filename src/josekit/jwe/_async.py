"""The async twins of JWE decryption, for keys held by an async backend (a remote KMS).

Each runs its sync twin unchanged (:mod:`josekit.algorithms._bridge`): every argument and
every check is the same, every failure after parsing the same one
:class:`~josekit.errors.DecryptionError`; only the backend call is awaited on the loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from ..algorithms._bridge import offload
from ..policy import DEFAULT_LIMITS, Limits
from ._common import DecryptedJWE, KeySource
from ._compact import decrypt
from ._json import decrypt_json

__all__ = ["decrypt_async", "decrypt_json_async"]


async def decrypt_async(
    token: str | bytes,
    key_or_keyset: KeySource,
    *,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None = None,
    crit: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> DecryptedJWE:
    """:func:`josekit.jwe.decrypt` for event loops: same arguments, same result and errors.

    A key (or a key in the key set) whose backend is an
    :class:`~josekit.jwk.AsyncExternalPrivateKey` is awaited on this loop; a sync backend
    and any other resolver run in a worker thread; software keys decrypt at once.
    """
    run = partial(
        decrypt,
        token,
        key_or_keyset,
        algorithms=algorithms,
        encryptions=encryptions,
        crit=crit,
        limits=limits,
    )
    return await offload(run, key_or_keyset)


async def decrypt_json_async(
    obj_or_str: Mapping[str, Any] | str | bytes,
    key_or_keyset: KeySource,
    *,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None = None,
    crit: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> DecryptedJWE:
    """:func:`josekit.jwe.decrypt_json` for event loops, keys held by any backend."""
    run = partial(
        decrypt_json,
        obj_or_str,
        key_or_keyset,
        algorithms=algorithms,
        encryptions=encryptions,
        crit=crit,
        limits=limits,
    )
    return await offload(run, key_or_keyset)
