"""JOSE header handling shared by JWS and JWE: parsing, disjointness, ``crit``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._b64 import b64d
from ._json import loads_object
from .errors import (
    CriticalHeaderError,
    InvalidHeaderError,
    LimitExceededError,
    MalformedError,
)
from .policy import Limits

__all__ = [
    "JWE_REGISTERED",
    "JWS_REGISTERED",
    "caller_crit",
    "check_crit",
    "check_kid",
    "check_kid_value",
    "merge_headers",
    "parse_protected",
    "unprotected_object",
]

JWS_REGISTERED = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"}
)
"""Header parameters registered by RFC 7515 §4.1 (they can never be named in ``crit``)."""
JWE_REGISTERED = JWS_REGISTERED | frozenset(
    {"enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c"}
)
"""Header parameters registered by RFC 7516 §4.1 and RFC 7518 §4."""


# Distinct protected headers are few (one per issuer, key and algorithm) while tokens are
# many, so parsing keeps up to 256 small headers it decoded. The memo maps the exact segment
# text to its decoded JSON object: a pure function of the text, so no check is skipped. Only
# headers whose members are all scalars (str, int, float, bool, null) are kept (a JSON depth
# of 1 admits nothing else), and every caller gets a fresh copy, so nothing a caller changes
# can reach another caller. When full, the memo is emptied and fills again.
_MEMO_SEGMENT_CHARS = 512
_MEMO_ENTRIES = 256
_memo: dict[str, dict[str, Any]] = {}


def parse_protected(segment: str, limits: Limits, what: str = "protected header") -> dict[str, Any]:
    """Decode a base64url protected header into a JSON object, within the size limit.

    Raises:
        LimitExceededError: the segment is longer than ``limits.max_header_size`` allows.
        MalformedError: not base64url, not UTF-8, not JSON, or not a JSON object.
    """
    if type(segment) is not str:
        raise MalformedError(f"the {what} must be a base64url string")
    size = len(segment)
    if size > (limits.max_header_size * 4 + 2) // 3:
        raise LimitExceededError(
            f"the {what} is larger than the limit of {limits.max_header_size} bytes"
        )
    if size > _MEMO_SEGMENT_CHARS or limits.max_json_depth < 1:
        return loads_object(b64d(segment, what), what, limits.max_json_depth)
    known = _memo.get(segment)
    if known is not None:
        return known.copy()
    try:
        header = loads_object(b64d(segment, what), what, 1)
    except LimitExceededError:  # nested members: never kept, parsed with the caller's depth
        return loads_object(b64d(segment, what), what, limits.max_json_depth)
    if len(_memo) >= _MEMO_ENTRIES:
        _memo.clear()
    _memo[segment] = header
    return header.copy()


def unprotected_object(value: object, limits: Limits, what: str = "header") -> dict[str, Any]:
    """Validate an unprotected header from a JSON serialization."""
    if not isinstance(value, dict):
        raise MalformedError(f"the unprotected '{what}' must be a JSON object")
    if len(value) > 64:
        raise LimitExceededError(f"the unprotected '{what}' has too many members")
    return value


def merge_headers(*headers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Join protected and unprotected headers, which must not share any member name."""
    merged: dict[str, Any] = {}
    for header in headers:
        if not header:
            continue
        for name, value in header.items():
            if name in merged:
                raise InvalidHeaderError(
                    f"header parameter {name!r} appears in more than one header; "
                    "protected and unprotected headers must be disjoint"
                )
            merged[name] = value
    return merged


def check_crit(
    protected: Mapping[str, Any],
    merged: Mapping[str, Any],
    understood: Iterable[str],
    registered: frozenset[str],
) -> None:
    """Enforce RFC 7515 §4.1.11 ``crit``: protected, a non-empty list of understood names."""
    if "crit" not in merged:
        return
    if "crit" not in protected:
        raise CriticalHeaderError("'crit' must be in the protected header")
    crit = protected["crit"]
    if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
        raise CriticalHeaderError("'crit' must be a non-empty array of header parameter names")
    if len(set(crit)) != len(crit):
        raise CriticalHeaderError("'crit' lists a name more than once")
    known = frozenset(understood)
    for name in crit:
        if name in registered:
            raise CriticalHeaderError(
                f"'crit' must not list {name!r}: it is a header parameter the standard defines"
            )
        if name not in known:
            raise CriticalHeaderError(
                f"'crit' lists extension {name!r}, which this call does not understand; "
                "pass crit=[...] to accept extensions your application processes"
            )
        if name not in merged:
            raise CriticalHeaderError(f"'crit' lists {name!r}, which is absent from the header")


def check_kid(header: Mapping[str, Any], limits: Limits) -> None:
    """A ``kid``, when present, must be a string of bounded length."""
    kid = header.get("kid")
    if kid is None and "kid" not in header:
        return
    check_kid_value(kid, limits)


def check_kid_value(kid: object, limits: Limits) -> None:
    """A ``kid`` value (one that is there, even null) must be a string of bounded length."""
    if not isinstance(kid, str):
        raise InvalidHeaderError("header parameter 'kid' must be a string")
    if len(kid) > limits.max_kid_length:
        raise LimitExceededError(f"'kid' is longer than the limit of {limits.max_kid_length}")


def caller_crit(crit: object) -> frozenset[str]:
    """A caller's ``crit=`` argument (the extensions it understands) as a set of names.

    ``None`` or an empty collection: none.

    Raises:
        InvalidHeaderError: ``crit`` is a string (``"xy"`` is not the names ``x``, ``y``), not
            a collection, or holds something other than strings.
    """
    if crit is None:
        return frozenset()
    if isinstance(crit, (str, bytes)) or not isinstance(crit, Iterable):
        raise InvalidHeaderError(
            f"crit= must be a list of header parameter names (e.g. crit=['exp']), not "
            f"{type(crit).__name__}"
        )
    names = tuple(crit)
    for name in names:
        if not isinstance(name, str):
            raise InvalidHeaderError(f"crit= must list header parameter names, not {name!r:.40}")
    return frozenset(names)
