"""The ``htu`` comparison of RFC 9449 §4.3: an HTTP URI normalised by RFC 3986 §6.2.2-6.2.3."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

__all__ = ["MAX_URL_LENGTH", "normalize_url"]

MAX_URL_LENGTH = 4096
"""The longest URL (``htu`` or the request's) compared, in characters."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# RFC 3986 §2.3: the unreserved characters, which a percent-encoding must not hide.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters a URI never holds as they are (RFC 3986 §2): controls, space, and " < > \ ^ ` { | }.
_FORBIDDEN = re.compile(r'[\x00-\x20\x7f"<>\\^`{|}]')


def _percent(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, on the path of an absolute URI (it starts with '/')."""
    output: list[str] = []
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if output:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


def normalize_url(url: str) -> str:
    """The comparable form of an absolute ``http``/``https`` URL, without query and fragment.

    Scheme and host are lower-cased (the host through IDNA), the default port is dropped,
    percent-encodings of unreserved characters are decoded and the others upper-cased, dot
    segments are removed and an empty path becomes ``/``. Path case and a trailing slash are
    kept: ``/a/`` and ``/a`` stay different.

    Raises:
        ValueError: the URL is not an absolute http(s) URL with a host, holds userinfo,
            characters a URI never holds, a bad percent-encoding or port, or is too long.
    """
    if type(url) is not str:
        raise ValueError("the URL must be a string")
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"the URL is longer than {MAX_URL_LENGTH} characters")
    return _normalized(url)


# One verification normalises two URLs (the request's and the proof's htu), about 10 us each,
# some 10% of an ES256 proof verification (benchmarks/bench_dpop.py); a server sees the same
# few URLs again and again. Bounded, so that attacker-chosen htu values only evict entries.
@lru_cache(maxsize=512)
def _normalized(url: str) -> str:
    if _FORBIDDEN.search(url):
        raise ValueError("the URL holds a character that a URI never holds")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("the URL must be an absolute http or https URL")
    if "@" in parts.netloc:
        raise ValueError("the URL must not hold userinfo")
    host = parts.hostname
    if not host:
        raise ValueError("the URL has no host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the URL's port is not a number from 0 to 65535") from None
    if ":" in host:
        authority = f"[{host}]"
    else:
        try:
            authority = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise ValueError("the URL's host is not a valid domain name") from None
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        authority += f":{port}"
    path = parts.path
    if _BAD_PERCENT.search(path):
        raise ValueError("the URL's path holds a '%' that is not a percent-encoding")
    path = _remove_dot_segments(_PERCENT.sub(_percent, path)) if path else "/"
    return f"{scheme}://{authority}{path}"
