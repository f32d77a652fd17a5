"""The caching rules of a remote key set, without any I/O (shared by sync and async clients).

A :class:`CacheState` is immutable; each fetch attempt produces a new one with a higher
``generation``. The clients swap states under their lock, which gives single-flight fetching:
a caller that waited on the lock sees that the generation moved on and uses that result
instead of fetching again.

:class:`RemoteCache` holds everything a remote key set does except the I/O: its settings,
its state, the decision whether to fetch, and the lookups written as generators that yield
the generation they have seen whenever they need a fetch. ``RemoteKeySet`` and
``AsyncRemoteKeySet`` each hold one and add only the HTTP client, the lock, and a loop that
performs those fetches (blocking or awaited).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from ..errors import JoseError, JWKSFetchError, KeyNotFoundError
from ..jwk import Key, KeySet
from ..policy import DEFAULT_LIMITS, Limits
from ._documents import parse_key_set
from ._events import EventHandler, report
from ._http import (
    Fetched,
    FetchOptions,
    Seconds,
    as_fetch_error,
    check_url,
    duration,
    expect_status,
    fetch_options,
    ttl_from_headers,
)
from ._urls import redact_url

__all__ = ["CacheSettings", "CacheState", "FetchSteps", "RemoteCache", "check_client"]


@dataclass(frozen=True, slots=True)
class CacheSettings:
    """A remote key set's configuration, checked once at construction."""

    url: str
    fetch: FetchOptions
    cache_ttl: float
    max_cache_ttl: float
    cooldown: float
    stale_if_error: float
    limits: Limits
    strict: bool = False

    @classmethod
    def build(
        cls,
        url: str,
        *,
        timeout: Seconds,
        cache_ttl: Seconds,
        max_cache_ttl: Seconds,
        cooldown: Seconds,
        stale_if_error: Seconds,
        max_bytes: int,
        allow_http: bool,
        follow_redirects: bool,
        limits: Limits = DEFAULT_LIMITS,
        strict: bool = False,
    ) -> CacheSettings:
        """Check every option and return the settings (raises :class:`JoseError`)."""
        if not isinstance(limits, Limits):
            raise JoseError(f"limits must be a josekit Limits, not {type(limits).__name__}")
        fetch = fetch_options(timeout, max_bytes, allow_http, follow_redirects)
        settings = cls(
            url=check_url(url, fetch.allow_http),
            fetch=fetch,
            cache_ttl=duration(cache_ttl, "cache_ttl"),
            max_cache_ttl=duration(max_cache_ttl, "max_cache_ttl"),
            cooldown=duration(cooldown, "cooldown"),
            stale_if_error=duration(stale_if_error, "stale_if_error"),
            limits=limits,
            strict=bool(strict),
        )
        if settings.max_cache_ttl < settings.cooldown:
            raise JoseError(
                f"max_cache_ttl ({settings.max_cache_ttl:g} s) must not be shorter than the "
                f"cooldown ({settings.cooldown:g} s)"
            )
        return settings

    def ttl(self, headers: Mapping[str, str]) -> float:
        """Freshness of an answer: its max-age within ``[cooldown, max_cache_ttl]``."""
        return ttl_from_headers(headers, self.cache_ttl, self.cooldown, self.max_cache_ttl)


@dataclass(frozen=True, slots=True)
class CacheState:
    """What a remote key set knows at one moment. Times come from the key set's clock."""

    keys: KeySet | None = None
    etag: str | None = None
    fresh_until: float = -math.inf
    attempted_at: float | None = None
    error: JWKSFetchError | None = None
    generation: int = 0

    def needs_fetch(self, now: float, settings: CacheSettings) -> bool:
        """Cold or expired, and the cooldown since the last attempt is over."""
        return (self.keys is None or now >= self.fresh_until) and self.may_attempt(now, settings)

    def may_attempt(self, now: float, settings: CacheSettings) -> bool:
        """At most one fetch per cooldown, whatever triggers it."""
        return self.attempted_at is None or now - self.attempted_at >= settings.cooldown

    def succeeded(self, fetched: Fetched, now: float, settings: CacheSettings) -> CacheState:
        """The state after a 200 (new keys) or 304 (same keys, fresh again) answer."""
        keys = self.keys
        if fetched.status == 200 or keys is None:
            keys = parse_key_set(fetched, settings.limits, settings.strict)
        etag = fetched.headers.get("etag")
        return CacheState(
            keys=keys,
            etag=etag if etag else None,
            fresh_until=now + settings.ttl(fetched.headers),
            attempted_at=now,
            error=None,
            generation=self.generation + 1,
        )

    def failed(self, error: JWKSFetchError, now: float, settings: CacheSettings) -> CacheState:
        """The state after a failed attempt: the cached keys (if any) are kept."""
        return replace(self, attempted_at=now, error=error, generation=self.generation + 1)

    def stale_note(self, now: float, settings: CacheSettings) -> str:
        """What a failed refresh means for the cached keys, for the log ("" if none)."""
        if self.keys is not None and now < self.fresh_until + settings.stale_if_error:
            left = self.fresh_until + settings.stale_if_error - now
            return f"; the cached keys stay in use for up to {left:g} s"
        return ""

    def usable_keys(self, now: float, settings: CacheSettings) -> KeySet:
        """The keys to verify with now, or :class:`JWKSFetchError` if there are none.

        Fresh keys are always usable. Expired keys stay usable for ``stale_if_error`` seconds
        while refreshing fails (or waits for its cooldown after a failure).
        """
        if self.keys is not None:
            if now < self.fresh_until:
                return self.keys
            if now < self.fresh_until + settings.stale_if_error:
                return self.keys
        if self.error is not None:
            stale = " (the cached keys are too old to use)" if self.keys is not None else ""
            raise JWKSFetchError(f"{self.error}{stale}")
        raise JWKSFetchError(
            f"the keys from {redact_url(settings.url)} are not available (no fetch has "
            "succeeded yet)"
        )

    def select(
        self, keys: KeySet, header: Mapping[str, Any], operation: str, settings: CacheSettings
    ) -> Sequence[Key]:
        """The candidate keys, with the URL added to a :class:`KeyNotFoundError`."""
        try:
            return keys.candidates(header, operation)
        except KeyNotFoundError as exc:
            raise KeyNotFoundError(f"{exc} (JWK Set from {redact_url(settings.url)})") from None


ResultT = TypeVar("ResultT")

FetchSteps = Generator[int, CacheState, ResultT]
"""A lookup that yields the generation it has seen when it needs a fetch, and is sent the
state after that fetch (see :meth:`RemoteCache.fetch_plan`)."""


def check_client(client: object, client_type: type, hint: str) -> None:
    """Refuse a ``client`` of the wrong httpx type (``hint`` names the other key set)."""
    if client is not None and not isinstance(client, client_type):
        raise JoseError(
            f"client must be an httpx.{client_type.__name__}, not {type(client).__name__} ({hint})"
        )


class RemoteCache:
    """The I/O-free part of a remote key set: settings, cache state, and the lookup steps.

    The key set owns the HTTP client and the lock, and drives the steps: when one yields,
    it takes its lock, calls :meth:`fetch_plan`, performs the request if that returns a
    time, and hands the answer (or the :class:`JWKSFetchError`) to :meth:`record`.
    """

    __slots__ = ("clock", "settings", "state")

    def __init__(self, settings: CacheSettings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.clock = clock
        self.state = CacheState()

    def candidates_steps(
        self, header: Mapping[str, Any], operation: str
    ) -> FetchSteps[Sequence[Key]]:
        """Fetch when cold or expired; refetch once (cooldown permitting) on no match."""
        settings = self.settings
        now = self.clock()
        state = self.state
        if state.needs_fetch(now, settings):
            state = yield state.generation
        keys = state.usable_keys(now, settings)
        try:
            return state.select(keys, header, operation, settings)
        except KeyNotFoundError as exc:
            missing = exc
        refreshed = yield state.generation
        if refreshed is state:
            raise missing
        return refreshed.select(refreshed.usable_keys(now, settings), header, operation, settings)

    def cached_candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key] | None:
        """The candidate keys when the cache alone answers (fresh, with a matching key), else
        ``None``: the lookup proper (:meth:`candidates_steps`) may fetch, or fail."""
        state = self.state
        if state.keys is None or self.clock() >= state.fresh_until:
            return None
        try:
            return state.keys.candidates(header, operation)
        except KeyNotFoundError:
            return None

    def key_set_steps(self) -> FetchSteps[KeySet]:
        """The current keys, fetched first if the cache is cold or expired."""
        now = self.clock()
        state = self.state
        if state.needs_fetch(now, self.settings):
            state = yield state.generation
        return state.usable_keys(now, self.settings)

    def refreshed(self, state: CacheState) -> KeySet:
        """The keys after a forced fetch, or the error that fetch met."""
        if state.error is not None:
            raise JWKSFetchError(str(state.error))
        return state.usable_keys(self.clock(), self.settings)

    def fetch_plan(self, seen: int, force: bool) -> float | None:
        """The time of the fetch to make now, or None if the current state stands.

        None when another caller fetched since generation ``seen`` (single-flight) or the
        cooldown is not over; ``force`` overrides both. Call it under the key set's lock.
        """
        current = self.state
        if current.generation != seen and not force:
            return None
        now = self.clock()
        if not force and not current.may_attempt(now, self.settings):
            return None
        return now

    def discovered(self, url: str) -> None:
        """Use ``url`` (a checked ``jwks_uri``) from now on (under the key set's lock)."""
        self.settings = replace(self.settings, url=url)

    def report(
        self,
        handler: EventHandler | None,
        fetched: Fetched | None,
        duration: float,
        state: CacheState,
        now: float,
    ) -> None:
        """Log and report the JWK Set fetch that produced ``state`` (started at ``now``)."""
        error = state.error
        keys = len(state.keys) if state.keys is not None else None
        note = state.stale_note(now, self.settings) if error is not None else ""
        report(handler, "jwks", self.settings.url, fetched, duration, error, keys, note)

    def request_etag(self) -> str | None:
        """The ``ETag`` to revalidate with (only while keys are cached)."""
        return self.state.etag if self.state.keys is not None else None

    def record(self, outcome: Fetched | Exception, now: float) -> CacheState:
        """Store and return the state after a fetch started at ``now`` (under the lock).

        Every failure, whatever its type, is recorded as a failed attempt (so it counts
        against the cooldown) and kept as a :class:`JWKSFetchError` for the callers.
        """
        current = self.state
        settings = self.settings
        if isinstance(outcome, Exception):
            new = current.failed(as_fetch_error(outcome, settings.url), now, settings)
        else:
            try:
                new = current.succeeded(expect_status(outcome, (200, 304)), now, settings)
            except Exception as exc:  # any failure to read the answer is a failed attempt
                new = current.failed(as_fetch_error(exc, settings.url), now, settings)
        self.state = new
        return new
