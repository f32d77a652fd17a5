"""An MCP server built with the MCP Python SDK, protected by josekit's TokenVerifier."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from web_helpers import ISSUER, Issuer, closed_port_url

from josekit.errors import BearerError
from josekit.jwks import RemoteKeySet
from josekit.web import BearerVerifier

RESOURCE = "http://127.0.0.1:8000/mcp"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}


def verifier(keys: Any) -> BearerVerifier:
    return BearerVerifier(keys, issuer=ISSUER, audience=RESOURCE, algorithms=["ES256"])


def mcp_app(keys: Any) -> Any:
    from mcp.server.auth.settings import AuthSettings
    from mcp.server.mcpserver import MCPServer

    from josekit.integrations.mcp import TokenVerifier

    server: Any = MCPServer(
        "josekit-test",
        token_verifier=TokenVerifier(verifier(keys)),
        auth=AuthSettings(
            issuer_url=ISSUER,
            resource_server_url=RESOURCE,
            required_scopes=["read"],
            validate_token_resource=True,
        ),
    )

    @server.tool()
    def hello() -> str:
        return "hello"

    return server.streamable_http_app(json_response=True)


@pytest.fixture(scope="module")
def clients(issuer: Issuer) -> Iterator[dict[str, Any]]:
    from starlette.testclient import TestClient

    down = RemoteKeySet(closed_port_url(), timeout=2)
    base = "http://127.0.0.1:8000"
    with (
        TestClient(mcp_app(issuer.keys), base_url=base) as up,
        TestClient(mcp_app(down), base_url=base, raise_server_exceptions=False) as broken,
    ):
        yield {"up": up, "down": broken}
    down.close()


def post(client: Any, token: str | None) -> Any:
    headers = {"Accept": "application/json, text/event-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.post("/mcp", json=INITIALIZE, headers=headers)


def test_valid_token_reaches_the_server(clients: dict[str, Any], issuer: Issuer) -> None:
    response = post(clients["up"], issuer.live_token(aud=RESOURCE))
    assert response.status_code == 200
    assert response.json()["result"]["serverInfo"]["name"] == "josekit-test"


def test_no_token_is_401(clients: dict[str, Any]) -> None:
    response = post(clients["up"], None)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"aud": "https://other.example/mcp"}, id="another-resource"),
        pytest.param({"aud": RESOURCE, "iss": "https://evil.example"}, id="wrong-issuer"),
        pytest.param({"aud": RESOURCE, "exp": 1}, id="expired"),
        pytest.param({"aud": RESOURCE, "header": {"typ": "JWT"}}, id="wrong-typ"),
    ],
)
def test_refused_tokens_are_401(
    clients: dict[str, Any], issuer: Issuer, overrides: dict[str, Any]
) -> None:
    response = post(clients["up"], issuer.live_token(**overrides))
    assert response.status_code == 401


def test_forged_and_malformed_tokens_are_401(clients: dict[str, Any], issuer: Issuer) -> None:
    forged = Issuer(kid=issuer.kid).live_token(aud=RESOURCE)
    assert post(clients["up"], forged).status_code == 401
    # The SDK slices "Bearer " off the header; the rest still has to be one token68.
    good = issuer.live_token(aud=RESOURCE)
    assert post(clients["up"], f"{good} extra").status_code == 401


def test_missing_scope_is_403(clients: dict[str, Any], issuer: Issuer) -> None:
    response = post(clients["up"], issuer.live_token(aud=RESOURCE, scope="write"))
    assert response.status_code == 403
    assert "insufficient_scope" in response.headers["www-authenticate"]


def test_keys_down_is_a_server_error_not_a_401(clients: dict[str, Any], issuer: Issuer) -> None:
    response = post(clients["down"], issuer.live_token(aud=RESOURCE))
    assert response.status_code >= 500


def test_verify_token_contract(issuer: Issuer) -> None:
    from josekit.integrations.mcp import TokenVerifier

    async def main() -> None:
        tv = TokenVerifier(verifier(issuer.keys))
        token = issuer.live_token(aud=["https://x.example", RESOURCE])
        access = await tv.verify_token(token)
        assert access is not None
        assert (access.client_id, access.subject, access.resource) == (
            "client-1",
            "alice",
            RESOURCE,
        )
        assert access.scopes == ["read", "write"]
        assert access.claims is not None
        assert access.expires_at == access.claims["exp"]
        assert await tv.verify_token("not a token") is None
        with (
            RemoteKeySet(closed_port_url(), timeout=2) as down,
            pytest.raises(BearerError) as caught,
        ):
            await TokenVerifier(verifier(down)).verify_token(token)
        assert caught.value.status == 503

    asyncio.run(main())
