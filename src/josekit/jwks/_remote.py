"""RemoteKeySet: a JWK Set fetched over HTTPS, cached, and usable wherever a key set is."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..jwk import Key, KeySet
from ..policy import DEFAULT_LIMITS, Limits
from ._cache import CacheSettings, CacheState, FetchSteps, RemoteCache, ResultT, check_client
from ._discovery import Discovery, discover_sync
from ._events import EventHandler
from ._http import Seconds, fetch_options, fetch_sync, import_httpx
from ._urls import redact_url

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_CACHE_TTL",
    "DEFAULT_COOLDOWN",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CACHE_TTL",
    "DEFAULT_STALE_IF_ERROR",
    "DEFAULT_TIMEOUT",
    "RemoteKeySet",
]

DEFAULT_TIMEOUT = 5.0
"""Seconds one fetch may take in total (connect, headers and body)."""
DEFAULT_CACHE_TTL = 300.0
"""Seconds a fetched JWK Set stays fresh when the answer has no ``Cache-Control: max-age``."""
DEFAULT_MAX_CACHE_TTL = 86_400.0
"""Upper bound on a server's ``max-age``."""
DEFAULT_COOLDOWN = 30.0
"""Least number of seconds between two fetches, whatever triggers them."""
DEFAULT_STALE_IF_ERROR = 3_600.0
"""Seconds past expiry during which cached keys stay in use while refreshing fails."""
DEFAULT_MAX_BYTES = 512_000
"""Largest JWK Set document accepted, in bytes."""


class RemoteKeySet:
    """A JWK Set at an HTTPS URL, fetched on first use and cached: a key resolver.

    Pass it wherever josekit takes a key or a key set (``jws.verify``, ``jwt.decode``,
    ``jwe.decrypt``)::

        keys = RemoteKeySet("https://issuer.example/.well-known/jwks.json")
        token = jwt.decode(raw, keys, algorithms=["ES256"], issuer="https://issuer.example")

    Caching and refreshing:

    * The set is fetched on first use and stays fresh for the answer's ``Cache-Control:
      max-age`` (minus ``Age``), bounded to ``[cooldown, max_cache_ttl]``; without one, for
      ``cache_ttl``. Refreshes are conditional (``If-None-Match`` with the last ``ETag``).
    * A token whose ``kid`` is not in the cached set triggers one refetch, but there is at most
      one fetch per ``cooldown`` seconds, whatever triggers it: a stream of tokens with random
      ``kid`` values costs at most one request per cooldown, never one per token.
    * Concurrent callers share one fetch (a lock and single-flight): twenty threads starting
      at once make one request.
    * If a refresh fails, the cached keys stay in use for ``stale_if_error`` seconds past their
      expiry (a warning is logged on the ``josekit.jwks`` logger); after that, and when no
      fetch ever succeeded, :class:`~josekit.errors.JWKSFetchError` is raised.

    Safety:

    * HTTPS only; plain HTTP to loopback addresses (127.0.0.0/8, ::1, ``localhost``) only
      for the URL you configure (and the ``jwks_uri`` of a loopback issuer), or anywhere
      with ``allow_http=True``. Redirects are refused unless ``follow_redirects=True`` (then
      every hop must pass the same rule, and a redirect to another origin never gets the
      loopback exception). URLs from token headers (``jku``, ``x5u``) are never fetched: the
      URL comes from the caller only. A URL with credentials (``user:pass@``) is refused:
      authenticate through ``client=``. URLs in messages, logs and ``repr`` are redacted
      (no userinfo, query or fragment).
    * Each fetch has one overall deadline (``timeout`` seconds for the whole exchange, not
      per read); at the deadline the connection is shut down, so nothing stays behind. The
      body is streamed and cut at ``max_bytes``, compressed answers are refused, and the
      document must be strict JSON holding a JWK Set of public asymmetric keys with
      distinct ``kid`` values. Every failure, whatever its cause, raises
      ``JWKSFetchError`` and counts against the cooldown.
    * One member josekit cannot use (malformed, unsupported, or with invalid material) is
      skipped with a warning naming it (index and ``kid``) and the reason; the other keys
      keep working. Each key's material is read and fully checked on first use. A set with
      no usable key counts as a failed fetch (cached keys stay in use). ``strict=True``
      refuses the whole set for one invalid member instead.

    Args:
        url: the JWK Set URL (from configuration, never from a token).
        timeout: overall deadline of one fetch, in seconds (or a timedelta).
        cache_ttl: freshness when the server sends no ``max-age``.
        max_cache_ttl: highest freshness accepted from ``max-age``.
        cooldown: least time between two fetches (also the lowest freshness).
        stale_if_error: how long past expiry cached keys serve while refreshing fails.
        max_bytes: largest document accepted.
        allow_http: allow plain HTTP to non-loopback hosts (only on a trusted network).
        follow_redirects: follow up to 5 redirects, each checked like ``url``.
        client: an ``httpx.Client`` to use (proxies, custom CA...); it is not closed by
            :meth:`close`. By default the key set makes (and closes) its own.
        limits: limits applied to the document (``max_keys``, ``max_json_depth``).
        strict: refuse the whole set when one member is invalid (all keys imported at fetch).
        clock: monotonic seconds used for freshness and cooldown (injectable for tests).

    Raises:
        ImportError: httpx is not installed (``pip install 'josekit[remote]'``).
        JWKSFetchError: ``url`` is not an acceptable URL.
        JoseError: an option is out of range.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: Seconds = DEFAULT_TIMEOUT,
        cache_ttl: Seconds = DEFAULT_CACHE_TTL,
        max_cache_ttl: Seconds = DEFAULT_MAX_CACHE_TTL,
        cooldown: Seconds = DEFAULT_COOLDOWN,
        stale_if_error: Seconds = DEFAULT_STALE_IF_ERROR,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_http: bool = False,
        follow_redirects: bool = False,
        client: httpx.Client | None = None,
        limits: Limits = DEFAULT_LIMITS,
        strict: bool = False,
        on_event: EventHandler | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_client(client, import_httpx().Client, "AsyncRemoteKeySet takes an httpx.AsyncClient")
        settings = CacheSettings.build(
            url,
            timeout=timeout,
            cache_ttl=cache_ttl,
            max_cache_ttl=max_cache_ttl,
            cooldown=cooldown,
            stale_if_error=stale_if_error,
            max_bytes=max_bytes,
            allow_http=allow_http,
            follow_redirects=follow_redirects,
            limits=limits,
            strict=strict,
        )
        self._cache = RemoteCache(settings, clock)
        self._client: httpx.Client | None = client
        self._owns_client = client is None
        self._on_event = on_event
        self._discovery: Discovery | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_issuer(
        cls,
        issuer: str,
        *,
        well_known: str | None = None,
        timeout: Seconds = DEFAULT_TIMEOUT,
        cache_ttl: Seconds = DEFAULT_CACHE_TTL,
        max_cache_ttl: Seconds = DEFAULT_MAX_CACHE_TTL,
        cooldown: Seconds = DEFAULT_COOLDOWN,
        stale_if_error: Seconds = DEFAULT_STALE_IF_ERROR,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_http: bool = False,
        follow_redirects: bool = False,
        client: httpx.Client | None = None,
        limits: Limits = DEFAULT_LIMITS,
        strict: bool = False,
        on_event: EventHandler | None = None,
        clock: Callable[[], float] = time.monotonic,
        lazy: bool = False,
    ) -> RemoteKeySet:
        """The key set of an issuer, found through its metadata (fetched now).

        Reads OpenID Connect Discovery (``{issuer}/.well-known/openid-configuration``) and,
        if that is not found (404), RFC 8414 metadata
        (``/.well-known/oauth-authorization-server`` inserted before the issuer's path);
        ``well_known`` names one of the two to use only that one. The document's ``issuer``
        must equal ``issuer`` exactly, and its ``jwks_uri`` must pass the HTTPS rule. The
        other arguments are those of :class:`RemoteKeySet`.

        Raises:
            JWKSFetchError: the metadata could not be fetched, names another issuer, or has
                no acceptable ``jwks_uri``.
        """
        options: dict[str, Any] = {
            "timeout": timeout,
            "cache_ttl": cache_ttl,
            "max_cache_ttl": max_cache_ttl,
            "cooldown": cooldown,
            "stale_if_error": stale_if_error,
            "max_bytes": max_bytes,
            "allow_http": allow_http,
            "follow_redirects": follow_redirects,
            "client": client,
            "limits": limits,
            "strict": strict,
            "on_event": on_event,
            "clock": clock,
        }
        discovery = Discovery.build(issuer, well_known, allow_http, limits)
        if lazy:
            keys = cls(discovery.urls[0], **options)
            keys._discovery = discovery
            return keys
        fetch = fetch_options(timeout, max_bytes, allow_http, follow_redirects)
        discovery_client = client if client is not None else import_httpx().Client()
        try:
            jwks_uri = discover_sync(discovery_client, discovery, fetch, on_event)
        finally:
            if client is None:
                discovery_client.close()
        return cls(jwks_uri, **options)

    @property
    def url(self) -> str:
        """The JWK Set URL (for ``from_issuer(..., lazy=True)``, the first metadata URL
        until discovery has found the ``jwks_uri``)."""
        return self._cache.settings.url

    def __repr__(self) -> str:
        return f"RemoteKeySet({redact_url(self._cache.settings.url)!r})"

    # -- KeyResolver ---------------------------------------------------------------------

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """The keys that may process a token with this header (the KeyResolver protocol).

        Fetches when the cache is cold or expired; refetches once (cooldown permitting) when
        no cached key matches.

        Raises:
            KeyNotFoundError: no key matches, even after the refetch the cooldown allowed.
            JWKSFetchError: the set could not be fetched and no usable cached copy exists.
        """
        return self._run(self._cache.candidates_steps(header, operation))

    def key_set(self) -> KeySet:
        """The current keys, fetched first if the cache is cold or expired.

        Raises:
            JWKSFetchError: the set could not be fetched and no usable cached copy exists.
        """
        return self._run(self._cache.key_set_steps())

    def refresh(self) -> KeySet:
        """Fetch the set now, ignoring freshness and cooldown, and return it.

        Raises:
            JWKSFetchError: this fetch failed (the cached keys, if any, are kept).
        """
        return self._cache.refreshed(self._fetch(self._cache.state.generation, force=True))

    def _run(self, steps: FetchSteps[ResultT]) -> ResultT:
        """Drive a lookup, fetching each time it asks."""
        try:
            seen = next(steps)
            while True:
                seen = steps.send(self._fetch(seen))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    def _fetch(self, seen: int, *, force: bool = False) -> CacheState:
        """Fetch unless another caller already did since generation ``seen`` (single-flight).

        A key set from ``from_issuer(..., lazy=True)`` finds its ``jwks_uri`` first; a
        failure of that counts as a failed attempt too (cooldown, stale keys).
        """
        with self._lock:
            cache = self._cache
            now = cache.fetch_plan(seen, force)
            if now is None:
                return cache.state
            if self._discovery is not None:
                try:
                    found = discover_sync(
                        self._http(), self._discovery, cache.settings.fetch, self._on_event
                    )
                except Exception as exc:  # reported already; counts against the cooldown
                    return cache.record(exc, now)
                cache.discovered(found)
                self._discovery = None
            settings = cache.settings
            started = time.monotonic()
            fetched = None
            try:
                fetched = fetch_sync(
                    self._http(), settings.url, settings.fetch, cache.request_etag()
                )
                state = cache.record(fetched, now)
            except Exception as exc:  # every failure counts against the cooldown
                state = cache.record(exc, now)
            cache.report(self._on_event, fetched, time.monotonic() - started, state, now)
            return state

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = import_httpx().Client()
        return self._client

    # -- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP client this key set created (a client passed in stays open)."""
        with self._lock:
            if self._owns_client and self._client is not None:
                self._client.close()
                self._client = None

    def __enter__(self) -> RemoteKeySet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
