"""Finding an issuer's ``jwks_uri``: OpenID Connect Discovery 1.0 and RFC 8414 metadata."""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import JWKSFetchError
from ..policy import Limits
from ._documents import parse_document
from ._events import EventHandler, report
from ._http import Fetched, FetchOptions, as_fetch_error, expect_status, fetch_async, fetch_sync
from ._urls import check_url, is_loopback, redact_url

if TYPE_CHECKING:
    import httpx

__all__ = [
    "WELL_KNOWN",
    "Discovery",
    "discover_async",
    "discover_sync",
    "discovery_urls",
    "jwks_uri_from",
]

WELL_KNOWN = ("openid-configuration", "oauth-authorization-server")
"""The metadata documents tried, in this order, when the caller does not name one."""


def discovery_urls(issuer: str, well_known: str | None, allow_http: bool) -> list[str]:
    """The metadata URLs for ``issuer``, in the order they are tried.

    ``openid-configuration`` is appended to the issuer (OpenID Connect Discovery 1.0 §4.1);
    ``oauth-authorization-server`` is inserted between the host and the issuer's path
    (RFC 8414 §3.1): ``https://example.com/issuer1`` gives
    ``https://example.com/.well-known/oauth-authorization-server/issuer1``.

    Raises:
        JWKSFetchError: the issuer is not an https URL (loopback excepted), has a query or a
            fragment, or ``well_known`` is not one of :data:`WELL_KNOWN`.
    """
    check_url(issuer, allow_http, "issuer")
    parts = urlsplit(issuer)
    if parts.query or parts.fragment or issuer.endswith(("?", "#")):
        raise JWKSFetchError(
            f"the issuer {redact_url(issuer)} has a query or fragment; an issuer identifier "
            "has neither (RFC 8414 §2, OpenID Connect Discovery §2)"
        )
    if well_known is None:
        names: tuple[str, ...] = WELL_KNOWN
    elif well_known in WELL_KNOWN:
        names = (well_known,)
    else:
        raise JWKSFetchError(f"well_known must be one of {list(WELL_KNOWN)}, not {well_known!r}")
    path = parts.path.rstrip("/")
    urls = []
    for name in names:
        if name == "openid-configuration":
            urls.append(f"{issuer.rstrip('/')}/.well-known/{name}")
        else:
            urls.append(f"{parts.scheme}://{parts.netloc}/.well-known/{name}{path}")
    return urls


def jwks_uri_from(fetched: Fetched, issuer: str, allow_http: bool, limits: Limits) -> str:
    """The ``jwks_uri`` of a metadata document, after checking that it is the issuer's own.

    The ``jwks_uri`` gets the plain-HTTP-to-loopback exception only when the issuer itself
    is a loopback URL: a remote issuer cannot point the verifier at a loopback service.

    Raises:
        JWKSFetchError: not a JSON object, ``issuer`` differs from the one asked for (exact
            string comparison, OpenID Connect Discovery §4.3, RFC 8414 §3.3), or
            ``jwks_uri`` is missing or not an https URL.
    """
    document = parse_document(fetched, "metadata document", limits)
    named = document.get("issuer")
    if named != issuer:
        raise JWKSFetchError(
            f"the metadata at {redact_url(fetched.url)} is for issuer {redact_url(named)}, not "
            f"{redact_url(issuer)}; the "
            "issuer must match exactly (OpenID Connect Discovery §4.3, RFC 8414 §3.3), so "
            "its keys are not used"
        )
    uri = document.get("jwks_uri")
    if not isinstance(uri, str) or not uri:
        raise JWKSFetchError(f"the metadata at {redact_url(fetched.url)} has no 'jwks_uri' string")
    loopback_issuer = is_loopback(urlsplit(issuer).hostname)
    return check_url(uri, allow_http, "jwks_uri", loopback=loopback_issuer)


@dataclass(frozen=True, slots=True)
class Discovery:
    """Finding one issuer's ``jwks_uri``: the metadata URLs to try and how to read them."""

    issuer: str
    urls: tuple[str, ...]
    allow_http: bool
    limits: Limits

    @classmethod
    def build(
        cls, issuer: str, well_known: str | None, allow_http: bool, limits: Limits
    ) -> Discovery:
        """Check the issuer now (raises :class:`JWKSFetchError`, see :func:`discovery_urls`)."""
        urls = tuple(discovery_urls(issuer, well_known, allow_http))
        return cls(issuer, urls, allow_http, limits)

    def steps(self) -> Generator[str, Fetched, str]:
        """Yield each URL to fetch, receive its answer; return the ``jwks_uri``.

        The next URL is tried only after a 404; any other answer decides.
        """
        fetched = yield self.urls[0]
        for url in self.urls[1:]:
            if fetched.status != 404:
                break
            fetched = yield url
        return jwks_uri_from(expect_status(fetched), self.issuer, self.allow_http, self.limits)


def discover_sync(
    client: httpx.Client,
    discovery: Discovery,
    fetch: FetchOptions,
    on_event: EventHandler | None,
) -> str:
    """The issuer's ``jwks_uri``, fetched with ``client`` (each fetch reported).

    Raises:
        JWKSFetchError: for any failure (fetch, status, document, issuer mismatch).
    """
    steps = discovery.steps()
    url = next(steps)
    while True:
        started = time.monotonic()
        fetched = None
        try:
            fetched = fetch_sync(client, url, fetch)
            following = steps.send(fetched)
        except StopIteration as done:
            report(on_event, "metadata", url, fetched, time.monotonic() - started, None)
            return str(done.value)
        except Exception as exc:
            error = as_fetch_error(exc, url)
            report(on_event, "metadata", url, fetched, time.monotonic() - started, error)
            raise error from None
        report(on_event, "metadata", url, fetched, time.monotonic() - started, None)
        url = following


async def discover_async(
    client: httpx.AsyncClient,
    discovery: Discovery,
    fetch: FetchOptions,
    on_event: EventHandler | None,
) -> str:
    """:func:`discover_sync` for an event loop."""
    steps = discovery.steps()
    url = next(steps)
    while True:
        started = time.monotonic()
        fetched = None
        try:
            fetched = await fetch_async(client, url, fetch)
            following = steps.send(fetched)
        except StopIteration as done:
            report(on_event, "metadata", url, fetched, time.monotonic() - started, None)
            return str(done.value)
        except Exception as exc:
            error = as_fetch_error(exc, url)
            report(on_event, "metadata", url, fetched, time.monotonic() - started, error)
            raise error from None
        report(on_event, "metadata", url, fetched, time.monotonic() - started, None)
        url = following
