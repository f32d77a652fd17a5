"""RFC 6750 §2.1 / RFC 9110 Authorization parsing and RFC 6750 §3 challenges."""

from __future__ import annotations

import pytest

from josekit.errors import JoseError
from josekit.web import MAX_CREDENTIALS, challenge
from josekit.web._header import HeaderRefused, parse_authorization, url_token


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_scheme_is_case_insensitive(scheme: str) -> None:
    found = parse_authorization(f"{scheme} abc.DEF-_~+/=")
    assert found is not None
    assert (found.scheme, found.token) == ("Bearer", "abc.DEF-_~+/=")


def test_dpop_scheme_is_recognised() -> None:
    found = parse_authorization("dpop abc")
    assert found is not None
    assert found.scheme == "DPoP"


def test_no_header_is_none() -> None:
    assert parse_authorization(None) is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("", "malformed"),
        ("Bearer", "malformed"),
        ("Bearer ", "malformed"),
        ("Bearer a b", "malformed"),
        ("Bearer a\tb", "malformed"),
        ('Bearer "abc"', "malformed"),
        ("Bearer abc=def", "malformed"),
        ("Bearer a\r\nX-Injected: 1", "malformed"),
        ("Bearer é", "malformed"),
        ("Bearerabc", "scheme"),
        ("Basic dXNlcjpwYXNz", "scheme"),
        ("Bearer abc, Bearer def", "multiple"),
        ("Bearer abc,def", "multiple"),
        ("Basic dXNlcjpwYXNz, Bearer abc", "multiple"),
        ("Bearer " + "a" * (MAX_CREDENTIALS + 1), "malformed"),
    ],
)
def test_bad_values_are_refused_never_anonymous(value: str, kind: str) -> None:
    with pytest.raises(HeaderRefused) as caught:
        parse_authorization(value)
    assert caught.value.kind == kind


def test_several_spaces_after_the_scheme_are_one_separator() -> None:
    found = parse_authorization("Bearer   abc")
    assert found is not None
    assert found.token == "abc"


def test_query_token() -> None:
    assert url_token("https://api.example/x?a=1") is None
    assert url_token(None) is None
    assert url_token("https://api.example/x?access_token=abc&a=1") == "abc"
    with pytest.raises(HeaderRefused, match="multiple"):
        url_token("https://api.example/x?access_token=a&access_token=b")
    with pytest.raises(HeaderRefused, match="malformed"):
        url_token("https://api.example/x?access_token=a%20b")


def test_challenge_shapes() -> None:
    assert challenge() == "Bearer"
    assert challenge(realm="api") == 'Bearer realm="api"'
    assert (
        challenge(realm="api", error="insufficient_scope", description="no", scope=["b", "a"])
        == 'Bearer realm="api", error="insufficient_scope", error_description="no", scope="b a"'
    )
    assert (
        challenge("DPoP", error="invalid_dpop_proof", algs=["ES256", "EdDSA"])
        == 'DPoP error="invalid_dpop_proof", algs="ES256 EdDSA"'
    )
    assert (
        challenge(resource_metadata="https://api.example/.well-known/oauth-protected-resource")
        == 'Bearer resource_metadata="https://api.example/.well-known/oauth-protected-resource"'
    )


@pytest.mark.parametrize(
    "evil",
    ['x"\r\nSet-Cookie: a=b', "x\r\nSet-Cookie: a=b", 'x", error="none', "x\\", "é", "x\x00"],
)
def test_challenge_values_cannot_inject(evil: str) -> None:
    for kwargs in (
        {"realm": evil},
        {"error": "invalid_token", "description": evil},
        {"resource_metadata": evil},
        {"scope": [evil]},
    ):
        with pytest.raises(JoseError):
            challenge(**kwargs)  # type: ignore[arg-type]


def test_challenge_refuses_unknown_codes_and_misplaced_parameters() -> None:
    with pytest.raises(JoseError, match="error code"):
        challenge(error="invalid_token\r\nX: y")
    with pytest.raises(JoseError, match="scheme"):
        challenge("Basic")
    with pytest.raises(JoseError, match="error_description"):
        challenge(description="orphan")
    with pytest.raises(JoseError, match="algs"):
        challenge(algs=["ES256"])
    with pytest.raises(JoseError, match="not a string"):
        challenge(scope="read")
