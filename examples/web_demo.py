"""A protected API: a FastAPI endpoint accepts the issuer's access token and refuses a forgery.

The issuer publishes its keys (a KeyStore behind josekit's JWKS endpoint); the API verifies
every request's bearer token through a RemoteKeySet pointed at that endpoint. Both run with
uvicorn on loopback; the client is httpx. The API answers 200 with the caller's identity for
the issuer's token, and 401 with an RFC 6750 challenge for a token signed by anyone else, for
none at all, and 403 for a token without the scope a route needs.

Run it with ``python examples/web_demo.py`` (needs ``josekit[remote,server,fastapi]``).
"""

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated, Any

# (No ``from __future__ import annotations``: FastAPI reads the dependencies of the routes
# from their annotations, which name objects made in main().)
import httpx
import uvicorn
from fastapi import Depends, FastAPI, Security

from josekit import jwk, jwt
from josekit.integrations.fastapi import RequireToken
from josekit.jwks import JWKS_PATH, KeyStore, MemoryKeyStorage, RemoteKeySet, RotationPolicy
from josekit.jwks import create_app as jwks_app
from josekit.web import BearerVerifier, Principal

API = "https://api.example"


@contextmanager
def serve(app: Callable[..., Any]) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a free loopback port, in a thread; yield its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


def access_token(key: jwk.Key, issuer: str, scope: str) -> str:
    now = int(time.time())
    claims = {"iss": issuer, "aud": API, "sub": "alice", "client_id": "demo-app", "iat": now,
              "exp": now + 300, "jti": f"demo-{now}", "scope": scope}  # fmt: skip
    return jwt.encode(claims, key, "ES256", header={"typ": "at+jwt"})


def main() -> None:
    policy = RotationPolicy(
        alg="ES256",
        rotate_every=timedelta(days=7),
        publish_ahead=timedelta(hours=2),
        retire_after=timedelta(hours=3),
    )
    store = KeyStore(MemoryKeyStorage(), policy)
    store.rotate()
    with serve(jwks_app(store)) as issuer:
        verifier = BearerVerifier(
            RemoteKeySet(issuer + JWKS_PATH),
            issuer=issuer,
            audience=API,
            algorithms=["ES256"],
            realm="demo",
        )
        require_token = RequireToken(verifier)
        app = FastAPI()

        @app.get("/items")
        async def items(principal: Annotated[Principal, Depends(require_token)]) -> Any:
            return {"user": principal.subject, "scopes": sorted(principal.scopes)}

        @app.delete("/items")
        async def clear(
            principal: Annotated[Principal, Security(require_token, scopes=["items:write"])],
        ) -> Any:
            return {"cleared_by": principal.subject}

        genuine = access_token(store.signing_key(), issuer, "items:read")
        stranger = jwk.generate("EC", crv="P-256", kid=store.signing_key().kid)
        forged = access_token(stranger, issuer, "items:read items:write")
        with serve(app) as api, httpx.Client(base_url=api) as client:
            print(f"issuer {issuer} publishes its keys; the API runs at {api}")
            for label, method, token in (
                ("the issuer's token", "GET", genuine),
                ("a forged token (same kid, another key)", "GET", forged),
                ("no token", "GET", None),
                ("the issuer's token, a scope missing", "DELETE", genuine),
            ):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                response = client.request(method, "/items", headers=headers)
                challenge = response.headers.get("WWW-Authenticate")
                print(f"\n{method} /items with {label}: {response.status_code}")
                print(f"  body: {response.json()}")
                if challenge:
                    print(f"  WWW-Authenticate: {challenge}")
            assert client.get("/items", headers={"Authorization": f"Bearer {genuine}"}).is_success
            assert (
                client.get("/items", headers={"Authorization": f"Bearer {forged}"}).status_code
                == 401
            )


if __name__ == "__main__":
    main()
