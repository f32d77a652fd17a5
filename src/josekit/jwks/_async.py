"""AsyncRemoteKeySet and async verification for event loops (ASGI applications).

josekit's verify/decrypt/decode functions are synchronous: the cryptography is CPU work that
takes microseconds, and only the key lookup may need the network. So the async path splits
the two: first the candidate keys are awaited (:func:`prefetch_keys` parses the token's
header and awaits ``source.candidates_async(header, operation)``), then the ordinary sync
function runs with exactly those keys. :func:`verify_async`, :func:`decode_jwt_async` and
:func:`decrypt_async` do both steps::

    keys = AsyncRemoteKeySet("https://issuer.example/.well-known/jwks.json")

    async def handler(request):
        token = await decode_jwt_async(raw, keys, algorithms=["ES256"], issuer=ISSUER)

Any other sync function (``jwt.decode_access_token``, ``jws.verify`` with ``crit``...) takes
the resolver that :func:`prefetch_keys` returns.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Union, runtime_checkable

from ..algorithms._bridge import offload
from ..errors import JWKSFetchError
from ..jwk import Key, KeyResolver, KeySet
from ..policy import DEFAULT_LIMITS, Limits
from ._cache import CacheSettings, CacheState, FetchSteps, RemoteCache, ResultT, check_client
from ._discovery import Discovery, discover_async
from ._events import EventHandler
from ._http import Seconds, fetch_async, fetch_options, import_httpx
from ._prefetch import PrefetchedKeys, prefetch_keys
from ._remote import (
    DEFAULT_CACHE_TTL,
    DEFAULT_COOLDOWN,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CACHE_TTL,
    DEFAULT_STALE_IF_ERROR,
    DEFAULT_TIMEOUT,
)
from ._urls import redact_url

if TYPE_CHECKING:
    import httpx

    from ..jwe import DecryptedJWE
    from ..jws import VerifiedJWS
    from ..jwt import Duration, Instant, StringOrList, Token

__all__ = [
    "AsyncKeyResolver",
    "AsyncRemoteKeySet",
    "decode_jwt_async",
    "decrypt_async",
    "prefetch_keys",
    "verify_async",
]


@runtime_checkable
class AsyncKeyResolver(Protocol):
    """A key resolver whose lookup is awaited (it may fetch keys without blocking a loop)."""

    async def candidates_async(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """Return the keys that may verify/decrypt a token with this header."""
        ...


AsyncKeySource = Union[AsyncKeyResolver, KeyResolver, Key]


class AsyncRemoteKeySet:
    """:class:`RemoteKeySet` for asyncio: same options and rules, fetched with httpx.AsyncClient.

    Await :meth:`candidates_async` (or use :func:`verify_async`, :func:`decode_jwt_async`,
    :func:`decrypt_async`, :func:`prefetch_keys`); nothing blocks the event loop. Concurrent
    tasks share one fetch (an ``asyncio.Lock`` and single-flight), the fetch is cancelled at
    its overall deadline, and the cooldown, stale-if-error, size and HTTPS rules are those of
    :class:`~josekit.jwks.RemoteKeySet`. Use one instance within one event loop, and close it
    with :meth:`aclose` (or ``async with``).

    It is not a synchronous :class:`~josekit.jwk.KeyResolver`: passing it to ``jws.verify``
    raises :class:`~josekit.errors.JWKSFetchError` saying to use the async functions.

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
        client: httpx.AsyncClient | None = None,
        limits: Limits = DEFAULT_LIMITS,
        strict: bool = False,
        on_event: EventHandler | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_client(client, import_httpx().AsyncClient, "RemoteKeySet takes an httpx.Client")
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
        self._client: httpx.AsyncClient | None = client
        self._owns_client = client is None
        self._on_event = on_event
        self._discovery: Discovery | None = None
        self._lock = asyncio.Lock()

    @classmethod
    async def from_issuer(
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
        client: httpx.AsyncClient | None = None,
        limits: Limits = DEFAULT_LIMITS,
        strict: bool = False,
        on_event: EventHandler | None = None,
        clock: Callable[[], float] = time.monotonic,
        lazy: bool = False,
    ) -> AsyncRemoteKeySet:
        """The key set of an issuer, found through its metadata: :meth:`RemoteKeySet.from_issuer`.

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
        discovery_client = client if client is not None else import_httpx().AsyncClient()
        try:
            jwks_uri = await discover_async(discovery_client, discovery, fetch, on_event)
        finally:
            if client is None:
                await discovery_client.aclose()
        return cls(jwks_uri, **options)

    @property
    def url(self) -> str:
        """The JWK Set URL (for ``from_issuer(..., lazy=True)``, the first metadata URL
        until discovery has found the ``jwks_uri``)."""
        return self._cache.settings.url

    def __repr__(self) -> str:
        return f"AsyncRemoteKeySet({redact_url(self._cache.settings.url)!r})"

    async def candidates_async(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """The keys that may process a token with this header (see :class:`AsyncKeyResolver`).

        Raises:
            KeyNotFoundError: no key matches, even after the refetch the cooldown allowed.
            JWKSFetchError: the set could not be fetched and no usable cached copy exists.
        """
        return await self._run(self._cache.candidates_steps(header, operation))

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """Always raises: this key set is looked up with ``await`` (see the class docs)."""
        raise JWKSFetchError(
            "AsyncRemoteKeySet cannot be used from synchronous code: use "
            "`await josekit.jwks.verify_async(...)` / `decode_jwt_async(...)` / "
            "`decrypt_async(...)`, or `await prefetch_keys(token, keys)`; in synchronous "
            "code use RemoteKeySet"
        )

    async def key_set(self) -> KeySet:
        """The current keys, fetched first if the cache is cold or expired."""
        return await self._run(self._cache.key_set_steps())

    async def refresh(self) -> KeySet:
        """Fetch the set now, ignoring freshness and cooldown, and return it.

        Raises:
            JWKSFetchError: this fetch failed (the cached keys, if any, are kept).
        """
        return self._cache.refreshed(await self._fetch(self._cache.state.generation, force=True))

    async def _run(self, steps: FetchSteps[ResultT]) -> ResultT:
        """Drive a lookup, awaiting a fetch each time it asks."""
        try:
            seen = next(steps)
            while True:
                seen = steps.send(await self._fetch(seen))
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    async def _fetch(self, seen: int, *, force: bool = False) -> CacheState:
        """Fetch unless another task already did since generation ``seen`` (single-flight).

        A key set from ``from_issuer(..., lazy=True)`` finds its ``jwks_uri`` first; a
        failure of that counts as a failed attempt too (cooldown, stale keys).
        """
        async with self._lock:
            cache = self._cache
            now = cache.fetch_plan(seen, force)
            if now is None:
                return cache.state
            if self._discovery is not None:
                try:
                    fetch = cache.settings.fetch
                    found = await discover_async(
                        self._http(), self._discovery, fetch, self._on_event
                    )
                except Exception as exc:  # reported already; counts against the cooldown
                    return cache.record(exc, now)
                cache.discovered(found)
                self._discovery = None
            settings = cache.settings
            started = time.monotonic()
            fetched = None
            try:
                fetched = await fetch_async(
                    self._http(), settings.url, settings.fetch, cache.request_etag()
                )
                state = cache.record(fetched, now)
            except Exception as exc:  # every failure counts against the cooldown
                state = cache.record(exc, now)
            cache.report(self._on_event, fetched, time.monotonic() - started, state, now)
            return state

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = import_httpx().AsyncClient()
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP client this key set created (a client passed in stays open)."""
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def __aenter__(self) -> AsyncRemoteKeySet:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def verify_async(
    token: str | bytes,
    keys: AsyncKeySource,
    *,
    algorithms: Iterable[str],
    detached_payload: bytes | str | None = None,
    crit: Iterable[str] = (),
    unencoded_payload: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> VerifiedJWS:
    """:func:`josekit.jws.verify` with keys awaited from an async key source.

    Raises:
        JoseError: as :func:`josekit.jws.verify`, plus :class:`JWKSFetchError`.
    """
    from ..jws import verify

    resolver = await prefetch_keys(token, keys, limits=limits)
    return verify(
        token,
        resolver,
        algorithms=algorithms,
        detached_payload=detached_payload,
        crit=crit,
        unencoded_payload=unencoded_payload,
        limits=limits,
    )


async def decode_jwt_async(
    token: str | bytes,
    keys: AsyncKeySource,
    *,
    algorithms: Iterable[str],
    issuer: StringOrList | None = None,
    audience: StringOrList | None = None,
    subject: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    typ: str | None = None,
    max_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Token:
    """:func:`josekit.jwt.decode` (a signed JWT) with keys awaited from an async key source.

    Raises:
        JoseError: as :func:`josekit.jwt.decode`, plus :class:`JWKSFetchError`.
    """
    from ..jwt import decode

    resolver = await prefetch_keys(token, keys, limits=limits)
    return decode(
        token,
        resolver,
        algorithms=algorithms,
        issuer=issuer,
        audience=audience,
        subject=subject,
        leeway=leeway,
        required=required,
        typ=typ,
        max_age=max_age,
        now=now,
        limits=limits,
    )


async def decrypt_async(
    token: str | bytes,
    keys: AsyncKeySource,
    *,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None = None,
    crit: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> DecryptedJWE:
    """:func:`josekit.jwe.decrypt` (a compact JWE) with keys awaited from an async key source.

    Raises:
        JoseError: as :func:`josekit.jwe.decrypt`, plus :class:`JWKSFetchError`.
    """
    from ..jwe import decrypt

    resolver = await prefetch_keys(token, keys, limits=limits)
    run = functools.partial(
        decrypt,
        token,
        resolver,
        algorithms=algorithms,
        encryptions=encryptions,
        crit=crit,
        limits=limits,
    )
    # A key held by a backend (an async one: awaited on this loop) decrypts off the loop.
    held = resolver.keys if isinstance(resolver, PrefetchedKeys) else (resolver,)
    return await offload(run, *held)
