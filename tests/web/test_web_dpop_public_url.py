"""``BearerVerifier(public_url=...)``: DPoP behind a TLS-terminating reverse proxy.

The client signs ``htu`` for the public URL; the application sees an internal scheme, host
and port. With ``public_url`` the expected ``htu`` is that base + the request's path, and no
request header (``Host``, ``X-Forwarded-*``) moves it (SECURITY-NOTES-2 §2 #2). FastAPI and
Starlette run under Starlette's TestClient, Flask under its own test client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from adapters import fastapi_app, flask_app, starlette_app
from web_helpers import AUDIENCE, ISSUER, NOW, Issuer

from josekit import cnf, dpop, jwk
from josekit.errors import BearerError, JoseError
from josekit.web import BearerVerifier

CLIENT = jwk.generate("EC", crv="P-256")
PUBLIC = "https://api.example.com/base"
INTERNAL = "http://10.0.0.5:8000"
# Per adapter, the route's path below the base (Starlette mounts /items/).
PATHS = {"fastapi": "/items", "starlette": "/items/", "flask": "/items"}
Get = Callable[[str, dict[str, str]], tuple[int, str]]


def verifier(issuer: Issuer, public_url: str | None = PUBLIC) -> BearerVerifier:
    return BearerVerifier(
        issuer.keys,
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["ES256"],
        dpop="required",
        public_url=public_url,
    )


def _clients(v: BearerVerifier) -> Iterator[dict[str, Get]]:
    from starlette.testclient import TestClient

    def through(client: Any) -> Get:
        def get(path: str, headers: dict[str, str]) -> tuple[int, str]:
            response = client.get(path, headers=headers)
            return response.status_code, response.headers.get("www-authenticate", "")

        return get

    with (
        TestClient(fastapi_app(v, v), base_url=INTERNAL) as fast,
        TestClient(starlette_app(v, v, v), base_url=INTERNAL) as star,
    ):
        flask_client = flask_app(v, v).test_client()

        def flask_get(path: str, headers: dict[str, str]) -> tuple[int, str]:
            response = flask_client.get(path, headers=headers, base_url=INTERNAL)
            return response.status_code, response.headers.get("WWW-Authenticate", "")

        yield {"fastapi": through(fast), "starlette": through(star), "flask": flask_get}


@pytest.fixture(scope="module")
def behind_proxy(issuer: Issuer) -> Iterator[dict[str, Get]]:
    yield from _clients(verifier(issuer))


@pytest.fixture(scope="module")
def without_public_url(issuer: Issuer) -> Iterator[dict[str, Get]]:
    yield from _clients(verifier(issuer, None))


def _headers(issuer: Issuer, htu: str, **extra: str) -> dict[str, str]:
    token = issuer.live_token(cnf=cnf.confirmation(CLIENT))
    proof = dpop.create_proof(CLIENT, "GET", htu, access_token=token)
    return {"Authorization": f"DPoP {token}", "DPoP": proof, **extra}


ADAPTERS = pytest.mark.parametrize("adapter", sorted(PATHS))


@ADAPTERS
def test_a_proof_for_the_public_url_passes_on_an_internal_request(
    behind_proxy: dict[str, Get], issuer: Issuer, adapter: str
) -> None:
    path = PATHS[adapter]
    status, _ = behind_proxy[adapter](path, _headers(issuer, PUBLIC + path))
    assert status == 200
    # The same proof target with the query the client sent: query is not part of htu.
    status, _ = behind_proxy[adapter](path + "?page=2", _headers(issuer, PUBLIC + path))
    assert status == 200


@ADAPTERS
def test_without_public_url_the_internal_url_is_expected(
    without_public_url: dict[str, Get], issuer: Issuer, adapter: str
) -> None:
    path = PATHS[adapter]
    status, challenge = without_public_url[adapter](path, _headers(issuer, PUBLIC + path))
    assert (status, 'error="invalid_dpop_proof"' in challenge) == (401, True)
    status, _ = without_public_url[adapter](path, _headers(issuer, INTERNAL + path))
    assert status == 200


@ADAPTERS
@pytest.mark.parametrize(
    "htu",
    [
        "https://other.example.com/base{path}",  # another host
        "https://api.example.com:8443/base{path}",  # another port
        "http://api.example.com/base{path}",  # another scheme
        "https://api.example.com{path}",  # the base left out
        "http://10.0.0.5:8000{path}",  # the URL the application sees
        "https://api.example.com/base/other",  # another path
    ],
)
def test_a_proof_for_another_url_fails(
    behind_proxy: dict[str, Get], issuer: Issuer, adapter: str, htu: str
) -> None:
    path = PATHS[adapter]
    status, challenge = behind_proxy[adapter](path, _headers(issuer, htu.format(path=path)))
    assert status == 401
    assert 'error="invalid_dpop_proof"' in challenge


@ADAPTERS
@pytest.mark.parametrize(
    ("spoofed", "htu"),
    [
        ({"Host": "evil.example"}, "https://evil.example{path}"),
        ({"Host": "evil.example"}, "http://evil.example/base{path}"),
        # A Host that would launder a proof for /base/other onto this route.
        ({"Host": "api.example.com/base/other?"}, "https://api.example.com/base/other"),
        (
            {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
            "https://evil.example{path}",
        ),
        ({"X-Forwarded-Prefix": "/other"}, "https://api.example.com/other{path}"),
    ],
)
def test_request_headers_do_not_move_the_expected_htu(
    behind_proxy: dict[str, Get],
    issuer: Issuer,
    adapter: str,
    spoofed: dict[str, str],
    htu: str,
) -> None:
    path = PATHS[adapter]
    get = behind_proxy[adapter]
    status, challenge = get(path, _headers(issuer, htu.format(path=path), **spoofed))
    assert status == 401
    assert 'error="invalid_dpop_proof"' in challenge
    # With the same headers, the proof for the configured public URL still passes.
    assert get(path, _headers(issuer, PUBLIC + path, **spoofed))[0] == 200


def _verify(v: BearerVerifier, issuer: Issuer, url: str, htu: str) -> None:
    token = issuer.token(cnf=cnf.confirmation(CLIENT))
    proof = dpop.create_proof(CLIENT, "GET", htu, access_token=token, iat=NOW)
    v.verify(f"DPoP {token}", method="GET", url=url, dpop=proof, now=NOW)


def test_the_path_is_taken_with_its_percent_encoding(issuer: Issuer) -> None:
    v = verifier(issuer)
    _verify(v, issuer, INTERNAL + "/a%2Fb?q=1#f", PUBLIC + "/a%2Fb")
    _verify(v, issuer, INTERNAL + "/a%7Eb", PUBLIC + "/a~b")  # unreserved: same URL
    with pytest.raises(BearerError):
        _verify(v, issuer, INTERNAL + "/a%2Fb", PUBLIC + "/a/b")


@pytest.mark.parametrize(
    ("public_url", "htu"),
    [
        ("https://API.example.com/base/", PUBLIC + "/x"),  # normalised, trailing / dropped
        ("https://api.example.com", "https://api.example.com/x"),
        ("https://api.example.com:443/", "https://api.example.com/x"),
        ("http://localhost:8000", "http://localhost:8000/x"),
        ("http://127.0.0.1/base", "http://127.0.0.1/base/x"),
        ("http://[::1]:9000", "http://[::1]:9000/x"),
    ],
)
def test_accepted_public_urls(issuer: Issuer, public_url: str, htu: str) -> None:
    _verify(verifier(issuer, public_url), issuer, "http://internal:1/x", htu)


@pytest.mark.parametrize(
    "public_url",
    [
        "http://api.example.com",  # plain http off loopback
        "http://10.0.0.5:8000",
        "ftp://api.example.com",
        "api.example.com",
        "/base",
        "",
        "https://",
        "https://user:secret@api.example.com",
        "https://api.example.com?tenant=1",
        "https://api.example.com/base?",
        "https://api.example.com/#top",
        "https://api.example.com/a b",
        "https://api.example.com:99999",
        b"https://api.example.com",
        42,
    ],
)
def test_a_bad_public_url_is_refused(issuer: Issuer, public_url: Any) -> None:
    with pytest.raises(JoseError, match="public_url must be") as raised:
        verifier(issuer, public_url)
    assert not isinstance(raised.value, BearerError)
    assert "secret" not in str(raised.value)
