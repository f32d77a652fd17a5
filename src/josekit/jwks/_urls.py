"""The URL rules of remote key sets: HTTPS only, no credentials, and URLs shown redacted.

A URL reaches the network only after :func:`check_url`: an absolute ``https://`` URL without
userinfo (credentials go through the ``httpx`` client the caller passes), or plain ``http://``
when the caller allowed it. Plain HTTP to a loopback address is allowed without asking only
for URLs the caller configured (``loopback=True``); a ``jwks_uri`` learned from a remote
issuer's metadata and a redirect to another origin do not get that exception, so a remote
server cannot make the verifier fetch ``http://127.0.0.1:…`` services.

Every URL in a message or a log record goes through :func:`redact_url`, which keeps the
scheme, host, port and path and drops userinfo, query and fragment (where signed URLs and
misplaced credentials live).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

from ..errors import JWKSFetchError

__all__ = ["check_url", "is_loopback", "redact_url", "same_origin"]

_MAX_SHOWN = 200


def is_loopback(host: str | None) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ``::1``)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for an invalid port)
    except ValueError:
        return None
    return parts


def redact_url(url: object) -> str:
    """``url`` as it may be shown: scheme, host, port and path; no userinfo, query, fragment.

    A removed query shows as ``?…``; text that is not a URL shows as ``<not a URL>``. The
    result is cut at 200 characters.
    """
    if not isinstance(url, str):
        return "<not a URL>"
    parts = _split(url)
    if parts is None or not parts.scheme or not parts.hostname:
        return "<not a URL>"
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port is not None else ""
    query = "?…" if parts.query else ""
    shown = f"{parts.scheme}://{host}{port}{parts.path}{query}"
    return shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 1] + "…"


def same_origin(url: str, other: str) -> bool:
    """True when both URLs have the same scheme, host and port."""
    first, second = _split(url), _split(other)
    if first is None or second is None:
        return False
    return (first.scheme, first.hostname, first.port) == (
        second.scheme,
        second.hostname,
        second.port,
    )


def check_url(
    url: object, allow_http: bool, what: str = "JWK Set URL", *, loopback: bool = True
) -> str:
    """``url`` if it may be fetched: absolute https (or http, see below), without userinfo.

    Plain HTTP is accepted with ``allow_http``, or to a loopback host when ``loopback`` is
    true (for URLs the caller configured, never for URLs a remote server supplied).

    Raises:
        JWKSFetchError: not an absolute http(s) URL, credentials in the URL, or plain HTTP
            that neither rule allows. The message shows the URL redacted.
    """
    if not isinstance(url, str) or not url:
        raise JWKSFetchError(f"the {what} must be a non-empty string, not {type(url).__name__}")
    shown = redact_url(url)
    parts = _split(url)
    if parts is None:
        raise JWKSFetchError(f"the {what} {shown} is not a valid URL")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise JWKSFetchError(f"the {what} {shown} is not an absolute https:// URL")
    if "@" in parts.netloc:
        raise JWKSFetchError(
            f"the {what} {shown} holds credentials (user:password@): they would end up in "
            "logs and messages. Remove them from the URL and pass an httpx client that "
            "authenticates instead (client=httpx.Client(auth=...))"
        )
    if parts.scheme == "http" and not allow_http and not (loopback and is_loopback(parts.hostname)):
        exception = (
            "plain HTTP is allowed to loopback addresses only for URLs you configure"
            if not loopback
            else "plain HTTP is always allowed to loopback addresses"
        )
        raise JWKSFetchError(
            f"the {what} {shown} uses plain HTTP: keys fetched that way can be replaced by "
            "anyone on the network path. Use https://, or pass allow_http=True if the "
            f"network is trusted ({exception})"
        )
    return url
