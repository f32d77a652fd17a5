"""Strict JSON: no duplicate member names, no NaN/Infinity, bounded nesting depth."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .errors import LimitExceededError, MalformedError

__all__ = ["dumps", "dumps_bytes", "loads", "loads_object", "loads_object_of_objects"]

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise MalformedError(f"duplicate JSON member name {name!r}")
            seen.add(name)
    return obj


def _reject_constant(name: str) -> Any:
    raise MalformedError(f"JSON value {name} is not allowed")


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_SPACE = frozenset({"", " ", "\t", "\n", "\r"})


def _depth_ok(text: str, max_depth: int) -> bool:
    # Cheap upper bound: nesting can never exceed the count of opening brackets.
    if text.count("{") + text.count("[") <= max_depth:
        return True
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
            if depth > max_depth:
                return False
        elif ch in "}]":
            depth -= 1
    return True


def _parse(text: str, what: str) -> Any:
    try:
        if text[:1] in _SPACE:  # the scanner starts at a value: strip leading whitespace
            return _DECODER.decode(text)
        value, end = _SCAN(text, 0)
    except MalformedError as exc:
        raise MalformedError(f"{what}: {exc}") from None
    except StopIteration:
        raise MalformedError(f"{what} is not valid JSON") from None
    except (ValueError, RecursionError) as exc:
        raise MalformedError(f"{what} is not valid JSON ({exc})") from None
    if end != len(text) and text[end:].strip(" \t\n\r"):
        raise MalformedError(f"{what} is not valid JSON (extra data after the value)")
    return value


def loads(data: str | bytes, what: str = "JSON", max_depth: int = 32) -> Any:
    """Parse strict JSON (UTF-8 when bytes); raise :class:`MalformedError` on any problem."""
    if isinstance(data, str):
        text = data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError(f"{what} is not valid UTF-8") from None
    else:
        raise MalformedError(f"{what} must be JSON text, not {type(data).__name__}")
    if not _depth_ok(text, max_depth):
        raise LimitExceededError(f"{what} nests deeper than {max_depth} levels")
    return _parse(text, what)


def loads_object(data: str | bytes, what: str = "JSON", max_depth: int = 32) -> dict[str, Any]:
    """Parse strict JSON that must be an object."""
    if type(data) is bytes:  # the hot path (a decoded header), without the generic checks
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError(f"{what} is not valid UTF-8") from None
        if len(text) > max_depth and not _depth_ok(text, max_depth):
            raise LimitExceededError(f"{what} nests deeper than {max_depth} levels")
        if text[:1] == "{":
            try:
                obj, end = _SCAN(text, 0)
            except (MalformedError, ValueError, RecursionError, StopIteration):
                obj = _parse(text, what)  # raises, with the message
            else:
                if end != len(text):
                    obj = _parse(text, what)  # trailing whitespace, or raises
        else:
            obj = _parse(text, what)
    else:
        obj = loads(data, what, max_depth)
    if type(obj) is not dict:
        raise MalformedError(f"{what} must be a JSON object, not {type(obj).__name__}")
    return obj


_COUNTING = json.JSONDecoder(parse_constant=_reject_constant)


def loads_object_of_objects(
    text: str, name: str, what: str = "JSON", max_depth: int = 32
) -> dict[str, Any]:
    """:func:`loads_object` for an object whose member ``name`` is an array of objects.

    The same strict JSON, parsed faster for such documents (a JWK Set): by the C parser
    without a per-object hook, with duplicate member names ruled out by counting instead.
    Every member name in the text is followed by one ``:`` outside strings, so ``text``
    holds at least as many colons as members; the parsed objects hold at most as many
    members as the text (fewer exactly when a name repeats). When the colons equal the
    members of the top object and of the array's objects, no name repeats anywhere. Any
    other count (a colon inside a string, nested objects, a duplicate) takes the hook path.
    """
    if not _depth_ok(text, max_depth):
        raise LimitExceededError(f"{what} nests deeper than {max_depth} levels")
    try:
        value = _COUNTING.decode(text)
    except (MalformedError, ValueError, RecursionError):
        value = None
    if type(value) is dict:
        inner = value.get(name)
        if type(inner) is list:
            counted = len(value) + sum(len(item) for item in inner if type(item) is dict)
            if text.count(":") == counted:
                return value
    return loads_object(text, what, max_depth)


def dumps(obj: Any) -> str:
    """Serialise compactly (no whitespace), UTF-8 characters kept as they are."""
    try:
        return _ENCODER.encode(obj)
    except (TypeError, ValueError, RecursionError) as exc:
        raise MalformedError(f"cannot serialise to JSON: {exc}") from None


def dumps_bytes(obj: Any) -> bytes:
    """Serialise compactly to UTF-8 bytes (a lone surrogate in a string is refused)."""
    try:
        return dumps(obj).encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedError("cannot serialise to JSON: a string is not valid Unicode") from None
