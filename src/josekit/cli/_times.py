"""Times on the command line: ``--now``, durations (``15m``) and how dates are shown."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

import click

from ._failures import CliFailure

__all__ = [
    "NOW_ENV",
    "current_time",
    "format_date",
    "format_duration",
    "now_option",
    "parse_duration",
    "parse_now",
]

F = TypeVar("F", bound=Callable[..., Any])

NOW_ENV = "JOSEKIT_NOW"
"""Environment variable that fixes the current time (a date or seconds since the epoch)."""


def parse_now(value: str | None) -> float | None:
    """Parse a ``--now``/``JOSEKIT_NOW`` value: an ISO 8601 date-time or epoch seconds."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return float(int(text))
    except OverflowError:
        raise CliFailure(f"--now {text[:20]}... is out of range") from None
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise CliFailure(
            f"--now {text!r} is neither seconds since 1970 nor an ISO 8601 date-time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def now_option(func: F) -> F:
    """Add the hidden ``--now`` option (also read from ``JOSEKIT_NOW``) used by tests."""
    return click.option(
        "--now",
        "now",
        envvar=NOW_ENV,
        hidden=True,
        default=None,
        help="Pretend the current time is this (ISO 8601 or epoch seconds).",
    )(func)


def current_time(now: str | None) -> float:
    """The moment to judge times against: ``--now`` if given, else the clock."""
    fixed = parse_now(now)
    return time.time() if fixed is None else fixed


_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str, option: str) -> int:
    """Seconds from ``90``, ``90s``, ``15m``, ``2h``, ``7d`` or ``1w``."""
    text = value.strip().lower()
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(number) :] or "s"
    if not number.isdigit() or unit not in _UNITS:
        raise CliFailure(
            f"{option} {value!r} is not a duration: write seconds, or a number with "
            "s, m, h, d or w (e.g. 15m)"
        )
    return int(number) * _UNITS[unit]


def format_duration(seconds: float) -> str:
    """``42 s``, ``4 min``, ``2 h``, ``3 days`` or ``5 years`` (rounded down)."""
    s = int(abs(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 2 * 86400:
        return f"{s // 3600} h"
    if s < 2 * 365 * 86400:
        return f"{s // 86400} days"
    return f"{s // (365 * 86400)} years"


def format_date(value: float) -> str:
    """A NumericDate as ``2011-03-22 18:43:00 UTC`` (or a note when out of range)."""
    try:
        moment = datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return "out of range"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
