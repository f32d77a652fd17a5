"""The RFC 6750 cases, run against every framework adapter with the real framework.

FastAPI runs under uvicorn on 127.0.0.1 and verifies through a RemoteKeySet pointed at a
josekit KeyStore endpoint (also under uvicorn); Starlette runs under its TestClient, Flask
and Django under their own test clients.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from adapters import Harness, Reply, django_project, fastapi_app, flask_app, starlette_app
from jwks_helpers import Clock, serve
from web_helpers import AUDIENCE, ISSUER, Issuer, closed_port_url

from josekit.jwks import (
    JWKS_PATH,
    KeyStore,
    MemoryKeyStorage,
    RemoteKeySet,
    RotationPolicy,
    create_app,
)
from josekit.web import REFUSALS, BearerVerifier

INVALID = REFUSALS["invalid_token"].description
ADAPTERS = ["fastapi", "starlette", "flask", "django"]
POLICY = RotationPolicy(
    alg="ES256",
    rotate_every=timedelta(minutes=10),
    publish_ahead=timedelta(minutes=3),
    retire_after=timedelta(minutes=16),
)
T0 = 1_800_000_000


def make_verifier(keys: Any, **options: Any) -> BearerVerifier:
    return BearerVerifier(keys, issuer=ISSUER, audience=AUDIENCE, algorithms=["ES256"], **options)


def _httpx_send(client: httpx.Client) -> Callable[..., Reply]:
    def send(
        path: str, headers: list[tuple[str, str]], form: dict[str, str] | None = None
    ) -> Reply:
        if form is None:
            response = client.get(path, headers=headers)
        else:
            response = client.post(path, headers=headers, data=form)
        return response.status_code, response.headers, _json(response.content)

    return send


def _json(content: bytes) -> Any:
    import json

    try:
        return json.loads(content)
    except ValueError:
        return None


class Provider:
    """A KeyStore published by the josekit endpoint under uvicorn; ``clock`` drives the cache."""

    def __init__(self) -> None:
        self.store = KeyStore(MemoryKeyStorage(), POLICY)
        self.store.rotate(now=T0)
        self.clock = Clock()


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[Provider, str]]:
    p = Provider()
    with serve(create_app(p.store, max_age=60)) as base:
        yield p, base + JWKS_PATH


@pytest.fixture(scope="module")
def fastapi_live(provider: tuple[Provider, str]) -> Iterator[tuple[Harness, RemoteKeySet]]:
    p, url = provider
    keys = RemoteKeySet(url, cooldown=30, clock=p.clock)
    down = RemoteKeySet(closed_port_url(), timeout=2)
    app = fastapi_app(make_verifier(keys), make_verifier(down))
    issuer = Issuer(signer=p.store.signing_key)
    with serve(app) as base, httpx.Client(base_url=base) as client:
        yield Harness("fastapi", _httpx_send(client), issuer.live_token), keys
    keys.close()
    down.close()


@pytest.fixture(scope="module")
def in_process(issuer: Issuer) -> Iterator[dict[str, Harness]]:
    from starlette.testclient import TestClient

    down_keys = RemoteKeySet(closed_port_url(), timeout=2)
    verifier = make_verifier(issuer.keys)
    down = make_verifier(down_keys)
    harnesses: dict[str, Harness] = {}

    app = starlette_app(verifier, make_verifier(issuer.keys, required_scopes=["admin"]), down)
    with TestClient(app, base_url="https://api.example") as client:
        harnesses["starlette"] = Harness("starlette", _httpx_send(client), issuer.live_token)

        flask_client = flask_app(verifier, down).test_client()

        def flask_send(
            path: str, headers: list[tuple[str, str]], form: dict[str, str] | None = None
        ) -> Reply:
            if form is None:
                response = flask_client.get(path, headers=headers)
            else:
                response = flask_client.post(path, headers=headers, data=form)
            return response.status_code, httpx.Headers(list(response.headers)), response.get_json()

        harnesses["flask"] = Harness("flask", flask_send, issuer.live_token)
        cleanups: list[Callable[[], None]] = []
        django_send = _django_send(verifier, down, cleanups)
        harnesses["django"] = Harness("django", django_send, issuer.live_token)
        yield harnesses
    for cleanup in cleanups:
        cleanup()
    down_keys.close()


def _django_send(
    verifier: BearerVerifier, down: BearerVerifier, cleanups: list[Callable[[], None]]
) -> Callable[..., Reply]:
    from django.test import Client

    project = django_project({"VERIFIER": "django_app.make_verifier"})
    project.enable()
    cleanups.append(project.disable)
    # The views read DRF's defaults when their classes are made: import them after.
    import django_app

    django_app.VERIFIERS.update(main=verifier, down=down)
    client = Client()

    def send(
        path: str, headers: list[tuple[str, str]], form: dict[str, str] | None = None
    ) -> Reply:
        meta: dict[str, str] = {}
        for name, value in headers:
            key = "HTTP_" + name.upper().replace("-", "_")
            # A WSGI server joins repeated header lines with ", ": so does this.
            meta[key] = f"{meta[key]}, {value}" if key in meta else value
        url = "/" + path.lstrip("/")
        if form is None:
            response = client.get(url, **meta)
        else:
            form_type = "application/x-www-form-urlencoded"
            response = client.post(url, urlencode(form), content_type=form_type, **meta)
        return response.status_code, httpx.Headers(list(response.items())), _json(response.content)

    return send


@pytest.fixture(params=ADAPTERS)
def api(request: pytest.FixtureRequest) -> Harness:
    if request.param == "fastapi":
        harness: Harness = request.getfixturevalue("fastapi_live")[0]
        return harness
    harnesses: dict[str, Harness] = request.getfixturevalue("in_process")
    return harnesses[request.param]


def bearer(token: str) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {token}")]


def test_valid_token_gives_200_with_the_principal(api: Harness) -> None:
    status, _, body = api.send("/items", bearer(api.sign()))
    assert status == 200
    assert body == {"sub": "alice", "scopes": ["read", "write"]}


def test_no_header_is_401_with_a_bare_challenge(api: Harness) -> None:
    status, headers, _ = api.send("/items", [])
    assert status == 401
    assert headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("headers", "status", "challenge"),
    [
        pytest.param(
            [("Authorization", "Bearer")], 400, 'Bearer error="invalid_request"', id="no-token"
        ),
        pytest.param(
            [("Authorization", "Bearer a b")], 400, 'Bearer error="invalid_request"', id="junk"
        ),
        pytest.param(
            [("Authorization", "Bearer abc"), ("Authorization", "Bearer def")],
            400,
            'Bearer error="invalid_request"',
            id="two-headers",
        ),
        pytest.param([("Authorization", "Basic dXNlcjpwYXNz")], 401, "Bearer", id="wrong-scheme"),
    ],
)
def test_bad_headers(
    api: Harness, headers: list[tuple[str, str]], status: int, challenge: str
) -> None:
    got, response_headers, _ = api.send("/items", headers)
    assert got == status
    assert response_headers["www-authenticate"].startswith(challenge)
    if challenge == "Bearer":
        assert response_headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"forge": True}, id="bad-signature"),
        pytest.param({"exp": int(time.time()) - 60}, id="expired"),
        pytest.param({"iss": "https://evil.example"}, id="wrong-issuer"),
        pytest.param({"aud": "https://other.example"}, id="wrong-audience"),
        pytest.param({"header": {"typ": "JWT"}}, id="wrong-typ"),
    ],
)
def test_bad_tokens_are_401_invalid_token(api: Harness, overrides: dict[str, Any]) -> None:
    overrides = dict(overrides)  # the parameter is shared by every adapter's run
    if overrides.pop("forge", False):
        token = Issuer(kid=_kid(api.sign())).live_token()
    else:
        token = api.sign(**overrides)
    status, headers, _ = api.send("/items", bearer(token))
    assert status == 401
    assert headers["www-authenticate"] == (
        f'Bearer error="invalid_token", error_description="{INVALID}"'
    )


def _kid(token: str) -> str:
    import base64
    import json

    segment = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))["kid"])


def test_missing_scope_is_403_insufficient_scope(api: Harness) -> None:
    status, headers, _ = api.send("/admin", bearer(api.sign()))
    assert status == 403
    challenge = headers["www-authenticate"]
    assert challenge.startswith('Bearer error="insufficient_scope"')
    assert 'scope="admin"' in challenge
    assert api.send("/admin", bearer(api.sign(scope="read admin")))[0] == 200


def test_jwks_down_is_503(api: Harness) -> None:
    status, headers, _ = api.send("/down", bearer(api.sign()))
    assert status == 503
    assert "www-authenticate" not in headers
    assert headers["retry-after"] == "30"


def test_injection_through_the_token_cannot_add_headers(api: Harness) -> None:
    evil = '"\r\nSet-Cookie: session=stolen'
    for token in (api.sign(iss=evil), api.sign(header={"typ": evil}), api.sign(scope=evil)):
        status, headers, body = api.send("/admin", bearer(token))
        assert status in (401, 403)
        assert "set-cookie" not in headers
        assert "\n" not in headers["www-authenticate"]
        assert "stolen" not in str(body)


def test_token_in_the_query_string_is_refused(api: Harness) -> None:
    status, headers, body = api.send(f"/items?access_token={api.sign()}", [])
    assert status == 400
    assert headers["www-authenticate"].startswith('Bearer error="invalid_request"')
    assert "eyJ" not in str(body)


@pytest.mark.parametrize("name", ["access%5Ftoken", "%61ccess_token"])
def test_a_percent_encoded_query_token_is_the_same_parameter(api: Harness, name: str) -> None:
    # With a header token too: two methods at once are refused, however the name is spelt.
    status, headers, _ = api.send(f"/items?{name}={api.sign()}", bearer(api.sign()))
    assert status == 400
    assert headers["www-authenticate"].startswith('Bearer error="invalid_request"')


def test_fastapi_follows_the_key_store_as_it_rotates(
    fastapi_live: tuple[Harness, RemoteKeySet], provider: tuple[Provider, str]
) -> None:
    api, keys = fastapi_live
    p, _ = provider
    first = api.sign()
    assert api.send("/items", bearer(first))[0] == 200
    # The next key is published ahead, then becomes the signing key.
    p.store.rotate(now=T0 + 8 * 60)
    p.store.rotate(now=T0 + 12 * 60)
    second = api.sign()
    assert _kid(second) != _kid(first)
    p.clock.advance(31)  # past the cooldown: the unknown kid may trigger one refetch
    assert api.send("/items", bearer(second))[0] == 200
    assert api.send("/items", bearer(first))[0] == 200
    # Long after, the first key is retired and unpublished; once the cache refreshes, its
    # tokens are refused as invalid (not as an outage).
    p.store.rotate(now=T0 + 40 * 60)
    p.store.rotate(now=T0 + 60 * 60)
    p.clock.advance(3600)
    assert _kid(first) not in {k.kid for k in keys.refresh()}
    status, headers, _ = api.send("/items", bearer(first))
    assert (status, headers["www-authenticate"].split(",")[0]) == (
        401,
        'Bearer error="invalid_token"',
    )
    assert api.send("/items", bearer(api.sign()))[0] == 200


def test_fastapi_declares_the_bearer_scheme_in_openapi(
    fastapi_live: tuple[Harness, RemoteKeySet],
) -> None:
    api, _ = fastapi_live
    status, _, schema = api.send("/openapi.json", [])
    assert status == 200
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert schema["paths"]["/items"]["get"]["security"] == [{"BearerToken": []}]


@pytest.mark.parametrize("name", ["fastapi", "flask", "django"])
def test_token_in_a_form_body_is_refused(request: pytest.FixtureRequest, name: str) -> None:
    if name == "fastapi":
        api: Harness = request.getfixturevalue("fastapi_live")[0]
    else:
        api = request.getfixturevalue("in_process")[name]
    token = api.sign()
    status, headers, body = api.send("/items", [], {"access_token": token, "note": "x"})
    assert status == 400
    assert headers["www-authenticate"].startswith('Bearer error="invalid_request"')
    assert token not in str(body)
    # A form without a token does not disturb the header's token.
    assert api.send("/items", bearer(token), {"note": "x"})[0] == 200
    assert api.send("/items", bearer(token), {"access_token": token})[0] == 400
