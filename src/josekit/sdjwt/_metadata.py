"""An SD-JWT VC issuer's keys through JWT VC Issuer Metadata (draft-ietf-oauth-sd-jwt-vc).

The metadata lives at ``/.well-known/jwt-vc-issuer`` inserted between the host and the
issuer's path; it names the issuer (which must equal the one asked for, and then the
credential's ``iss``) and carries its keys inline (``jwks``) or by URL (``jwks_uri``). The
HTTP side is the remote key set's: HTTPS only, size and time caps, no redirects by default.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import urlsplit

from ..errors import JoseError, JWKSFetchError
from ..jwk import Key, KeyResolver, KeySet
from ..jwks import AsyncRemoteKeySet, RemoteKeySet
from ..jwks._documents import parse_document
from ..jwks._http import (
    Fetched,
    Seconds,
    duration,
    expect_status,
    fetch_async,
    fetch_options,
    fetch_sync,
    import_httpx,
)
from ..jwks._remote import DEFAULT_COOLDOWN, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT
from ..jwks._urls import check_url, is_loopback, redact_url
from ..policy import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    import httpx

__all__ = ["WELL_KNOWN_PATH", "AsyncIssuerMetadataKeys", "IssuerKeys", "IssuerMetadataKeys"]

WELL_KNOWN_PATH = "/.well-known/jwt-vc-issuer"
"""Where JWT VC Issuer Metadata is published, before the issuer's own path."""


def metadata_url(issuer: str, allow_http: bool) -> str:
    """The metadata URL of ``issuer``: ``https://host/.well-known/jwt-vc-issuer/path``."""
    check_url(issuer, allow_http, "issuer")
    parts = urlsplit(issuer)
    if parts.query or parts.fragment or issuer.endswith(("?", "#")):
        raise JWKSFetchError(
            f"the issuer {redact_url(issuer)} has a query or fragment; it must have neither"
        )
    return f"{parts.scheme}://{parts.netloc}{WELL_KNOWN_PATH}{parts.path.rstrip('/')}"


class IssuerKeys:
    """The keys of one issuer: a key resolver that verifies only that issuer's credentials.

    :func:`josekit.sdjwt.verify` refuses a credential whose ``iss`` is not :attr:`issuer`
    when its keys come from here.
    """

    def __init__(self, issuer: str, keys: KeyResolver) -> None:
        self._issuer = issuer
        self._keys = keys

    @property
    def issuer(self) -> str:
        """The issuer these keys belong to."""
        return self._issuer

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """The keys that may verify a token with this header (the KeyResolver protocol)."""
        return self._keys.candidates(header, operation)

    def __repr__(self) -> str:
        return f"IssuerKeys({self._issuer!r})"


def _public_set(document: Any, url: str, limits: Limits) -> KeySet:
    try:
        keys = KeySet.import_key_set(document, limits=limits)
    except JoseError as exc:
        raise JWKSFetchError(
            f"the 'jwks' of the issuer metadata at {url} is invalid: {exc}"
        ) from None
    if any(key.is_private or key.is_symmetric for key in keys):
        raise JWKSFetchError(f"the issuer metadata at {url} publishes a private or symmetric key")
    return keys


def _keys_named(fetched: Fetched, issuer: str, allow_http: bool, limits: Limits) -> str | KeySet:
    """The ``jwks_uri`` or the inline key set of a metadata document that is ``issuer``'s."""
    document = parse_document(expect_status(fetched), "JWT VC Issuer Metadata", limits)
    named = document.get("issuer")
    if named != issuer:
        raise JWKSFetchError(
            f"the JWT VC Issuer Metadata at {redact_url(fetched.url)} is for issuer "
            f"{redact_url(named)}, not {redact_url(issuer)}; it must match exactly, so its "
            "keys are not used"
        )
    if ("jwks" in document) == ("jwks_uri" in document):
        raise JWKSFetchError(
            f"the JWT VC Issuer Metadata at {redact_url(fetched.url)} must carry exactly one "
            "of 'jwks' and 'jwks_uri'"
        )
    if "jwks" in document:
        return _public_set(document["jwks"], fetched.url, limits)
    # A jwks_uri comes from a remote document: plain HTTP to loopback only for a loopback issuer.
    loopback = is_loopback(urlsplit(issuer).hostname)
    return check_url(document["jwks_uri"], allow_http, "jwks_uri", loopback=loopback)


class _Settings:
    """The options shared by the sync and async twins, checked once."""

    def __init__(
        self,
        issuer: str,
        timeout: Seconds,
        max_bytes: int,
        allow_http: bool,
        follow_redirects: bool,
        cooldown: Seconds,
        limits: Limits,
    ) -> None:
        self.issuer = issuer
        self.url = metadata_url(issuer, allow_http)
        self.fetch = fetch_options(timeout, max_bytes, allow_http, follow_redirects)
        self.cooldown = duration(cooldown, "cooldown")
        self.limits = limits
        self.remote: dict[str, Any] = {
            "timeout": timeout,
            "max_bytes": max_bytes,
            "allow_http": allow_http,
            "follow_redirects": follow_redirects,
            "cooldown": cooldown,
            "limits": limits,
        }


class _Lookup:
    """The I/O-free part of resolving the metadata, shared by the sync and async twins.

    A failed fetch is replayed (not retried) until ``cooldown`` has passed, so a stream of
    credentials cannot turn into a stream of requests.
    """

    def __init__(self, settings: _Settings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.clock = clock
        self.error: JWKSFetchError | None = None
        self.failed_at = 0.0

    def start(self) -> float:
        """The time of this attempt; raises the last error while the cooldown runs."""
        now = self.clock()
        if self.error is not None and now - self.failed_at < self.settings.cooldown:
            raise self.error
        return now

    def found(self, fetched: Fetched) -> str | KeySet:
        """The ``jwks_uri`` or the key set named by the fetched metadata."""
        settings = self.settings
        return _keys_named(fetched, settings.issuer, settings.fetch.allow_http, settings.limits)

    def failed(self, error: JWKSFetchError, now: float) -> None:
        self.error, self.failed_at = error, now


class IssuerMetadataKeys:
    """The keys of an SD-JWT VC issuer, found through its JWT VC Issuer Metadata.

    A key resolver for :func:`josekit.sdjwt.verify`: on first use it fetches
    ``https://host/.well-known/jwt-vc-issuer/<issuer path>``, requires the document's
    ``issuer`` to equal ``issuer``, then uses its ``jwks`` or a :class:`RemoteKeySet` on its
    ``jwks_uri`` (cached, refreshed as that class does). A credential whose ``iss`` is not
    ``issuer`` is refused. The issuer comes from configuration, never from a token.

    Args:
        issuer: the issuer identifier (an https URL).
        timeout, max_bytes, allow_http, follow_redirects, cooldown, client, limits: as for
            :class:`josekit.jwks.RemoteKeySet`; a failed metadata fetch is retried at most
            once per ``cooldown``.

    Raises:
        ImportError: httpx is not installed (``pip install 'josekit[remote]'``).
        JWKSFetchError: ``issuer`` is not an acceptable URL.
    """

    def __init__(
        self,
        issuer: str,
        *,
        timeout: Seconds = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_http: bool = False,
        follow_redirects: bool = False,
        cooldown: Seconds = DEFAULT_COOLDOWN,
        client: httpx.Client | None = None,
        limits: Limits = DEFAULT_LIMITS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import_httpx()
        self._settings = _Settings(
            issuer, timeout, max_bytes, allow_http, follow_redirects, cooldown, limits
        )
        self._client = client
        self._lookup = _Lookup(self._settings, clock)
        self._keys: Union[KeySet, RemoteKeySet, None] = None
        self._lock = threading.Lock()

    @property
    def issuer(self) -> str:
        """The issuer whose keys these are."""
        return self._settings.issuer

    def __repr__(self) -> str:
        return f"IssuerMetadataKeys({self.issuer!r})"

    def _resolved(self) -> Union[KeySet, RemoteKeySet]:
        with self._lock:
            if self._keys is not None:
                return self._keys
            settings = self._settings
            now = self._lookup.start()
            client = self._client if self._client is not None else import_httpx().Client()
            try:
                found = self._lookup.found(fetch_sync(client, settings.url, settings.fetch))
            except JWKSFetchError as exc:
                self._lookup.failed(exc, now)
                raise
            finally:
                if self._client is None:
                    client.close()
            if isinstance(found, KeySet):
                self._keys = found
            else:
                self._keys = RemoteKeySet(found, client=self._client, **settings.remote)
            return self._keys

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """The issuer keys that may verify a token with this header (KeyResolver protocol).

        Raises:
            JWKSFetchError: the metadata or the key set could not be fetched or used.
            KeyNotFoundError: no key of the issuer matches.
        """
        return self._resolved().candidates(header, operation)

    def key_set(self) -> KeySet:
        """The issuer's current keys, fetched first if needed."""
        keys = self._resolved()
        return keys if isinstance(keys, KeySet) else keys.key_set()

    def close(self) -> None:
        """Close the HTTP client of the key set behind ``jwks_uri`` (if this made it)."""
        if isinstance(self._keys, RemoteKeySet):
            self._keys.close()


class AsyncIssuerMetadataKeys:
    """:class:`IssuerMetadataKeys` for an event loop.

    ``await keys.issuer_keys()`` gives an :class:`IssuerKeys` to pass to the synchronous
    :func:`josekit.sdjwt.verify` (the cryptography is CPU work; only the fetch awaits)::

        metadata = AsyncIssuerMetadataKeys("https://issuer.example")
        verified = sdjwt.verify(token, await metadata.issuer_keys(), algorithms=["ES256"], ...)

    The arguments are those of :class:`IssuerMetadataKeys`, with an ``httpx.AsyncClient``.
    """

    def __init__(
        self,
        issuer: str,
        *,
        timeout: Seconds = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_http: bool = False,
        follow_redirects: bool = False,
        cooldown: Seconds = DEFAULT_COOLDOWN,
        client: httpx.AsyncClient | None = None,
        limits: Limits = DEFAULT_LIMITS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import_httpx()
        self._settings = _Settings(
            issuer, timeout, max_bytes, allow_http, follow_redirects, cooldown, limits
        )
        self._client = client
        self._lookup = _Lookup(self._settings, clock)
        self._keys: Union[KeySet, AsyncRemoteKeySet, None] = None

    @property
    def issuer(self) -> str:
        """The issuer whose keys these are."""
        return self._settings.issuer

    def __repr__(self) -> str:
        return f"AsyncIssuerMetadataKeys({self.issuer!r})"

    async def _resolved(self) -> Union[KeySet, AsyncRemoteKeySet]:
        if self._keys is not None:
            return self._keys
        settings = self._settings
        now = self._lookup.start()
        client = self._client if self._client is not None else import_httpx().AsyncClient()
        try:
            found = self._lookup.found(await fetch_async(client, settings.url, settings.fetch))
        except JWKSFetchError as exc:
            self._lookup.failed(exc, now)
            raise
        finally:
            if self._client is None:
                await client.aclose()
        if isinstance(found, KeySet):
            self._keys = found
        else:
            self._keys = AsyncRemoteKeySet(found, client=self._client, **settings.remote)
        return self._keys

    async def key_set(self) -> KeySet:
        """The issuer's current keys, fetched first if needed."""
        keys = await self._resolved()
        return keys if isinstance(keys, KeySet) else await keys.key_set()

    async def issuer_keys(self) -> IssuerKeys:
        """The issuer's current keys, bound to the issuer, for :func:`josekit.sdjwt.verify`."""
        return IssuerKeys(self.issuer, await self.key_set())

    async def candidates_async(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """The issuer keys that may verify a token with this header (AsyncKeyResolver)."""
        keys = await self._resolved()
        if isinstance(keys, KeySet):
            return keys.candidates(header, operation)
        return await keys.candidates_async(header, operation)

    async def aclose(self) -> None:
        """Close the HTTP client of the key set behind ``jwks_uri`` (if this made it)."""
        if isinstance(self._keys, AsyncRemoteKeySet):
            await self._keys.aclose()
