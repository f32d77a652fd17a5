"""DPoP through every framework adapter: the nonce challenge reaches the client with its
``DPoP-Nonce`` header, the retry with the nonce passes, a bound token sent as Bearer fails.

Starlette and FastAPI run under Starlette's TestClient, Flask and Django under their own test
clients; each app's verifier demands DPoP with server nonces.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from adapters import django_project, fastapi_app, flask_app, starlette_app
from web_helpers import AUDIENCE, ISSUER, Issuer

from josekit import cnf, dpop, jwk
from josekit.web import BearerVerifier

CLIENT = jwk.generate("EC", crv="P-256")
Send = Callable[[list[tuple[str, str]]], tuple[int, httpx.Headers]]


def dpop_verifier(issuer: Issuer) -> BearerVerifier:
    return BearerVerifier(
        issuer.keys,
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["ES256"],
        dpop="allowed",
        nonce=dpop.NonceIssuer(secrets.token_bytes(32)),
    )


def _httpx(client: Any) -> Send:
    def send(headers: list[tuple[str, str]]) -> tuple[int, httpx.Headers]:
        response = client.get("/items", headers=headers)
        return response.status_code, response.headers

    return send


@pytest.fixture(scope="module")
def apps(issuer: Issuer) -> Iterator[dict[str, tuple[str, Send]]]:
    """Per adapter: the URL of /items as the app sees it, and how to GET it."""
    from starlette.testclient import TestClient

    verifier = dpop_verifier(issuer)
    out: dict[str, tuple[str, Send]] = {}
    with (
        TestClient(fastapi_app(verifier, verifier), base_url="https://api.example") as fast,
        TestClient(
            starlette_app(verifier, verifier, verifier), base_url="https://api.example"
        ) as star,
    ):
        out["fastapi"] = ("https://api.example/items", _httpx(fast))
        out["starlette"] = ("https://api.example/items/", _httpx(star))
        flask_client = flask_app(verifier, verifier).test_client()

        def flask_send(headers: list[tuple[str, str]]) -> tuple[int, httpx.Headers]:
            response = flask_client.get("/items", headers=headers)
            return response.status_code, httpx.Headers(list(response.headers))

        out["flask"] = ("http://localhost/items", flask_send)
        cleanup, django_send = _django(verifier)
        out["django"] = ("http://testserver/items", django_send)
        yield out
        cleanup()


def _django(verifier: BearerVerifier) -> tuple[Callable[[], None], Send]:
    from django.test import Client

    project = django_project({"VERIFIER": "django_app.make_dpop_verifier"}, exception_handler=True)
    project.enable()
    import django_app

    django_app.VERIFIERS["dpop"] = verifier
    client = Client()

    def send(headers: list[tuple[str, str]]) -> tuple[int, httpx.Headers]:
        meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers}
        response = client.get("/items", **meta)
        return response.status_code, httpx.Headers(list(response.items()))

    return project.disable, send


@pytest.mark.parametrize("adapter", ["fastapi", "starlette", "flask", "django"])
def test_nonce_challenge_and_retry(
    apps: dict[str, tuple[str, Send]], issuer: Issuer, adapter: str
) -> None:
    url, send = apps[adapter]
    token = issuer.live_token(cnf=cnf.confirmation(CLIENT))

    def with_proof(nonce: str | None = None) -> list[tuple[str, str]]:
        proof = dpop.create_proof(CLIENT, "GET", url, access_token=token, nonce=nonce)
        return [("Authorization", f"DPoP {token}"), ("DPoP", proof)]

    status, headers = send(with_proof())
    assert status == 401
    assert 'error="use_dpop_nonce"' in headers["www-authenticate"]
    assert headers["www-authenticate"].startswith("DPoP ")
    assert headers["cache-control"] == "no-store"
    nonce = headers["dpop-nonce"]
    status, _ = send(with_proof(nonce))
    assert status == 200
    status, headers = send([("Authorization", f"Bearer {token}")])
    assert status == 401
    assert 'error="invalid_token"' in headers["www-authenticate"]
