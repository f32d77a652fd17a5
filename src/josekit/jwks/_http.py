"""HTTP plumbing shared by the synchronous and asynchronous remote key sets.

Everything that touches the network goes through :func:`fetch_sync` or :func:`fetch_async`;
both apply the same rules: HTTPS only (loopback excepted), redirects not followed unless
asked for (and then each hop is checked again), one overall deadline, the body streamed and cut
at ``max_bytes``, no content encodings (so the byte count is the size of the document).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import urljoin

from ..errors import JoseError, JWKSFetchError
from ._freshness import header_number, max_age_of, ttl_from_headers
from ._urls import check_url, redact_url, same_origin

if TYPE_CHECKING:
    import httpx

__all__ = [
    "FetchOptions",
    "Fetched",
    "Seconds",
    "as_fetch_error",
    "check_url",
    "duration",
    "expect_status",
    "fetch_async",
    "fetch_options",
    "fetch_sync",
    "import_httpx",
    "max_age_of",
    "ttl_from_headers",
]

Seconds = Union[float, timedelta]
"""A duration: a number of seconds or a :class:`~datetime.timedelta`."""

_MAX_REDIRECTS = 5
_WORKER_GRACE = 1.0
"""Seconds the caller waits for an aborted worker to end (it ends at once in practice)."""
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


class _Sockets:
    """The sockets a sync fetch opened (seen through httpcore's ``trace`` extension).

    At the deadline the caller shuts them down, which wakes the worker from whatever read it
    is blocked in (a server trickling headers one byte at a time keeps every single read
    short): the worker fails at once, the connection is closed and leaves the pool. Requests
    say ``Connection: close``, so each fetch opens its own connection and its socket is
    always seen here.
    """

    __slots__ = ("_aborted", "_lock", "_open")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._aborted = False

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore trace callback: remember each socket as it is connected or wrapped."""
        if not event.endswith((".connect_tcp.complete", ".start_tls.complete")):
            return
        stream = info.get("return_value")
        sock = getattr(stream, "get_extra_info", lambda _: None)("socket")
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._open.append(sock)
            aborted = self._aborted
        if aborted:
            _shut(sock)

    def abort(self) -> None:
        """Shut every socket down (reads in the worker return at once)."""
        with self._lock:
            self._aborted = True
            sockets = list(self._open)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: it only wakes the reader, and
    # leaves the TLS state to the worker, which owns it. OSError: already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _check_answer(response: httpx.Response, url: str, max_bytes: int) -> None:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise JWKSFetchError(
            f"{redact_url(url)} answered with Content-Encoding {encoding[:40]!r} although "
            "identity was requested; compressed documents are refused (their size cannot be "
            "bounded before decompression)"
        )
    length = header_number(response.headers.get("content-length"))
    if length is not None and length > max_bytes:
        raise JWKSFetchError(
            f"{redact_url(url)} announced a document of {length} bytes, more than the limit "
            f"of {max_bytes} (max_bytes)"
        )


def _too_big(url: str, max_bytes: int) -> JWKSFetchError:
    return JWKSFetchError(
        f"the document at {redact_url(url)} is larger than the limit of {max_bytes} bytes "
        "(max_bytes); the download was stopped there"
    )


def _next_hop(
    response: httpx.Response, url: str, options: FetchOptions, hops: int, start: str
) -> str | None:
    """The redirect target to follow, None for a final answer; errors for refused redirects.

    A target gets the plain-HTTP-to-loopback exception only on the origin of ``start`` (the
    URL the fetch began with): a redirect cannot point the fetch at a loopback service.
    """
    if response.status_code not in (301, 302, 303, 307, 308):
        return None
    location = response.headers.get("location", "")
    if not options.follow_redirects:
        raise JWKSFetchError(
            f"{redact_url(url)} answered {response.status_code} (redirect to "
            f"{redact_url(urljoin(url, location))}); redirects are not followed: configure "
            "the final URL, or pass follow_redirects=True"
        )
    if hops >= _MAX_REDIRECTS:
        raise JWKSFetchError(f"{redact_url(url)}: more than {_MAX_REDIRECTS} redirects")
    try:
        target = urljoin(url, location)
    except ValueError:
        raise JWKSFetchError(
            f"{redact_url(url)} answered {response.status_code} with a Location that is not "
            "a valid URL"
        ) from None
    return check_url(
        target, options.allow_http, "redirect target", loopback=same_origin(target, start)
    )


def _final(response: httpx.Response, url: str, body: bytes) -> Fetched:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Fetched(url, response.status_code, body, headers)


def expect_status(fetched: Fetched, accepted: tuple[int, ...] = (200,)) -> Fetched:
    """``fetched`` if its status is one of ``accepted``; :class:`JWKSFetchError` otherwise."""
    if fetched.status not in accepted:
        raise JWKSFetchError(f"{redact_url(fetched.url)} answered HTTP {fetched.status}")
    return fetched


def _request_headers(etag: str | None) -> dict[str, str]:
    headers = dict(_REQUEST_HEADERS)
    if etag is not None:
        headers["If-None-Match"] = etag
    return headers


# What a transport error means to the reader, by httpx class name (its text is not shown: it
# may repeat the URL with its credentials).
_TRANSPORT_HINTS = {
    "ConnectError": "no connection to the server: check the URL and that the server is up",
    "ConnectTimeout": "no answer to the connection: check the URL and the network",
    "ProxyError": "the proxy refused the request: check the proxy settings",
    "RemoteProtocolError": "the server broke the connection or answered in broken HTTP",
    "TooManyRedirects": "too many redirects: give the final URL",
    "UnsupportedProtocol": "the URL's scheme is not http:// or https://",
}


def _transport_error(url: str, exc: Exception) -> JWKSFetchError:
    httpx = import_httpx()
    name = type(exc).__name__
    hint = _TRANSPORT_HINTS.get(name)
    if isinstance(exc, httpx.TimeoutException):
        return JWKSFetchError(f"fetching {redact_url(url)} timed out ({hint or name})")
    return JWKSFetchError(
        f"fetching {redact_url(url)} failed ({hint + ', ' if hint else ''}{name})"
    )


def as_fetch_error(exc: Exception, url: str) -> JWKSFetchError:
    """Any failure of a fetch as a :class:`JWKSFetchError` (which is returned unchanged).

    The message names the exception's type, never its text, which may hold the URL or
    part of the answer; the original stays attached as ``__cause__`` for debugging.
    """
    if isinstance(exc, JWKSFetchError):
        return exc
    error = JWKSFetchError(
        f"fetching {redact_url(url)} failed unexpectedly ({type(exc).__name__}); the "
        "attempt counts against the cooldown"
    )
    error.__cause__ = exc
    return error


def _timed_out(url: str, options: FetchOptions) -> JWKSFetchError:
    return JWKSFetchError(f"no complete answer from {redact_url(url)} within {options.timeout:g} s")


def _fetch_blocking(
    client: httpx.Client,
    url: str,
    options: FetchOptions,
    etag: str | None,
    deadline: float,
    cancelled: threading.Event,
    sockets: _Sockets,
) -> Fetched:
    httpx = import_httpx()
    timeout = httpx.Timeout(options.timeout)
    headers = {**_request_headers(etag), "Connection": "close"}
    target = url
    for hops in range(_MAX_REDIRECTS + 1):
        try:
            with client.stream(
                "GET",
                target,
                headers=headers,
                timeout=timeout,
                follow_redirects=False,
                extensions={"trace": sockets.trace},
            ) as response:
                hop = _next_hop(response, target, options, hops, url)
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
            if cancelled.is_set():
                raise _Cancelled from None
            raise _transport_error(target, exc) from None
    raise JWKSFetchError(
        f"{redact_url(url)}: more than {_MAX_REDIRECTS} redirects"
    )  # pragma: no cover


def fetch_sync(
    client: httpx.Client, url: str, options: FetchOptions, etag: str | None = None
) -> Fetched:
    """GET ``url`` and return the answer within ``options.timeout`` seconds, or raise.

    The request runs in a short-lived worker thread so that the deadline holds for the whole
    exchange (connect, headers, every body read), not only for each network operation: a
    server that trickles one byte at a time cannot hold the caller past the deadline. At the
    deadline the request's connection is shut down, so the worker ends at once and no socket
    or pooled connection stays behind (for httpx's own transports; a custom transport that
    does not report its connections through the ``trace`` extension is left to its read
    timeout, ``timeout`` seconds per read).

    Raises:
        JWKSFetchError: no complete answer in time, a refused URL or redirect, an HTTP error
            status, a body over ``max_bytes``, a transport failure, or any other failure.
    """
    deadline = time.monotonic() + options.timeout
    cancelled = threading.Event()
    sockets = _Sockets()
    outcome: list[Fetched | BaseException] = []

    def work() -> None:
        try:
            outcome.append(
                _fetch_blocking(client, url, options, etag, deadline, cancelled, sockets)
            )
        except BaseException as exc:  # handed over to the waiting caller below
            outcome.append(exc)

    worker = threading.Thread(target=work, name="josekit-jwks-fetch", daemon=True)
    worker.start()
    worker.join(options.timeout)
    if worker.is_alive() or not outcome:
        cancelled.set()
        sockets.abort()
        worker.join(_WORKER_GRACE)
        raise _timed_out(url, options)
    result = outcome[0]
    if isinstance(result, _Cancelled):
        raise _timed_out(url, options)
    if isinstance(result, Exception):
        raise as_fetch_error(result, url)
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
                hop = _next_hop(response, target, options, hops, url)
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
    raise JWKSFetchError(
        f"{redact_url(url)}: more than {_MAX_REDIRECTS} redirects"
    )  # pragma: no cover


async def fetch_async(
    client: httpx.AsyncClient, url: str, options: FetchOptions, etag: str | None = None
) -> Fetched:
    """:func:`fetch_sync` for an event loop: the whole exchange is cancelled at the deadline.

    Raises:
        JWKSFetchError: as :func:`fetch_sync`; any other failure is turned into one.
    """
    try:
        return await asyncio.wait_for(
            _fetch_coroutine(client, url, options, etag), timeout=options.timeout
        )
    except asyncio.TimeoutError:
        raise _timed_out(url, options) from None
    except Exception as exc:
        raise as_fetch_error(exc, url) from exc.__cause__
