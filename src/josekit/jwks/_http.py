"""HTTP plumbing shared by the synchronous and asynchronous remote key sets.

Everything that touches the network goes through :func:`fetch_sync` or :func:`fetch_async`;
both apply the same rules: HTTPS only (loopback excepted), redirects not followed unless
asked for (and then each hop is checked again), one overall deadline, the body streamed and cut
at ``max_bytes``, no content encodings (so the byte count is the size of the document).
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import urljoin, urlsplit

from .._json import loads_object
from ..errors import JoseError, JWKSFetchError
from ..jwk import KeySet
from ..policy import Limits

if TYPE_CHECKING:
    import httpx

__all__ = [
    "FetchOptions",
    "Fetched",
    "Seconds",
    "check_url",
    "duration",
    "expect_status",
    "fetch_async",
    "fetch_options",
    "fetch_sync",
    "import_httpx",
    "parse_document",
    "parse_key_set",
    "ttl_from_headers",
]

Seconds = Union[float, timedelta]
"""A duration: a number of seconds or a :class:`~datetime.timedelta`."""

_MAX_REDIRECTS = 5
_REQUEST_HEADERS = {
    "Accept": "application/jwk-set+json, application/json",
    "Accept-Encoding": "identity",
}


def import_httpx() -> Any:
    """The ``httpx`` module, or an ImportError that says which extra to install."""
    try:
        import httpx
    except ImportError as exc:
        raise ImportError(
            "josekit's remote key sets use httpx, which is not installed: "
            "pip install 'josekit[remote]'"
        ) from exc
    return httpx


def duration(value: object, what: str, *, positive: bool = False) -> float:
    """A caller's duration in seconds: a finite number (or timedelta) >= 0 (> 0 if positive)."""
    seconds: float
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise JoseError(f"{what} must be a number of seconds or a timedelta, not {value!r}")
    if not math.isfinite(seconds) or seconds < 0 or (positive and seconds == 0):
        bound = "> 0" if positive else ">= 0"
        raise JoseError(f"{what} must be a finite number of seconds {bound}, not {value!r}")
    return seconds


def _number(text: str | None) -> int | None:
    """A header's non-negative decimal integer (ASCII digits only), None if it is not one.

    Overlong values count as 2**31, as RFC 9111 §1.2.2 says for delta-seconds.
    """
    if text is None:
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 18 else 2**31


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: object, allow_http: bool, what: str = "JWK Set URL") -> str:
    """Refuse a URL that is not HTTPS (plain HTTP only to loopback, or with ``allow_http``).

    Raises:
        JWKSFetchError: not an absolute http(s) URL, or plain HTTP to a non-loopback host.
    """
    if not isinstance(url, str) or not url:
        raise JWKSFetchError(f"the {what} must be a non-empty string, not {url!r}")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises ValueError for an invalid port)
    except ValueError as exc:
        raise JWKSFetchError(f"the {what} {url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("https", "http") or not host:
        raise JWKSFetchError(f"the {what} {url!r} is not an absolute https:// URL")
    if parts.scheme == "http" and not allow_http and not _is_loopback(host):
        raise JWKSFetchError(
            f"the {what} {url!r} uses plain HTTP: keys fetched that way can be replaced by "
            "anyone on the network path. Use https://, or pass allow_http=True if the "
            "network is trusted (plain HTTP is always allowed to loopback addresses)"
        )
    return url


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How one document is fetched: overall deadline, size cap, redirect and HTTP policy."""

    timeout: float
    max_bytes: int
    allow_http: bool
    follow_redirects: bool


@dataclass(frozen=True, slots=True)
class Fetched:
    """One final HTTP answer (after any redirects followed): status, body, lower-case headers."""

    url: str
    status: int
    body: bytes
    headers: Mapping[str, str]


def fetch_options(
    timeout: object, max_bytes: object, allow_http: bool, follow_redirects: bool
) -> FetchOptions:
    """Checked :class:`FetchOptions` (raises :class:`JoseError` for an out-of-range value)."""
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 1:
        raise JoseError(f"max_bytes must be a positive int, not {max_bytes!r}")
    return FetchOptions(
        timeout=duration(timeout, "timeout", positive=True),
        max_bytes=max_bytes,
        allow_http=bool(allow_http),
        follow_redirects=bool(follow_redirects),
    )


class _Cancelled(Exception):
    """The caller stopped waiting (sync deadline passed); the worker drops the answer."""


def _check_answer(response: httpx.Response, url: str, max_bytes: int) -> None:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise JWKSFetchError(
            f"{url} answered with Content-Encoding {encoding!r} although identity was "
            "requested; compressed documents are refused (their size cannot be bounded "
            "before decompression)"
        )
    length = _number(response.headers.get("content-length"))
    if length is not None and length > max_bytes:
        raise JWKSFetchError(
            f"{url} announced a document of {length} bytes, more than the limit of "
            f"{max_bytes} (max_bytes)"
        )


def _too_big(url: str, max_bytes: int) -> JWKSFetchError:
    return JWKSFetchError(
        f"the document at {url} is larger than the limit of {max_bytes} bytes (max_bytes); "
        "the download was stopped there"
    )


def _next_hop(response: httpx.Response, url: str, options: FetchOptions, hops: int) -> str | None:
    """The redirect target to follow, None for a final answer; errors for refused redirects."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return None
    location = response.headers.get("location", "")
    if not options.follow_redirects:
        raise JWKSFetchError(
            f"{url} answered {response.status_code} (redirect to {location!r}); redirects are "
            "not followed: configure the final URL, or pass follow_redirects=True"
        )
    if hops >= _MAX_REDIRECTS:
        raise JWKSFetchError(f"{url}: more than {_MAX_REDIRECTS} redirects")
    return check_url(urljoin(url, location), options.allow_http, "redirect target")


def _final(response: httpx.Response, url: str, body: bytes) -> Fetched:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Fetched(url, response.status_code, body, headers)


def expect_status(fetched: Fetched, accepted: tuple[int, ...] = (200,)) -> Fetched:
    """``fetched`` if its status is one of ``accepted``; :class:`JWKSFetchError` otherwise."""
    if fetched.status not in accepted:
        raise JWKSFetchError(f"{fetched.url} answered HTTP {fetched.status}")
    return fetched


def _request_headers(etag: str | None) -> dict[str, str]:
    headers = dict(_REQUEST_HEADERS)
    if etag is not None:
        headers["If-None-Match"] = etag
    return headers


def _transport_error(url: str, exc: Exception) -> JWKSFetchError:
    httpx = import_httpx()
    if isinstance(exc, httpx.TimeoutException):
        return JWKSFetchError(f"fetching {url} timed out ({type(exc).__name__})")
    detail = str(exc) or type(exc).__name__
    return JWKSFetchError(f"fetching {url} failed: {detail}")


def _fetch_blocking(
    client: httpx.Client,
    url: str,
    options: FetchOptions,
    etag: str | None,
    deadline: float,
    cancelled: threading.Event,
) -> Fetched:
    httpx = import_httpx()
    timeout = httpx.Timeout(options.timeout)
    target = url
    for hops in range(_MAX_REDIRECTS + 1):
        try:
            with client.stream(
                "GET",
                target,
                headers=_request_headers(etag),
                timeout=timeout,
                follow_redirects=False,
            ) as response:
                hop = _next_hop(response, target, options, hops)
                if hop is not None:
                    target = hop
                    continue
                _check_answer(response, target, options.max_bytes)
                body = bytearray()
                for chunk in response.iter_raw():
                    if cancelled.is_set() or time.monotonic() > deadline:
                        raise _Cancelled
                    body += chunk
                    if len(body) > options.max_bytes:
                        raise _too_big(target, options.max_bytes)
                return _final(response, target, bytes(body))
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
            raise _transport_error(target, exc) from None
    raise JWKSFetchError(f"{url}: more than {_MAX_REDIRECTS} redirects")  # pragma: no cover


def fetch_sync(
    client: httpx.Client, url: str, options: FetchOptions, etag: str | None = None
) -> Fetched:
    """GET ``url`` and return the answer within ``options.timeout`` seconds, or raise.

    The request runs in a short-lived worker thread so that the deadline holds for the whole
    exchange (connect, headers, every body read), not only for each network operation: a
    server that trickles one byte at a time cannot hold the caller past the deadline. A worker
    left behind stops at its next read (each read also times out after ``timeout``).

    Raises:
        JWKSFetchError: no complete answer in time, a refused URL or redirect, an HTTP error
            status, a body over ``max_bytes``, or a transport failure.
    """
    deadline = time.monotonic() + options.timeout
    cancelled = threading.Event()
    outcome: list[Fetched | BaseException] = []

    def work() -> None:
        try:
            outcome.append(_fetch_blocking(client, url, options, etag, deadline, cancelled))
        except BaseException as exc:  # handed over to the waiting caller below
            outcome.append(exc)

    worker = threading.Thread(target=work, name="josekit-jwks-fetch", daemon=True)
    worker.start()
    worker.join(options.timeout)
    if worker.is_alive() or not outcome:
        cancelled.set()
        raise JWKSFetchError(f"no complete answer from {url} within {options.timeout:g} s")
    result = outcome[0]
    if isinstance(result, _Cancelled):
        raise JWKSFetchError(f"no complete answer from {url} within {options.timeout:g} s")
    if isinstance(result, BaseException):
        raise result
    return result


async def _fetch_coroutine(
    client: httpx.AsyncClient, url: str, options: FetchOptions, etag: str | None
) -> Fetched:
    httpx = import_httpx()
    timeout = httpx.Timeout(options.timeout)
    target = url
    for hops in range(_MAX_REDIRECTS + 1):
        try:
            async with client.stream(
                "GET",
                target,
                headers=_request_headers(etag),
                timeout=timeout,
                follow_redirects=False,
            ) as response:
                hop = _next_hop(response, target, options, hops)
                if hop is not None:
                    target = hop
                    continue
                _check_answer(response, target, options.max_bytes)
                body = bytearray()
                async for chunk in response.aiter_raw():
                    body += chunk
                    if len(body) > options.max_bytes:
                        raise _too_big(target, options.max_bytes)
                return _final(response, target, bytes(body))
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
            raise _transport_error(target, exc) from None
    raise JWKSFetchError(f"{url}: more than {_MAX_REDIRECTS} redirects")  # pragma: no cover


async def fetch_async(
    client: httpx.AsyncClient, url: str, options: FetchOptions, etag: str | None = None
) -> Fetched:
    """:func:`fetch_sync` for an event loop: the whole exchange is cancelled at the deadline."""
    try:
        return await asyncio.wait_for(
            _fetch_coroutine(client, url, options, etag), timeout=options.timeout
        )
    except asyncio.TimeoutError:
        raise JWKSFetchError(
            f"no complete answer from {url} within {options.timeout:g} s"
        ) from None


def parse_document(fetched: Fetched, what: str, limits: Limits) -> dict[str, Any]:
    """The body as one strict JSON object (no duplicate members, bounded depth)."""
    try:
        return loads_object(fetched.body, what, limits.max_json_depth)
    except JoseError as exc:
        raise JWKSFetchError(f"the {what} at {fetched.url} is not valid: {exc}") from None


def parse_key_set(fetched: Fetched, limits: Limits) -> KeySet:
    """The body as a JWK Set of public asymmetric keys with distinct ``kid`` values.

    Raises:
        JWKSFetchError: not JSON, not a JWK Set, an invalid key, a duplicate ``kid``, a
            private or symmetric key, or more keys than ``limits.max_keys``.
    """
    document = parse_document(fetched, "JWK Set", limits)
    try:
        keys = KeySet.import_key_set(document, limits=limits)
    except JoseError as exc:
        raise JWKSFetchError(f"the JWK Set at {fetched.url} is not valid: {exc}") from None
    for key in keys:
        if key.is_symmetric or key.is_private:
            kind = "a symmetric ('oct')" if key.is_symmetric else "a private"
            raise JWKSFetchError(
                f"the JWK Set at {fetched.url} holds {kind} key (kid {key.kid!r}); a published "
                "JWK Set must hold public keys only, so it is refused"
            )
    return keys


def ttl_from_headers(
    headers: Mapping[str, str], default: float, lowest: float, highest: float
) -> float:
    """Seconds the answer stays fresh: ``Cache-Control: max-age`` minus ``Age``, within bounds.

    ``no-cache``/``no-store`` give the lowest bound (a fetch per cooldown at most); no
    ``max-age`` gives ``default``. The result is clamped to ``[lowest, highest]``.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    ttl = default
    for directive in lowered.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-cache", "no-store"):
            ttl = lowest
            break
        if name == "max-age":
            max_age = _number(value.strip().strip('"'))
            if max_age is not None:
                ttl = float(max_age - (_number(lowered.get("age")) or 0))
    return min(max(ttl, lowest), highest)
