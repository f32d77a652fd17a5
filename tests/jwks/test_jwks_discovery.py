"""RemoteKeySet.from_issuer: OpenID Connect Discovery and RFC 8414 metadata."""

from __future__ import annotations

import json

import pytest
from jwks_helpers import Live, ec_keys

from josekit import jws
from josekit.errors import JWKSFetchError
from josekit.jwks import RemoteKeySet
from josekit.jwks._discovery import discovery_urls


def _doc(**members: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, json.dumps(members).encode()


# RFC 8414 §3.1 example; OpenID Connect Discovery §4.1 appends to the issuer's path.
@pytest.mark.parametrize(
    ("issuer", "expected"),
    [
        (
            "https://example.com/issuer1",
            [
                "https://example.com/issuer1/.well-known/openid-configuration",
                "https://example.com/.well-known/oauth-authorization-server/issuer1",
            ],
        ),
        (
            "https://example.com",
            [
                "https://example.com/.well-known/openid-configuration",
                "https://example.com/.well-known/oauth-authorization-server",
            ],
        ),
        (
            "https://example.com/tenant/a/",
            [
                "https://example.com/tenant/a/.well-known/openid-configuration",
                "https://example.com/.well-known/oauth-authorization-server/tenant/a",
            ],
        ),
    ],
)
def test_metadata_urls(issuer: str, expected: list[str]) -> None:
    assert discovery_urls(issuer, None, allow_http=False) == expected
    assert discovery_urls(issuer, "oauth-authorization-server", allow_http=False) == expected[1:]


@pytest.mark.parametrize(
    "issuer",
    ["https://example.com/?tenant=1", "https://example.com/#x", "http://example.com", "ftp://e"],
)
def test_bad_issuers_are_refused(issuer: str) -> None:
    with pytest.raises(JWKSFetchError):
        discovery_urls(issuer, None, allow_http=False)


def test_unknown_well_known_name_is_refused() -> None:
    with pytest.raises(JWKSFetchError, match="well_known"):
        discovery_urls("https://example.com", "jwks", allow_http=False)


def test_openid_discovery(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    live.app.routes["/.well-known/openid-configuration"] = _doc(issuer=live.base, jwks_uri=live.url)
    keys = RemoteKeySet.from_issuer(live.base)
    assert keys.url == live.url
    assert jws.verify(jws.sign(b"x", private[0], "ES256"), keys, algorithms=["ES256"]).payload
    assert live.hits("/.well-known/oauth-authorization-server") == 0


def test_rfc8414_fallback_with_path_insertion(live: Live) -> None:
    _, public = ec_keys("k1")
    issuer = live.base + "/tenant"
    live.app.status = 404
    live.app.routes["/.well-known/oauth-authorization-server/tenant"] = _doc(
        issuer=issuer, jwks_uri=live.base + "/keys"
    )
    live.app.routes["/keys"] = (200, {}, public.to_json().encode())
    keys = RemoteKeySet.from_issuer(issuer)
    assert [k.kid for k in keys.key_set()] == ["k1"]
    assert live.hits("/tenant/.well-known/openid-configuration") == 1


@pytest.mark.parametrize("suffix", ["/", "/other", "x"])
def test_mismatched_issuer_is_refused(live: Live, suffix: str) -> None:
    live.app.routes["/.well-known/openid-configuration"] = _doc(
        issuer=live.base + suffix, jwks_uri=live.url
    )
    with pytest.raises(JWKSFetchError, match="must match exactly"):
        RemoteKeySet.from_issuer(live.base)
    assert live.hits() == 0


def test_plain_http_jwks_uri_is_refused(live: Live) -> None:
    live.app.routes["/.well-known/openid-configuration"] = _doc(
        issuer=live.base, jwks_uri="http://issuer.example/jwks.json"
    )
    with pytest.raises(JWKSFetchError, match="plain HTTP"):
        RemoteKeySet.from_issuer(live.base)


def test_missing_jwks_uri_is_refused(live: Live) -> None:
    live.app.routes["/.well-known/openid-configuration"] = _doc(issuer=live.base)
    with pytest.raises(JWKSFetchError, match="jwks_uri"):
        RemoteKeySet.from_issuer(live.base)


def test_metadata_errors_are_reported(live: Live) -> None:
    live.app.status = 500
    with pytest.raises(JWKSFetchError, match="HTTP 500"):
        RemoteKeySet.from_issuer(live.base)
    live.app.status = 404
    with pytest.raises(JWKSFetchError, match="HTTP 404"):
        RemoteKeySet.from_issuer(live.base)
    live.app.status, live.app.body = 200, b"not json"
    with pytest.raises(JWKSFetchError, match="metadata document"):
        RemoteKeySet.from_issuer(live.base, well_known="openid-configuration")
