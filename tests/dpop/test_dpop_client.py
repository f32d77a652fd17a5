"""DPoPAuth: a proof on every request, and one retry with the server's DPoP-Nonce."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from josekit import dpop, jwk
from josekit.errors import DPoPError, InvalidKeyError

KEY = jwk.generate("EC", crv="P-256")
ISSUER = dpop.NonceIssuer(b"n" * 32)


class Server:
    """An in-process resource server that verifies each proof and demands a nonce."""

    def __init__(self) -> None:
        self.proofs: list[dpop.DPoPProof] = []
        self.seen: list[tuple[dict[str, str], bytes]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        # httpx sends the same Request object again on a retry: keep what was sent each time
        self.seen.append((dict(request.headers), request.content))
        token = request.headers["authorization"].removeprefix("DPoP ")
        try:
            proof = dpop.verify_proof(
                request.headers["dpop"],
                method=request.method,
                url=str(request.url),
                algorithms=["ES256"],
                access_token=token,
                nonce=ISSUER,
            )
        except DPoPError as exc:
            error = "use_dpop_nonce" if exc.check == "nonce" else "invalid_dpop_proof"
            return httpx.Response(
                401,
                headers={
                    "WWW-Authenticate": f'DPoP error="{error}", algs="ES256"',
                    "DPoP-Nonce": ISSUER.new(),
                },
            )
        self.proofs.append(proof)
        return httpx.Response(200, headers={"DPoP-Nonce": ISSUER.new()}, text="ok")


def test_proof_and_nonce_round_trip() -> None:
    server = Server()
    auth = dpop.DPoPAuth(KEY, access_token="tok-1")
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        first = client.post("https://api.example/items?x=1", content=b"body")
        second = client.get("https://api.example/items")
    assert first.status_code == 200
    assert second.status_code == 200
    # the first request was retried once with the nonce; the second used the stored one
    assert len(server.seen) == 3
    assert [p.claims["htm"] for p in server.proofs] == ["POST", "GET"]
    assert server.seen[1][1] == b"body"
    assert server.seen[0][0]["dpop"] != server.seen[1][0]["dpop"]
    assert all(headers["authorization"] == "DPoP tok-1" for headers, _ in server.seen)


def test_retries_only_once() -> None:
    calls: list[httpx.Request] = []

    def always_nonce(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            401, headers={"WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "n"}
        )

    auth = dpop.DPoPAuth(KEY, access_token="t")
    with httpx.Client(transport=httpx.MockTransport(always_nonce), auth=auth) as client:
        assert client.get("https://api.example/").status_code == 401
    assert len(calls) == 2


def test_no_retry_on_other_errors() -> None:
    calls: list[dict[str, str]] = []

    def invalid(request: httpx.Request) -> httpx.Response:
        calls.append(dict(request.headers))
        return httpx.Response(
            401, headers={"WWW-Authenticate": 'DPoP error="invalid_dpop_proof"', "DPoP-Nonce": "n"}
        )

    with httpx.Client(transport=httpx.MockTransport(invalid), auth=dpop.DPoPAuth(KEY)) as client:
        client.get("https://api.example/")
    assert len(calls) == 1
    assert "authorization" not in calls[0]
    assert "dpop" in calls[0]


def test_async_client() -> None:
    server = Server()

    async def run() -> int:
        auth = dpop.DPoPAuth(KEY, access_token="tok")
        async with httpx.AsyncClient(transport=httpx.MockTransport(server), auth=auth) as c:
            return (await c.get("https://api.example/items")).status_code

    assert asyncio.run(run()) == 200
    assert len(server.seen) == 2


def test_unusable_keys_are_refused_at_once() -> None:
    with pytest.raises(InvalidKeyError):
        dpop.DPoPAuth(KEY.public())
    assert KEY.thumbprint() in repr(dpop.DPoPAuth(KEY, access_token="secret-token"))
    assert "secret-token" not in repr(dpop.DPoPAuth(KEY, access_token="secret-token"))


def _token_endpoint(calls: list[dict[str, str]]) -> httpx.MockTransport:
    """An authorization server that demands a nonce the RFC 9449 §8 way: 400, JSON error."""

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(dict(request.headers))
        proof = dpop.verify_proof(
            request.headers["dpop"], method="POST", url=str(request.url), algorithms=["ES256"]
        )
        if proof.claims.get("nonce") != "as-nonce-1":
            return httpx.Response(
                400, headers={"DPoP-Nonce": "as-nonce-1"}, json={"error": "use_dpop_nonce"}
            )
        return httpx.Response(200, json={"access_token": "t", "token_type": "DPoP"})

    return httpx.MockTransport(handle)


def test_token_endpoint_nonce_sync_and_async() -> None:
    calls: list[dict[str, str]] = []
    with httpx.Client(transport=_token_endpoint(calls), auth=dpop.DPoPAuth(KEY)) as client:
        assert client.post("https://as.example/token", data={"grant_type": "x"}).status_code == 200
    assert len(calls) == 2

    async def run() -> int:
        async with httpx.AsyncClient(
            transport=_token_endpoint(calls), auth=dpop.DPoPAuth(KEY)
        ) as client:
            return (await client.post("https://as.example/token", data={})).status_code

    assert asyncio.run(run()) == 200
    assert len(calls) == 4


def test_a_plain_400_is_not_retried() -> None:
    calls: list[dict[str, str]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(dict(request.headers))
        return httpx.Response(400, headers={"DPoP-Nonce": "n"}, json={"error": "invalid_grant"})

    with httpx.Client(transport=httpx.MockTransport(handle), auth=dpop.DPoPAuth(KEY)) as client:
        assert client.post("https://as.example/token").status_code == 400
    assert len(calls) == 1
