"""Freshness of an HTTP answer: ``Cache-Control: max-age`` and ``Age`` (RFC 9111)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["header_number", "max_age_of", "ttl_from_headers"]


def header_number(text: str | None) -> int | None:
    """A header's non-negative decimal integer (ASCII digits only), None if it is not one.

    Overlong values count as 2**31, as RFC 9111 §1.2.2 says for delta-seconds.
    """
    if text is None:
        return None
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 18 else 2**31


def max_age_of(headers: Mapping[str, str]) -> int | None:
    """The ``Cache-Control: max-age`` of an answer in seconds (lower-case header names)."""
    for directive in headers.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.strip().lower() == "max-age":
            return header_number(value.strip().strip('"'))
    return None


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
            max_age = header_number(value.strip().strip('"'))
            if max_age is not None:
                ttl = float(max_age - (header_number(lowered.get("age")) or 0))
    return min(max(ttl, lowest), highest)
