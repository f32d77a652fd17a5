"""The keys awaited for one token, as a sync resolver: :func:`prefetch_keys`.

Below both ``jwks._async`` and ``jwt._async``, which use it: it imports neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._header import parse_protected
from ..errors import JoseError, KeyNotFoundError, LimitExceededError, MalformedError
from ..jwk import Key, KeyResolver
from ..policy import DEFAULT_LIMITS, Limits
from ._cache import RemoteCache

if TYPE_CHECKING:
    from ._async import AsyncKeySource

__all__ = ["PrefetchedKeys", "cached_keys", "compact_header", "prefetch_keys", "prefetched"]


class PrefetchedKeys:
    """A sync resolver holding the keys awaited for one token header."""

    __slots__ = ("_header", "_keys", "_operation")

    def __init__(self, header: Mapping[str, Any], operation: str, keys: Sequence[Key]) -> None:
        self._header = (header.get("kid"), header.get("alg"))
        self._operation = operation
        self._keys = tuple(keys)

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        if (header.get("kid"), header.get("alg")) != self._header or operation != self._operation:
            raise KeyNotFoundError(
                "these keys were prefetched for another token header: call prefetch_keys() "
                "with the token being verified"
            )
        return self._keys

    @property
    def keys(self) -> tuple[Key, ...]:
        """The keys awaited."""
        return self._keys

    def __repr__(self) -> str:
        return f"<prefetched keys {[k.kid for k in self._keys]!r}>"


def compact_header(token: str | bytes, limits: Limits) -> tuple[dict[str, Any], str]:
    """The protected header of a compact JWS (operation ``verify``) or JWE (``decrypt``)."""
    if isinstance(token, (bytes, bytearray)):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedError("a compact token must be ASCII text") from None
    if not isinstance(token, str):
        raise MalformedError(f"token must be a str, not {type(token).__name__}")
    if len(token) > limits.max_token_size:
        raise LimitExceededError(f"the token is larger than the limit of {limits.max_token_size}")
    dots = token.count(".")
    if dots not in (2, 4):
        raise MalformedError(
            "prefetch_keys() takes a compact JWS (three parts) or JWE (five parts); for a JSON "
            "serialization, await keys.candidates_async(header, operation) for each signature "
            "or recipient"
        )
    return parse_protected(token[: token.index(".")], limits), "verify" if dots == 2 else "decrypt"


async def prefetch_keys(
    token: str | bytes, keys: AsyncKeySource, *, limits: Limits = DEFAULT_LIMITS
) -> KeyResolver:
    """Await the candidate keys for a compact token; return a sync resolver holding them.

    The result can be passed to any synchronous josekit function that takes a key set, for
    this token only: ``jwt.decode(token, await prefetch_keys(token, keys), ...)``. The
    header is only read to find keys here; the sync function checks everything again.

    Raises:
        MalformedError, LimitExceededError: the token is not a compact JWS/JWE within limits.
        KeyNotFoundError: no key matches the header.
        JWKSFetchError: the keys could not be fetched.
    """
    return await prefetched(token, keys, limits)


async def prefetched(token: str | bytes, keys: AsyncKeySource, limits: Limits) -> PrefetchedKeys:
    """:func:`prefetch_keys`, typed as what it returns (for the async decoders)."""
    header, operation = compact_header(token, limits)
    # Method lookups, not isinstance() with the runtime-checkable Protocols (~10 µs each,
    # about a tenth of a verification); the test is the same.
    awaited = getattr(keys, "candidates_async", None)
    looked_up = getattr(keys, "candidates", None)
    if callable(awaited):
        found = await awaited(header, operation)
    elif isinstance(keys, Key):
        found = (keys,)
    elif callable(looked_up):
        found = looked_up(header, operation)
    else:
        raise JoseError(
            f"expected an AsyncRemoteKeySet, another key resolver or a Key, not "
            f"{type(keys).__name__}"
        )
    return PrefetchedKeys(header, operation, found)


def cached_keys(token: str, keys: object, limits: Limits) -> PrefetchedKeys | None:
    """The keys a remote key set (sync or async) holds for a compact token in its fresh
    cache, found with no fetch, no await and no thread; ``None`` when finding them may
    fetch (or fail), when the token is unreadable, or for any other key source."""
    cache = getattr(keys, "_cache", None)
    if not isinstance(cache, RemoteCache):
        return None
    try:
        header, operation = compact_header(token, limits)
    except JoseError:
        return None
    found = cache.cached_candidates(header, operation)
    return None if found is None else PrefetchedKeys(header, operation, found)
