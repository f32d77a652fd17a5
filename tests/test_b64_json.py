"""Strict base64url (josekit._b64) and strict JSON (josekit._json)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from josekit import errors
from josekit._b64 import b64d, b64e, b64e_str
from josekit._json import dumps, dumps_bytes, loads, loads_object

_SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)

# -- base64url ------------------------------------------------------------------------------


@_SETTINGS
@given(data=st.binary(max_size=100))
def test_b64_round_trip_matches_the_standard_library(data: bytes) -> None:
    text = b64e_str(data)
    assert text == base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert b64e(data) == text.encode()
    assert b64d(text) == data
    assert b64d(text.encode()) == data
    assert b64d(bytearray(text.encode())) == data


@_SETTINGS
@given(text=st.text(max_size=12))
def test_b64d_accepts_exactly_the_canonical_encodings(text: str) -> None:
    # Whatever the input, it is accepted only if it is the canonical encoding of its bytes.
    try:
        data = b64d(text)
    except errors.MalformedError:
        canonical = False
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            canonical = b64e_str(raw) == text
        except (ValueError, UnicodeEncodeError):
            pass
        assert not canonical
    else:
        assert b64e_str(data) == text


@pytest.mark.parametrize(
    "text",
    [
        "A",  # length 1 modulo 4
        "AAAAA",
        "AA==",  # padding
        "AAA=",
        "AAAA====",
        "A+B/",  # standard alphabet
        "AA AA",  # whitespace
        "AAAA\n",
        "\tAAAA",
        "AB",  # non-zero unused bits
        "AAB",
        "AAF",
        "AA?A",
        "\u00e9AAA",
        "AA\x00A",
    ],
)
def test_b64d_refuses(text: str) -> None:
    with pytest.raises(errors.MalformedError, match="base64url"):
        b64d(text, "the thing")


@pytest.mark.parametrize(
    ("text", "data"),
    [("", b""), ("AA", b"\x00"), ("AAE", b"\x00\x01"), ("-_-_", b"\xfb\xff\xbf"), ("AQ", b"\x01")],
)
def test_b64d_known_values(text: str, data: bytes) -> None:
    assert b64d(text) == data


def test_b64d_names_what_was_wrong() -> None:
    with pytest.raises(errors.MalformedError, match=r"^signature is not"):
        b64d("A", "signature")
    with pytest.raises(errors.MalformedError, match="canonical"):
        b64d("AB", "signature")
    with pytest.raises(errors.MalformedError, match="must be a base64url string"):
        b64d(12, "signature")  # type: ignore[arg-type]


# -- JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"a":2}',
        '{"a":{"b":1,"b":1}}',
        '[{"x":1,"x":1}]',
        "NaN",
        '{"a":Infinity}',
        '{"a":-Infinity}',
        "{",
        "",
        "   ",
        '{"a":1}x',
        '{"a":1}{}',
        "{'a':1}",
        '{"a":tru}',
        '{"a":[}',
    ],
)
def test_loads_refuses(text: str) -> None:
    with pytest.raises(errors.MalformedError):
        loads(text)
    with pytest.raises(errors.MalformedError):
        loads_object(text.encode())


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a":1}', {"a": 1}),
        (' {"a" : [1, 2.5, "x", null, true]} \n', {"a": [1, 2.5, "x", None, True]}),
        ("[1]", [1]),
        ('"s"', "s"),
        ('{"\\u00e9":"\\u00e9"}', {"\u00e9": "\u00e9"}),
    ],
)
def test_loads_accepts(text: str, value: Any) -> None:
    assert loads(text) == value
    assert loads(text.encode()) == value


@pytest.mark.parametrize("text", ["[1]", '"s"', "1", "null"])
def test_loads_object_needs_an_object(text: str) -> None:
    with pytest.raises(errors.MalformedError, match="object"):
        loads_object(text)
    with pytest.raises(errors.MalformedError, match="object"):
        loads_object(text.encode())


def test_loads_refuses_invalid_utf8_and_other_types() -> None:
    with pytest.raises(errors.MalformedError, match="UTF-8"):
        loads_object(b'{"a":"\xff"}')
    with pytest.raises(errors.MalformedError):
        loads(12)  # type: ignore[arg-type]


@pytest.mark.parametrize("depth", [1, 5, 32])
def test_depth_limit(depth: int) -> None:
    ok = "[" * depth + "]" * depth
    assert loads(ok, max_depth=depth) is not None
    too_deep = "[" * (depth + 1) + "]" * (depth + 1)
    with pytest.raises(errors.LimitExceededError):
        loads(too_deep, max_depth=depth)
    with pytest.raises(errors.LimitExceededError):
        loads_object(('{"a":' + too_deep + "}").encode(), max_depth=depth)


def test_depth_counts_structure_not_brackets_in_strings() -> None:
    text = json.dumps({"a": "[" * 100})
    assert loads(text, max_depth=2) == {"a": "[" * 100}
    assert loads_object(text.encode(), max_depth=2) == {"a": "[" * 100}


def test_huge_nesting_is_a_limit_not_a_crash() -> None:
    with pytest.raises(errors.LimitExceededError):
        loads("[" * 100_000)


def test_dumps_is_compact_and_keeps_unicode() -> None:
    assert dumps({"a": [1, "\u00e9"]}) == '{"a":[1,"\u00e9"]}'
    assert dumps_bytes({"a": "\u00e9"}) == '{"a":"\u00e9"}'.encode()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object(), {1j: 1}])
def test_dumps_refuses_what_is_not_json(value: Any) -> None:
    with pytest.raises(errors.MalformedError):
        dumps(value)


def test_dumps_bytes_refuses_lone_surrogates_and_deep_nesting() -> None:
    with pytest.raises(errors.MalformedError, match="Unicode"):
        dumps_bytes({"a": "\ud800"})
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(errors.MalformedError):
        dumps(deep)
