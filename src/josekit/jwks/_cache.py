"""The caching rules of a remote key set, without any I/O (shared by sync and async clients).

A :class:`CacheState` is immutable; each fetch attempt produces a new one with a higher
``generation``. The clients swap states under their lock, which gives single-flight fetching:
a caller that waited on the lock sees that the generation moved on and uses that result
instead of fetching again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import JoseError, JWKSFetchError, KeyNotFoundError
from ..jwk import Key, KeySet
from ..policy import DEFAULT_LIMITS, Limits
from ._http import (
    Fetched,
    FetchOptions,
    Seconds,
    check_url,
    duration,
    fetch_options,
    parse_key_set,
    ttl_from_headers,
)

__all__ = ["CacheSettings", "CacheState"]

_log = logging.getLogger("josekit.jwks")


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
            keys = parse_key_set(fetched, settings.limits)
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
        if self.keys is not None and now < self.fresh_until + settings.stale_if_error:
            _log.warning(
                "refreshing the JWK Set failed, the cached keys stay in use for up to %g s: %s",
                self.fresh_until + settings.stale_if_error - now,
                error,
            )
        else:
            _log.warning("fetching the JWK Set failed: %s", error)
        return replace(self, attempted_at=now, error=error, generation=self.generation + 1)

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
            f"the keys from {settings.url} are not available (no fetch has succeeded yet)"
        )

    def select(
        self, keys: KeySet, header: Mapping[str, Any], operation: str, settings: CacheSettings
    ) -> Sequence[Key]:
        """The candidate keys, with the URL added to a :class:`KeyNotFoundError`."""
        try:
            return keys.candidates(header, operation)
        except KeyNotFoundError as exc:
            raise KeyNotFoundError(f"{exc} (JWK Set from {settings.url})") from None
