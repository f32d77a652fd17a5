"""Adapter options beyond the shared case table: Starlette's optional mode, DRF settings."""

from __future__ import annotations

from typing import Any

import pytest
from web_helpers import AUDIENCE, ISSUER, Issuer

from josekit.errors import JoseError
from josekit.web import BearerVerifier


def _verifier(issuer: Issuer) -> BearerVerifier:
    return BearerVerifier(issuer.keys, issuer=ISSUER, audience=AUDIENCE, algorithms=["ES256"])


def test_starlette_optional_lets_anonymous_requests_through(issuer: Issuer) -> None:
    from starlette.applications import Starlette
    from starlette.authentication import requires
    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from josekit.integrations.starlette import BearerAuthBackend, on_error

    async def public(request: Request) -> JSONResponse:
        return JSONResponse({"authenticated": request.user.is_authenticated})

    @requires("read")
    async def private(request: Request) -> JSONResponse:
        return JSONResponse({"user": request.user.display_name})

    backend = BearerAuthBackend(_verifier(issuer), optional=True)
    app = Starlette(
        routes=[Route("/public", public), Route("/private", private)],
        middleware=[Middleware(AuthenticationMiddleware, backend=backend, on_error=on_error)],
    )
    client = TestClient(app)
    assert client.get("/public").json() == {"authenticated": False}
    assert client.get("/private").status_code == 403  # Starlette's own answer to @requires
    good = {"Authorization": f"Bearer {issuer.live_token()}"}
    assert client.get("/private", headers=good).json() == {"user": "alice"}
    bad = client.get("/public", headers={"Authorization": "Bearer a b"})
    assert bad.status_code == 400  # a bad credential is refused, never anonymous
    assert bad.json()["error"] == "invalid_request"


def _django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(INSTALLED_APPS=["rest_framework"], DATABASES={})
        django.setup()


@pytest.mark.parametrize(
    "config",
    [
        {"ISSUER": ISSUER},
        {"JWKS_URL": "https://issuer.example/jwks", "ISSUER": ISSUER, "AUDIENCE": AUDIENCE},
        {"JWKS_URL": "https://issuer.example/jwks", "ISSUER": ISSUER, "SCOPES": ["x"]},
        {"VERIFIER": "josekit.web.challenge"},
    ],
)
def test_drf_settings_mistakes_are_explained(config: dict[str, Any]) -> None:
    from django.test import override_settings

    _django()
    from josekit.integrations.django import get_verifier

    with override_settings(JOSEKIT=config), pytest.raises(JoseError):
        get_verifier()


def test_drf_settings_build_one_verifier_per_configuration() -> None:
    from django.test import override_settings

    _django()
    from josekit.integrations.django import get_verifier

    config = {
        "JWKS_URL": "https://issuer.example/.well-known/jwks.json",
        "ISSUER": ISSUER,
        "AUDIENCE": AUDIENCE,
        "ALGORITHMS": ["ES256"],
        "REQUIRED_SCOPES": ["read"],
    }
    with override_settings(JOSEKIT=config):
        first = get_verifier()
        assert get_verifier() is first
        assert first.audience == AUDIENCE
    with override_settings(JOSEKIT={**config, "AUDIENCE": "https://other.example"}):
        assert get_verifier() is not first
