"""JWT claim validation (RFC 7519 §4.1, RFC 8725) and claim preparation for encoding.

Validation is split in two so that a caller's mistake is reported before any cryptography
runs, and so that the per-token work stays a handful of dict lookups:

* :func:`claim_checks` turns the caller's options into a :class:`ClaimChecks` (once per call);
* :func:`validate` applies it to the claims and header of a token whose signature or
  decryption has already succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from math import isfinite
from typing import Any, NamedTuple, Union

from .._json import dumps_bytes
from .._text import duration_text, instant_text
from ..errors import (
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidHeaderError,
    JoseError,
    MalformedError,
    MissingClaimError,
    NotYetValidError,
)

__all__ = [
    "ClaimChecks",
    "Duration",
    "Instant",
    "StringOrList",
    "check_age",
    "claim_checks",
    "claims_bytes",
    "instant",
    "media_type",
    "seconds",
    "validate",
]

Instant = Union[int, float, datetime]
"""A point in time: seconds since the epoch, or a timezone-aware :class:`datetime`."""
Duration = Union[int, float, timedelta]
"""A length of time: seconds, or a :class:`timedelta`."""
StringOrList = Union[str, Collection[str]]
"""One accepted value, or a collection of accepted values."""

_MISSING: Any = object()


def _show(value: object, limit: int = 80) -> str:
    """A short repr of a token value for an error message (never of a key)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _when(value: float) -> str:
    """A NumericDate for messages: ISO 8601 UTC, whole seconds."""
    return instant_text(value)


def _finite(value: object) -> float | None:
    """``value`` as a finite float when it is an int or float (never a bool), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            amount = float(value)
        except OverflowError:  # an int beyond the float range
            return None
        if isfinite(amount):
            return amount
    return None


def seconds(value: object, what: str) -> float:
    """A caller's duration (leeway, max_age) in seconds: finite, non-negative, never bool."""
    amount = value.total_seconds() if isinstance(value, timedelta) else _finite(value)
    if amount is None or amount < 0:
        raise JoseError(
            f"{what} must be a finite number of seconds >= 0 or a timedelta, not {_show(value)}"
        )
    return amount


def instant(value: object) -> float:
    """The caller's ``now``: seconds since the epoch, or an aware datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise JoseError(
                "now must be a timezone-aware datetime (e.g. datetime.now(timezone.utc)); "
                "a naive datetime would be read in local time"
            )
        return value.timestamp()
    amount = _finite(value)
    if amount is None:
        raise JoseError(
            f"now must be seconds since the epoch or an aware datetime, not {_show(value)}"
        )
    return amount


def _accepted(value: StringOrList | None, what: str) -> Collection[str] | None:
    """Normalise an expected issuer/audience: one string or a non-empty collection of them."""
    if value is None:
        return None
    if type(value) is str:
        if value:
            return (value,)
    elif not isinstance(value, (bytes, bytearray)) and isinstance(value, Iterable):
        values = tuple(value)
        if values and all(type(v) is str and v for v in values):
            return frozenset(values)
    raise JoseError(
        f"{what} must be a non-empty string or a non-empty list of them, not {_show(value)}"
    )


def media_type(value: str) -> str:
    """Normalise a ``typ``/``cty`` value: lower case, ``application/`` prefix removed.

    RFC 7515 §4.1.9 lets a producer omit the ``application/`` prefix when the rest holds no
    other ``/``, and media types compare case-insensitively (RFC 8725 §3.11).
    """
    lowered = value.lower()
    if lowered.startswith("application/") and "/" not in lowered[12:]:
        return lowered[12:]
    return lowered


class ClaimChecks(NamedTuple):
    """The caller's validation options, checked and normalised once per decode call."""

    issuer: Collection[str] | None
    audience: Collection[str] | None
    subject: str | None
    leeway: float
    required: tuple[str, ...]
    typ: str | None
    """The expected ``typ``, normalised by :func:`media_type`."""
    typ_text: str | None
    """The expected ``typ`` as the caller wrote it, for messages."""
    max_age: float | None
    now: float | None
    """The caller's current time, or ``None`` for the clock at validation."""


def claim_checks(
    *,
    issuer: StringOrList | None,
    audience: StringOrList | None,
    subject: str | None,
    leeway: Duration,
    required: Iterable[str],
    typ: str | None,
    max_age: Duration | None,
    now: Instant | None,
) -> ClaimChecks:
    """Check and normalise the claim options of a decode call (raises :class:`JoseError`)."""
    if subject is not None and not (type(subject) is str and subject):
        raise JoseError(f"subject must be a non-empty string, not {_show(subject)}")
    if type(required) is not tuple:
        if isinstance(required, (str, bytes)) or not isinstance(required, Iterable):
            raise JoseError(
                f"required must be a list of claim names, e.g. required=['exp'], "
                f"not {_show(required)}"
            )
        required = tuple(required)
    if required and not all(type(name) is str for name in required):
        raise JoseError(f"required must hold claim names (strings), not {_show(required)}")
    if typ is not None and not (type(typ) is str and typ):
        raise JoseError(f"typ must be a non-empty media type string, not {_show(typ)}")
    return ClaimChecks(
        _accepted(issuer, "issuer"),
        _accepted(audience, "audience"),
        subject,
        0 if type(leeway) is int and leeway == 0 else seconds(leeway, "leeway"),
        required,
        media_type(typ) if typ is not None else None,
        typ,
        seconds(max_age, "max_age") if max_age is not None else None,
        instant(now) if now is not None else None,
    )


def _not_numeric_date(name: str, value: object) -> InvalidClaimError:
    return InvalidClaimError(
        f"claim {name!r} must be a NumericDate (seconds since the epoch as a JSON number), "
        f"found {_show(value)}",
        name,
    )


def check_age(
    claims: Mapping[str, Any], name: str, max_age: float, leeway: float, now: float
) -> None:
    """Refuse a token whose NumericDate ``name`` (``iat``, ``auth_time``) is too old."""
    value = claims.get(name, _MISSING)
    if value is _MISSING:
        raise MissingClaimError(f"max_age needs the token's {name!r} claim, which is absent", name)
    if not (type(value) is int or (type(value) is float and isfinite(value))):
        raise _not_numeric_date(name, value)
    if value < now - leeway - max_age:
        raise ExpiredTokenError(
            f"claim {name!r} is {_when(value)}, more than max_age {duration_text(max_age)} ago; "
            f"it is now {_when(now)} (leeway {duration_text(leeway)})",
            name,
        )


def _audience_members(aud: Any) -> tuple[str, ...]:
    """The members of an ``aud`` claim: a non-empty string or non-empty list of them."""
    members: tuple[Any, ...]
    if type(aud) is str:
        members = (aud,)
    elif type(aud) is list:
        if not aud:
            raise InvalidClaimError("claim 'aud' is an empty list", "aud")
        members = tuple(aud)
    else:
        raise InvalidClaimError(
            f"claim 'aud' must be a string or a list of strings, found {_show(aud)}", "aud"
        )
    for member in members:
        if type(member) is not str or not member:
            raise InvalidClaimError(
                f"claim 'aud' must hold non-empty strings only, found {_show(member)}", "aud"
            )
    return members


def _check_audience(aud: Any, accepted: Collection[str]) -> None:
    if aud is _MISSING:
        raise MissingClaimError(
            "the token has no 'aud' claim, but this call expects an audience", "aud"
        )
    if type(aud) is str and aud in accepted:  # the common case: one audience, ours
        return
    if any(member in accepted for member in _audience_members(aud)):
        return
    expected = " or ".join(repr(v) for v in sorted(accepted))
    raise InvalidClaimError(
        f"the token is not meant for audience {expected}; its 'aud' is {_show(aud)}", "aud"
    )


def _string_error(claims: Mapping[str, Any], name: str, accepted: Collection[str]) -> ClaimError:
    if name not in claims:
        return MissingClaimError(f"the token has no {name!r} claim, which this call requires", name)
    expected = " or ".join(repr(v) for v in sorted(accepted))
    return InvalidClaimError(
        f"claim {name!r} must be {expected}, found {_show(claims[name])}", name
    )


def _check_typ(header: Mapping[str, Any], typ: str, typ_text: str | None) -> None:
    found = header.get("typ")
    if found is None:
        raise InvalidHeaderError(f"expected typ {typ_text!r}, but the token has no 'typ'")
    if type(found) is not str or media_type(found) != typ:
        raise InvalidHeaderError(f"expected typ {typ_text!r}, found {_show(found)}")


def validate(claims: Mapping[str, Any], header: Mapping[str, Any], checks: ClaimChecks) -> None:
    """Apply ``checks`` to a verified token's claims and header; raise on the first failure.

    Each NumericDate must be an int or a finite float (a JSON ``true`` is a ``bool``, never a
    date). The comparisons keep the claim on one side and ``now`` with the leeway on the
    other, so a huge integer claim can never overflow a float.
    """
    issuer, audience, subject, leeway, required, typ, typ_text, max_age, now = checks
    if typ is not None:
        _check_typ(header, typ, typ_text)
    for name in required:
        if name not in claims:
            raise MissingClaimError(f"the token has no {name!r} claim, which is required", name)
    if now is None:
        now = time.time()

    exp = claims.get("exp", _MISSING)
    if exp is not _MISSING:
        if not (type(exp) is int or (type(exp) is float and isfinite(exp))):
            raise _not_numeric_date("exp", exp)
        if exp <= now - leeway:
            raise ExpiredTokenError(
                f"the token expired at {_when(exp)}; it is now {_when(now)} "
                f"(leeway {duration_text(leeway)})",
                "exp",
            )
    nbf = claims.get("nbf", _MISSING)
    if nbf is not _MISSING:
        if not (type(nbf) is int or (type(nbf) is float and isfinite(nbf))):
            raise _not_numeric_date("nbf", nbf)
        if nbf > now + leeway:
            raise NotYetValidError(
                f"the token is not valid before {_when(nbf)}; it is now {_when(now)} "
                f"(leeway {duration_text(leeway)})",
                "nbf",
            )
    iat = claims.get("iat", _MISSING)
    if iat is not _MISSING:
        if not (type(iat) is int or (type(iat) is float and isfinite(iat))):
            raise _not_numeric_date("iat", iat)
        if iat > now + leeway:
            raise NotYetValidError(
                f"the token claims to be issued at {_when(iat)}, in the future; it is now "
                f"{_when(now)} (leeway {duration_text(leeway)})",
                "iat",
            )
    if max_age is not None:
        check_age(claims, "iat", max_age, leeway, now)

    if issuer is not None:
        iss = claims.get("iss")
        if type(iss) is not str or iss not in issuer:
            raise _string_error(claims, "iss", issuer)
    if subject is not None:
        sub = claims.get("sub")
        if type(sub) is not str or sub != subject:
            raise _string_error(claims, "sub", (subject,))

    aud = claims.get("aud", _MISSING)
    if audience is not None:
        _check_audience(aud, audience)
    elif aud is not _MISSING:
        # RFC 7519 §4.1.3: a recipient that cannot identify itself in 'aud' must reject.
        raise InvalidClaimError(
            f"the token is meant for audience {_show(aud)}; pass audience= with this "
            "service's identifier to accept it",
            "aud",
        )


# -- encoding --------------------------------------------------------------------------------


def _encode_numeric_date(name: str, value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidClaimError(
                f"claim {name!r} is a naive datetime; use a timezone-aware one "
                "(e.g. datetime.now(timezone.utc))",
                name,
            )
        return int(value.timestamp())
    if type(value) is int or (type(value) is float and isfinite(value)):
        return value
    raise InvalidClaimError(
        f"claim {name!r} must be a NumericDate (int or finite float seconds since the epoch, "
        f"or an aware datetime), not {_show(value)}",
        name,
    )


def _encode_string(name: str, value: object) -> object:
    if isinstance(value, str):
        return value
    raise InvalidClaimError(f"claim {name!r} must be a string, not {_show(value)}", name)


def _encode_audience(name: str, value: object) -> object:
    if isinstance(value, tuple):
        value = list(value)
    _audience_members(value)
    return value


_ENCODE_RULES: dict[str, Callable[[str, object], object]] = {
    "exp": _encode_numeric_date,
    "nbf": _encode_numeric_date,
    "iat": _encode_numeric_date,
    "iss": _encode_string,
    "sub": _encode_string,
    "jti": _encode_string,
    "aud": _encode_audience,
}
"""How each registered claim is checked (and converted) before encoding (RFC 7519 §4.1)."""


def claims_bytes(claims: Mapping[str, Any]) -> bytes:
    """Serialise a claims set for encoding, after checking the registered claims' types.

    ``exp``/``nbf``/``iat`` may be aware datetimes (converted to integer NumericDates); the
    other registered claims must have the type RFC 7519 §4.1 gives them. Anything that is not
    JSON-serialisable raises :class:`InvalidClaimError` naming the claim.
    """
    if type(claims) is not dict and not isinstance(claims, Mapping):
        raise MalformedError(
            f"claims must be a mapping of claim names, not {type(claims).__name__}"
        )
    out: dict[str, Any] = claims if type(claims) is dict else dict(claims)
    copied = out is not claims
    for name, value in out.items():
        if not isinstance(name, str):
            raise InvalidClaimError(f"claim names must be strings, not {_show(name)}", str(name))
        rule = _ENCODE_RULES.get(name)
        if rule is not None:
            checked = rule(name, value)
            if checked is not value:
                if not copied:
                    out, copied = dict(out), True
                out[name] = checked
    try:
        return dumps_bytes(out)
    except (MalformedError, RecursionError):
        pass
    for name, value in out.items():
        try:
            dumps_bytes(value)
        except MalformedError as exc:
            raise InvalidClaimError(f"claim {name!r} cannot be encoded: {exc}", name) from None
        except RecursionError:
            raise InvalidClaimError(f"claim {name!r} nests too deeply to encode", name) from None
    raise MalformedError("the claims set cannot be serialised to JSON")  # pragma: no cover
