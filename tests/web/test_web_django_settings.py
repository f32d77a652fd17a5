"""Django REST framework configured by settings.JOSEKIT alone, DPoP across replicas included:
the key set from a loopback JWKS endpoint, server nonces from DPOP_NONCE_SECRET, proofs
recorded in a real Redis (REPLAY_CACHE), shared by two "replicas" (two verifiers)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from adapters import django_project
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from web_helpers import AUDIENCE, ISSUER, Issuer

from _uvicorn import serve
from josekit import cnf, dpop, jwk
from josekit.errors import JoseError

CLIENT = jwk.generate("EC", crv="P-256")
SECRET = secrets.token_bytes(32)


@pytest.fixture(scope="module")
def jwks_url(issuer: Issuer) -> Iterator[str]:
    async def keys(request: Any) -> JSONResponse:
        return JSONResponse(issuer.keys.to_dict())

    with serve(Starlette(routes=[Route("/jwks.json", keys)])) as url:
        yield f"{url}/jwks.json"


def _project(config: dict[str, Any]) -> tuple[Callable[[], None], Any]:
    from django.test import Client

    project = django_project(config, exception_handler=True)
    project.enable()
    return project.disable, Client()


def _get(client: Any, token: str, proof: str) -> Any:
    return client.get("/items", HTTP_AUTHORIZATION=f"DPoP {token}", HTTP_DPOP=proof)


def test_settings_alone_give_dpop_with_shared_nonces_and_replay_cache(
    issuer: Issuer, jwks_url: str, redis_url: str
) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    url = "http://testserver/items"
    token = issuer.live_token(cnf=cnf.confirmation(CLIENT))
    config = {
        "JWKS_URL": jwks_url,
        "ISSUER": ISSUER,
        "AUDIENCE": AUDIENCE,
        "ALGORITHMS": ["ES256"],
        "DPOP": "required",
        "DPOP_ALGORITHMS": ["ES256"],
        "DPOP_NONCE_SECRET": SECRET,
        "REPLAY_CACHE": redis_url,
    }
    disable, client = _project(config)
    try:
        first = _get(client, token, dpop.create_proof(CLIENT, "GET", url, access_token=token))
        assert first.status_code == 401
        assert 'error="use_dpop_nonce"' in first["WWW-Authenticate"]
        nonce = first["DPoP-Nonce"]
        proof = dpop.create_proof(CLIENT, "GET", url, access_token=token, nonce=nonce)
        ok = _get(client, token, proof)
        assert ok.status_code == 200, ok.content
        assert ok.json()["sub"] == "alice"
    finally:
        disable()
    # Another replica: the same settings in a new configuration (a new verifier, another
    # process in production) takes the nonce, and knows the proof was already used.
    disable, client = _project({**config, "REALM": "replica-2"})
    try:
        replayed = _get(client, token, proof)
        assert replayed.status_code == 401
        assert "invalid_dpop_proof" in replayed["WWW-Authenticate"]
        fresh = dpop.create_proof(CLIENT, "GET", url, access_token=token, nonce=nonce)
        assert _get(client, token, fresh).status_code == 200
    finally:
        disable()


@pytest.mark.parametrize(
    ("key", "value"),
    [("DPOP_NONCE_SECRET", b"too short"), ("REPLAY_CACHE", "memcached://127.0.0.1")],
)
def test_dpop_settings_mistakes_are_explained(jwks_url: str, key: str, value: Any) -> None:
    from josekit.integrations.django import get_verifier

    config = {"JWKS_URL": jwks_url, "ISSUER": ISSUER, "AUDIENCE": AUDIENCE}
    disable, _ = _project({**config, "ALGORITHMS": ["ES256"], key: value})
    try:
        with pytest.raises(JoseError, match=key if key == "REPLAY_CACHE" else "secret"):
            get_verifier()
    finally:
        disable()
