"""How messages write times, durations and articles: one spelling everywhere.

Times are ISO 8601 in UTC, whole seconds (``2026-12-04T02:48:51Z``); durations are human
(``30s``, ``5m``, ``1h30m``, ``1000d``); never a raw float or an exponent.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

__all__ = ["a_an", "duration_text", "instant_text"]


def instant_text(value: float) -> str:
    """A NumericDate as ISO 8601 UTC, whole seconds (the integer when out of range)."""
    if not math.isfinite(value):
        return str(value)
    whole = math.floor(value)
    try:
        return datetime.fromtimestamp(whole, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return str(whole)


_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def duration_text(seconds: float) -> str:
    """A duration for people: ``30s``, ``5m``, ``1h30m``, ``1000d``; under a second ``0.5s``."""
    if not math.isfinite(seconds):
        return str(seconds)
    if 0 < abs(seconds) < 1:
        return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"
    left = round(abs(seconds))
    if left == 0:
        return "0s"
    parts = []
    for unit, size in _UNITS:
        amount, left = divmod(left, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return ("-" if seconds < 0 else "") + "".join(parts)


# Key types and initialisms read with a leading vowel sound, and numbers that begin with one.
_VOWEL_SOUND = ("RSA", "EC", "OKP", "oct", "AKP", "HS", "ES", "ML-", "X25519", "X448")


def a_an(word: str) -> str:
    """``word`` with its article: ``an RSA``, ``an EC``, ``a P-256``, ``an 8192-bit``."""
    vowel = (
        word[:1].lower() in "aeiou"
        or word.startswith(_VOWEL_SOUND)
        or word.startswith(("8", "11-", "18-", "11 ", "18 "))
    )
    return ("an " if vowel else "a ") + word
