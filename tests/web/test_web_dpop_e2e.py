"""End to end: an httpx client with DPoPAuth against a FastAPI app that requires DPoP.

The app runs under uvicorn on a loopback port; it demands server nonces, so the first
request is answered ``use_dpop_nonce`` and DPoPAuth retries once with the ``DPoP-Nonce``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jwks_helpers import serve
from web_helpers import AUDIENCE, ISSUER, Issuer

from josekit import cnf, dpop, jwk
from josekit.web import BearerVerifier, Principal

fastapi = pytest.importorskip("fastapi")
from josekit.integrations.fastapi import RequireToken  # noqa: E402

CLIENT = jwk.generate("EC", crv="P-256")


@pytest.fixture(scope="module")
def api(issuer: Issuer) -> Iterator[str]:
    verifier = BearerVerifier(
        issuer.keys,
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["ES256"],
        dpop="required",
        nonce=dpop.NonceIssuer(secrets.token_bytes(32)),
    )
    app = fastapi.FastAPI()
    require_token = RequireToken(verifier)

    @app.post("/items")
    async def create(principal: Principal = fastapi.Depends(require_token)) -> dict[str, Any]:  # noqa: B008
        return {"subject": principal.subject, "jkt": principal.claims["cnf"]["jkt"]}

    with serve(app) as base:
        yield base


def client(auth: httpx.Auth, statuses: list[int]) -> httpx.Client:
    def record(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    return httpx.Client(auth=auth, event_hooks={"response": [record]}, timeout=10)


def test_dpop_request_with_the_nonce_round_trip(api: str, issuer: Issuer) -> None:
    token = issuer.live_token(cnf=cnf.confirmation(CLIENT))
    statuses: list[int] = []
    with client(dpop.DPoPAuth(CLIENT, access_token=token), statuses) as http:
        first = http.post(api + "/items", json={"name": "a"})
        assert first.status_code == 200
        assert first.json() == {"subject": "alice", "jkt": CLIENT.thumbprint()}
        assert statuses == [401, 200]  # use_dpop_nonce, then the retry with the nonce
        again = http.post(api + "/items?page=2", json={"name": "b"})
        assert again.status_code == 200
        assert statuses == [401, 200, 200]  # the nonce was kept


def test_nonce_challenge_headers(api: str, issuer: Issuer) -> None:
    token = issuer.live_token(cnf=cnf.confirmation(CLIENT))
    proof = dpop.create_proof(CLIENT, "POST", api + "/items", access_token=token)
    response = httpx.post(
        api + "/items", headers={"Authorization": f"DPoP {token}", "DPoP": proof}, timeout=10
    )
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("DPoP ")
    assert 'error="use_dpop_nonce"' in challenge
    assert 'algs="ES256 ES384 Ed25519 EdDSA PS256"' in challenge
    assert response.headers["dpop-nonce"]
    assert response.headers["cache-control"] == "no-store"


def test_a_stolen_token_is_useless_with_another_key(api: str, issuer: Issuer) -> None:
    token = issuer.live_token(cnf=cnf.confirmation(CLIENT))
    statuses: list[int] = []
    thief = dpop.DPoPAuth(jwk.generate("EC", crv="P-256"), access_token=token)
    with client(thief, statuses) as http:
        response = http.post(api + "/items", json={})
    assert response.status_code == 401
    assert 'error="invalid_dpop_proof"' in response.headers["www-authenticate"]
    assert statuses == [401, 401]


def test_a_bound_token_sent_as_bearer_is_refused(api: str, issuer: Issuer) -> None:
    token = issuer.live_token(cnf=cnf.confirmation(CLIENT))
    response = httpx.post(api + "/items", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("DPoP")


def test_a_proof_cannot_be_laundered_through_the_host_header(api: str, issuer: Issuer) -> None:
    """A proof captured for /other, sent to /items with ``Host: <api>/other?``: the URL the
    server compares with htu must not become ``<api>/other?/items`` (SECURITY-NOTES-2 §2 #2)."""
    token = issuer.live_token(cnf=cnf.confirmation(CLIENT))
    first = dpop.create_proof(CLIENT, "POST", api + "/items", access_token=token)
    asked = httpx.post(
        api + "/items", headers={"Authorization": f"DPoP {token}", "DPoP": first}, timeout=10
    )
    nonce = asked.headers["dpop-nonce"]
    host = api.removeprefix("http://") + "/other?"

    def send(path: str) -> httpx.Response:
        proof = dpop.create_proof(CLIENT, "POST", api + path, access_token=token, nonce=nonce)
        headers = {"Authorization": f"DPoP {token}", "DPoP": proof, "Host": host}
        return httpx.post(api + "/items", headers=headers, timeout=10)

    laundered = send("/other")
    assert laundered.status_code in (400, 401)
    # the control: the same request with a proof for the route itself passes
    assert send("/items").status_code == 200


def test_openapi_declares_the_dpop_scheme(api: str) -> None:
    schema = httpx.get(api + "/openapi.json", timeout=10).json()
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "DPoP",
    }
