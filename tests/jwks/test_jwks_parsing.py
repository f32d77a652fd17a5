"""Attacker-controlled text (headers, URLs, metadata) never escapes as a bare Python error."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from josekit.errors import JWKSFetchError
from josekit.jwks._http import check_url, ttl_from_headers

_header_text = st.text(
    alphabet=st.sampled_from(list("max-age=no-cache,store \"'0123456789\u00b2\u0662;-+.e")),
    max_size=60,
)


@settings(max_examples=50, deadline=None)
@given(cache_control=_header_text, age=_header_text)
def test_freshness_is_always_within_bounds(cache_control: str, age: str) -> None:
    ttl = ttl_from_headers({"cache-control": cache_control, "age": age}, 300.0, 30.0, 86400.0)
    assert 30.0 <= ttl <= 86400.0


@settings(max_examples=50, deadline=None)
@given(url=st.text(max_size=80) | st.from_regex(r"\Ahttps?://[\[\]a-z0-9.:@%/-]{0,40}\Z"))
def test_urls_are_accepted_or_refused_with_jwks_fetch_error(url: str) -> None:
    try:
        accepted = check_url(url, allow_http=False)
    except JWKSFetchError:
        return
    assert accepted == url
    parts = urlsplit(url)
    assert parts.scheme in ("https", "http")
    assert parts.hostname
    if parts.scheme == "http":
        host = parts.hostname
        assert host == "localhost" or ipaddress.ip_address(host).is_loopback
