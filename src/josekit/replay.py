"""Replay caches: remember identifiers (a DPoP proof's ``jti``, a JWT's ``jti``) until they expire.

A replay cache has one operation, :meth:`ReplayCache.seen`: it records an identifier with the
time it may be forgotten and says, atomically, whether it was already there. ``True`` means a
replay.

>>> from josekit.replay import MemoryReplayCache
>>> cache = MemoryReplayCache(clock=lambda: 1000.0)
>>> cache.seen("proof-1", expires_at=1300.0)
False
>>> cache.seen("proof-1", expires_at=1300.0)
True

:class:`MemoryReplayCache` lives in one process: behind a load balancer each replica would
accept a proof once. Replicas share a :class:`RedisReplayCache` (``pip install
'josekit[redis]'``), which records with one ``SET key 1 NX EXAT <expires_at>``, never a read
followed by a write. The async twins (:class:`AsyncMemoryReplayCache`,
:class:`AsyncRedisReplayCache`) serve the async verification paths. When Redis cannot be
reached the cache raises :class:`~josekit.errors.ReplayCacheError` and the token is refused.
"""

from __future__ import annotations

import asyncio
import heapq
import inspect
import math
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from .errors import JoseError, ReplayCacheError

__all__ = [
    "AsyncMemoryReplayCache",
    "AsyncRedisReplayCache",
    "AsyncReplayCache",
    "MemoryReplayCache",
    "RedisReplayCache",
    "ReplayCache",
    "seen_async",
]

_MAX_ID_LENGTH = 512


@runtime_checkable
class ReplayCache(Protocol):
    """Anything that atomically records an identifier and says whether it was already there."""

    def seen(self, id: str, expires_at: float) -> bool:
        """Record ``id`` until ``expires_at`` (epoch seconds); ``True`` if it was there."""
        ...


@runtime_checkable
class AsyncReplayCache(Protocol):
    """The async twin of :class:`ReplayCache`."""

    async def seen(self, id: str, expires_at: float) -> bool:
        """Record ``id`` until ``expires_at``; ``True`` if it was already recorded."""
        ...


async def seen_async(cache: ReplayCache | AsyncReplayCache, id: str, expires_at: float) -> bool:
    """``cache.seen(id, expires_at)`` from async code, without blocking the event loop.

    An async cache is awaited; :class:`MemoryReplayCache` (no I/O) is called directly; any
    other sync cache (e.g. :class:`RedisReplayCache`) runs in a worker thread.
    """
    if inspect.iscoroutinefunction(cache.seen):
        return bool(await cache.seen(id, expires_at))
    if isinstance(cache, MemoryReplayCache):
        return cache.seen(id, expires_at)
    return bool(await asyncio.to_thread(cache.seen, id, expires_at))


def _check_id(id: object) -> str:
    if type(id) is not str or not id or len(id) > _MAX_ID_LENGTH:
        raise JoseError(
            f"a replay-cache id must be a non-empty string of at most {_MAX_ID_LENGTH} characters"
        )
    return id


def _check_expiry(expires_at: object) -> float:
    if (
        isinstance(expires_at, bool)
        or not isinstance(expires_at, (int, float))
        or not math.isfinite(expires_at)
    ):
        raise JoseError("expires_at must be a finite number of seconds since the epoch")
    return float(expires_at)


class MemoryReplayCache:
    """A bounded, thread-safe replay cache in this process's memory.

    Entries are forgotten once their ``expires_at`` has passed. When ``max_entries`` live
    entries are held, expired ones are dropped first, then those closest to expiry; size it
    above the number of identifiers accepted within the longest lifetime (a proof's window),
    since an entry dropped before it expires could be replayed.

    Args:
        max_entries: the most identifiers held at once.
        clock: the current time in seconds since the epoch (:func:`time.time` by default;
            pass a fixed clock in tests).
    """

    __slots__ = ("_clock", "_entries", "_heap", "_lock", "_max")

    def __init__(
        self, max_entries: int = 100_000, *, clock: Callable[[], float] = time.time
    ) -> None:
        if type(max_entries) is not int or max_entries < 1:
            raise JoseError(f"max_entries must be a positive int, not {max_entries!r}")
        self._max = max_entries
        self._clock = clock
        self._entries: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryReplayCache(max_entries={self._max}, entries={len(self._entries)})"

    def __len__(self) -> int:
        """The number of identifiers held (expired ones may still count until evicted)."""
        return len(self._entries)

    def seen(self, id: str, expires_at: float) -> bool:
        """Record ``id`` until ``expires_at``; ``True`` if it was already recorded and live.

        An ``expires_at`` already in the past records nothing (as Redis does with a past
        ``EXAT``): such an identifier is refused by its own time checks anyway.
        """
        key = _check_id(id)
        until = _check_expiry(expires_at)
        with self._lock:
            now = self._clock()
            known = self._entries.get(key)
            if known is not None and known > now:
                return True
            if until <= now:
                return False
            self._make_room(now)
            self._entries[key] = until
            heapq.heappush(self._heap, (until, key))
            return False

    def _make_room(self, now: float) -> None:
        """Drop expired entries, then the closest to expiry until one more fits."""
        heap, entries = self._heap, self._entries
        while heap and (heap[0][0] <= now or len(entries) >= self._max):
            until, key = heapq.heappop(heap)
            if entries.get(key) == until:
                del entries[key]


class AsyncMemoryReplayCache:
    """The async twin of :class:`MemoryReplayCache` (the same bounded in-process store)."""

    __slots__ = ("_cache",)

    def __init__(
        self, max_entries: int = 100_000, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._cache = MemoryReplayCache(max_entries, clock=clock)

    def __repr__(self) -> str:
        return f"Async{self._cache!r}"

    async def seen(self, id: str, expires_at: float) -> bool:
        """As :meth:`MemoryReplayCache.seen` (never blocks: no I/O)."""
        return self._cache.seen(id, expires_at)


def _import_redis() -> Any:
    try:
        import redis
        import redis.asyncio
    except ImportError as exc:
        raise ImportError(
            "josekit's Redis replay cache uses redis-py, which is not installed: "
            "pip install 'josekit[redis]'"
        ) from exc
    return redis


def _check_prefix(prefix: object) -> str:
    if type(prefix) is not str:
        raise JoseError(f"prefix must be a string, not {type(prefix).__name__}")
    return prefix


def _unreachable(exc: Exception) -> ReplayCacheError:
    # The exception text may carry the server address and credentials of a URL: never copy it.
    return ReplayCacheError(
        f"the Redis replay cache could not record the identifier ({type(exc).__name__}); "
        "the token is refused: check that the Redis server is reachable"
    )


def _set_args(prefix: str, id: str, expires_at: float) -> tuple[str, int]:
    return prefix + _check_id(id), math.ceil(_check_expiry(expires_at))


class RedisReplayCache:
    """A replay cache in Redis, shared by every replica that uses the same server and prefix.

    Each :meth:`seen` is one ``SET <prefix><id> 1 NX EXAT <expires_at>``: Redis records and
    answers atomically, and forgets the key at ``expires_at`` (rounded up to a whole second).

    Args:
        client_or_url: a ``redis.Redis`` client, or a ``redis://`` URL to build one from.
        prefix: prepended to every key, to share one Redis database between uses.
    """

    __slots__ = ("_client", "_prefix", "_redis")

    def __init__(self, client_or_url: Any, *, prefix: str = "josekit:") -> None:
        self._redis = _import_redis()
        self._prefix = _check_prefix(prefix)
        if isinstance(client_or_url, str):
            self._client = self._redis.Redis.from_url(client_or_url)
        else:
            self._client = client_or_url

    def __repr__(self) -> str:
        return f"RedisReplayCache(prefix={self._prefix!r})"

    def seen(self, id: str, expires_at: float) -> bool:
        """Record ``id`` until ``expires_at``; ``True`` if Redis already held it.

        Raises:
            ReplayCacheError: Redis could not be reached or refused the command.
        """
        key, at = _set_args(self._prefix, id, expires_at)
        try:
            created = self._client.set(key, b"1", nx=True, exat=at)
        except self._redis.RedisError as exc:
            raise _unreachable(exc) from None
        return not created


class AsyncRedisReplayCache:
    """The async twin of :class:`RedisReplayCache`, on ``redis.asyncio``.

    Args:
        client_or_url: a ``redis.asyncio.Redis`` client, or a ``redis://`` URL.
        prefix: prepended to every key.
    """

    __slots__ = ("_client", "_prefix", "_redis")

    def __init__(self, client_or_url: Any, *, prefix: str = "josekit:") -> None:
        self._redis = _import_redis()
        self._prefix = _check_prefix(prefix)
        if isinstance(client_or_url, str):
            self._client = self._redis.asyncio.Redis.from_url(client_or_url)
        else:
            self._client = client_or_url

    def __repr__(self) -> str:
        return f"AsyncRedisReplayCache(prefix={self._prefix!r})"

    async def seen(self, id: str, expires_at: float) -> bool:
        """Record ``id`` until ``expires_at``; ``True`` if Redis already held it.

        Raises:
            ReplayCacheError: Redis could not be reached or refused the command.
        """
        key, at = _set_args(self._prefix, id, expires_at)
        try:
            created = await self._client.set(key, b"1", nx=True, exat=at)
        except self._redis.RedisError as exc:
            raise _unreachable(exc) from None
        return not created
