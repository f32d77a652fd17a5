"""Claim validation (RFC 7519 §4.1, RFC 8725): every rule, with its boundaries."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from jwt_helpers import NOW, hmac_key, signed

from josekit import jws, jwt
from josekit.errors import (
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidHeaderError,
    JoseError,
    MissingClaimError,
    NotYetValidError,
)


def decode(claims: dict[str, Any] | bytes, **options: Any) -> jwt.Token:
    """Sign ``claims`` (a dict, or raw JSON bytes) and decode them with ``options``."""
    token = signed(claims, header=options.pop("header", None))
    options.setdefault("now", NOW)
    return jwt.decode(token, hmac_key(), algorithms=["HS256"], **options)


def refused(
    kind: type[ClaimError], claim: str, claims: dict[str, Any] | bytes, **options: Any
) -> str:
    """Assert the claims are refused with ``kind`` naming ``claim``; return the message."""
    with pytest.raises(kind) as info:
        decode(claims, **options)
    assert type(info.value) is kind
    assert info.value.claim == claim
    return str(info.value)


# -- exp -------------------------------------------------------------------------------------


def test_exp_boundary() -> None:
    decode({"exp": NOW + 1})
    refused(ExpiredTokenError, "exp", {"exp": NOW})  # exactly at exp: expired
    refused(ExpiredTokenError, "exp", {"exp": NOW - 1})


def test_exp_fractional_boundary() -> None:
    decode({"exp": NOW + 0.001})
    refused(ExpiredTokenError, "exp", {"exp": NOW + 0.5}, now=NOW + 0.5)


def test_exp_leeway_edges() -> None:
    decode({"exp": NOW - 29}, leeway=30)
    refused(ExpiredTokenError, "exp", {"exp": NOW - 30}, leeway=30)  # exp + leeway == now
    decode({"exp": NOW - 29}, leeway=timedelta(seconds=30))
    refused(ExpiredTokenError, "exp", {"exp": NOW - 30}, leeway=timedelta(seconds=30))


def test_expired_message_says_when_and_now() -> None:
    message = refused(ExpiredTokenError, "exp", {"exp": NOW - 60}, leeway=5)
    assert "expired at 2023-11-14T22:12:20Z" in message  # ISO 8601, whole seconds
    assert "it is now 2023-11-14T22:13:20Z" in message
    assert "leeway 5s" in message


# -- nbf -------------------------------------------------------------------------------------


def test_nbf_boundary() -> None:
    decode({"nbf": NOW})  # valid from nbf on
    decode({"nbf": NOW - 1})
    refused(NotYetValidError, "nbf", {"nbf": NOW + 1})


def test_nbf_leeway_edges() -> None:
    decode({"nbf": NOW + 30}, leeway=30)  # now == nbf - leeway
    refused(NotYetValidError, "nbf", {"nbf": NOW + 31}, leeway=30)
    refused(NotYetValidError, "nbf", {"nbf": NOW + 30.5}, leeway=30)


# -- iat and max_age -------------------------------------------------------------------------


def test_iat_in_the_future_is_refused_beyond_leeway() -> None:
    decode({"iat": NOW})
    refused(NotYetValidError, "iat", {"iat": NOW + 1})
    decode({"iat": NOW + 10}, leeway=10)
    refused(NotYetValidError, "iat", {"iat": NOW + 11}, leeway=10)


def test_iat_in_the_past_is_fine_without_max_age() -> None:
    decode({"iat": 0})


def test_max_age_boundary() -> None:
    decode({"iat": NOW - 300}, max_age=300)  # exactly max_age old: accepted
    refused(ExpiredTokenError, "iat", {"iat": NOW - 301}, max_age=300)
    decode({"iat": NOW - 310}, max_age=timedelta(minutes=5), leeway=10)
    refused(ExpiredTokenError, "iat", {"iat": NOW - 311}, max_age=timedelta(minutes=5), leeway=10)


def test_max_age_requires_iat() -> None:
    refused(MissingClaimError, "iat", {"exp": NOW + 10}, max_age=300)


def test_max_age_zero() -> None:
    decode({"iat": NOW}, max_age=0)
    refused(ExpiredTokenError, "iat", {"iat": NOW - 1}, max_age=0)


# -- NumericDate types -------------------------------------------------------------------------

NOT_NUMERIC_DATES = [
    b"true",
    b"false",
    b'"1700000000"',
    b'"soon"',
    b"null",
    b"[1700000000]",
    b'{"t":1}',
    b"1e400",  # a float that overflows to infinity
    b"-1e400",
]


@pytest.mark.parametrize("name", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("raw", NOT_NUMERIC_DATES)
def test_numeric_date_types(name: str, raw: bytes) -> None:
    payload = b'{"' + name.encode() + b'":' + raw + b"}"
    message = refused(InvalidClaimError, name, payload)
    assert "NumericDate" in message


@pytest.mark.parametrize("name", ["exp", "nbf", "iat"])
def test_numeric_date_accepts_int_and_finite_float(name: str) -> None:
    value = NOW + 100 if name == "exp" else NOW - 100
    decode({name: value})
    decode({name: float(value) + 0.25})


def test_huge_integer_dates_do_not_overflow() -> None:
    big = 10**30
    assert decode({"exp": big}).claims["exp"] == big
    refused(NotYetValidError, "nbf", {"nbf": big})
    refused(ExpiredTokenError, "exp", {"exp": -big})


def test_max_age_checks_iat_type() -> None:
    refused(InvalidClaimError, "iat", b'{"iat":"1700000000"}', max_age=60)


# -- now -------------------------------------------------------------------------------------


def test_now_as_aware_datetime() -> None:
    moment = datetime.fromtimestamp(NOW, timezone.utc)
    decode({"exp": NOW + 1}, now=moment)
    refused(ExpiredTokenError, "exp", {"exp": NOW}, now=moment)
    refused(
        ExpiredTokenError, "exp", {"exp": NOW}, now=moment.astimezone(timezone(timedelta(hours=5)))
    )


def test_now_defaults_to_the_clock() -> None:
    token = signed({"exp": 4_000_000_000, "nbf": 1_000_000_000})
    assert jwt.decode(token, hmac_key(), algorithms=["HS256"]).claims["exp"] == 4_000_000_000
    expired = signed({"exp": 1_000_000_000})
    with pytest.raises(ExpiredTokenError):
        jwt.decode(expired, hmac_key(), algorithms=["HS256"])


@pytest.mark.parametrize(
    "options",
    [
        {"now": datetime(2030, 1, 1)},
        {"now": "2030-01-01"},
        {"now": True},
        {"now": float("nan")},
        {"now": 10**400},
        {"leeway": 10**400},
        {"max_age": float("-inf")},
        {"issuer": [["a"]]},
        {"audience": [{"a": 1}]},
        {"leeway": -1},
        {"leeway": True},
        {"leeway": float("inf")},
        {"leeway": "5"},
        {"leeway": timedelta(seconds=-1)},
        {"max_age": -5},
        {"max_age": None, "required": "exp"},
        {"required": [1]},
        {"required": 5},
        {"issuer": ""},
        {"issuer": []},
        {"issuer": ["ok", 3]},
        {"issuer": 3},
        {"audience": b"api"},
        {"audience": [""]},
        {"subject": ""},
        {"subject": 5},
        {"typ": ""},
        {"typ": 5},
    ],
)
def test_bad_options_are_refused_before_anything(options: dict[str, Any]) -> None:
    bad_token = "x.y.z"  # the options are checked before the token is even parsed
    with pytest.raises(JoseError) as info:
        jwt.decode(bad_token, hmac_key(), algorithms=["HS256"], **options)
    assert type(info.value) is JoseError


# -- iss -------------------------------------------------------------------------------------


def test_issuer_exact_match() -> None:
    decode({"iss": "https://a.example"}, issuer="https://a.example")
    for wrong in (
        "https://a.example/",
        "https://A.example",
        "https://a.exampl",
        "",
        " https://a.example",
    ):
        refused(InvalidClaimError, "iss", {"iss": wrong}, issuer="https://a.example")


def test_issuer_one_of_several() -> None:
    decode({"iss": "b"}, issuer=["a", "b"])
    decode({"iss": "b"}, issuer=("a", "b"))
    decode({"iss": "b"}, issuer={"a", "b"})
    refused(InvalidClaimError, "iss", {"iss": "c"}, issuer=["a", "b"])


def test_issuer_is_never_a_substring_match() -> None:
    refused(InvalidClaimError, "iss", {"iss": "b"}, issuer="abc")
    refused(InvalidClaimError, "iss", {"iss": "abc"}, issuer=["abcd"])


@pytest.mark.parametrize("value", [["a"], 1, None, True, {"a": 1}])
def test_issuer_must_be_a_string(value: object) -> None:
    refused(InvalidClaimError, "iss", {"iss": value}, issuer="a")


def test_issuer_missing() -> None:
    refused(MissingClaimError, "iss", {"sub": "x"}, issuer="a")


def test_issuer_message_says_expected_and_found() -> None:
    message = refused(InvalidClaimError, "iss", {"iss": "evil"}, issuer="good")
    assert "'good'" in message
    assert "'evil'" in message


def test_issuer_not_checked_when_not_asked() -> None:
    decode({"iss": "anyone"})


# -- aud -------------------------------------------------------------------------------------


def test_audience_string() -> None:
    decode({"aud": "api"}, audience="api")
    refused(InvalidClaimError, "aud", {"aud": "api2"}, audience="api")
    refused(InvalidClaimError, "aud", {"aud": "API"}, audience="api")


def test_audience_list() -> None:
    decode({"aud": ["other", "api"]}, audience="api")
    decode({"aud": ["api"]}, audience="api")
    refused(InvalidClaimError, "aud", {"aud": ["other", "more"]}, audience="api")


def test_audience_several_expected() -> None:
    decode({"aud": "b"}, audience=["a", "b"])
    decode({"aud": ["x", "a"]}, audience=["a", "b"])
    refused(InvalidClaimError, "aud", {"aud": ["x", "y"]}, audience=["a", "b"])


def test_audience_is_never_a_substring_match() -> None:
    refused(InvalidClaimError, "aud", {"aud": "__api__"}, audience="api")
    refused(InvalidClaimError, "aud", {"aud": "ap"}, audience="api")


@pytest.mark.parametrize(
    "aud", [[], "", ["api", ""], ["api", 1], ["api", None], ["api", ["api"]], 1, True, {"api": 1}]
)
def test_audience_malformed(aud: object) -> None:
    refused(InvalidClaimError, "aud", {"aud": aud}, audience="api")


def test_audience_expected_but_absent() -> None:
    refused(MissingClaimError, "aud", {"sub": "x"}, audience="api")


def test_audience_present_but_not_expected() -> None:
    """RFC 7519 §4.1.3: a recipient that does not identify itself in 'aud' rejects."""
    message = refused(InvalidClaimError, "aud", {"aud": "api"})
    assert "audience=" in message


# -- sub, required, typ ------------------------------------------------------------------------


def test_subject() -> None:
    decode({"sub": "user-1"}, subject="user-1")
    refused(InvalidClaimError, "sub", {"sub": "user-2"}, subject="user-1")
    refused(InvalidClaimError, "sub", {"sub": 1}, subject="1")
    refused(MissingClaimError, "sub", {}, subject="user-1")


def test_required() -> None:
    decode({"jti": "1", "scope": ""}, required=["jti", "scope"])
    decode({"nothing": None}, required=["nothing"])  # present, even if null
    refused(MissingClaimError, "scope", {"jti": "1"}, required=("jti", "scope"))
    refused(MissingClaimError, "exp", {}, required={"exp"})


def test_required_checks_presence_not_validity() -> None:
    refused(ExpiredTokenError, "exp", {"exp": NOW}, required=["exp"])


@pytest.mark.parametrize(
    ("expected", "found"),
    [
        ("at+jwt", "at+jwt"),
        ("at+jwt", "AT+JWT"),
        ("at+jwt", "application/at+jwt"),
        ("application/at+jwt", "at+jwt"),
        ("Application/AT+JWT", "application/at+JWT"),
        ("JWT", "jwt"),
    ],
)
def test_typ_matches_case_insensitively_with_optional_prefix(expected: str, found: str) -> None:
    decode({}, header={"typ": found}, typ=expected)


@pytest.mark.parametrize(
    ("expected", "found"),
    [
        ("at+jwt", "JWT"),
        ("at+jwt", "at+jwt "),
        ("at+jwt", "application/at+jwt/x"),
        ("at+jwt", "text/at+jwt"),
        ("at+jwt", "other/application/at+jwt"),
        ("example/test", "test"),
        ("at+jwt", 1),
        ("at+jwt", ["at+jwt"]),
    ],
)
def test_typ_mismatch(expected: str, found: object) -> None:
    with pytest.raises(InvalidHeaderError, match="typ"):
        decode({}, header={"typ": found}, typ=expected)


def test_typ_missing_when_expected() -> None:
    untyped = jws.sign(b"{}", hmac_key(), "HS256")
    with pytest.raises(InvalidHeaderError, match="no 'typ'"):
        jwt.decode(untyped, hmac_key(), algorithms=["HS256"], typ="at+jwt")


def test_typ_not_checked_when_not_asked() -> None:
    decode({}, header={"typ": "anything+jwt"})


# -- order and combination ---------------------------------------------------------------------


def test_all_options_together() -> None:
    claims = {
        "iss": "i",
        "sub": "s",
        "aud": ["a", "b"],
        "exp": NOW + 60,
        "nbf": NOW - 60,
        "iat": NOW - 60,
        "jti": "j",
    }
    result = decode(
        claims,
        header={"typ": "at+jwt"},
        issuer="i",
        audience="b",
        subject="s",
        leeway=5,
        required=["jti"],
        typ="at+jwt",
        max_age=120,
    )
    assert result.claims == claims


def test_claim_errors_are_distinct_types() -> None:
    kinds = {ExpiredTokenError, NotYetValidError, MissingClaimError, InvalidClaimError}
    assert all(issubclass(k, ClaimError) for k in kinds)
    assert len({k.__mro__[1] for k in kinds}) == 1
