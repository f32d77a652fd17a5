"""A protected FastAPI endpoint, in process: josekit against PyJWT, joserfc and the floor.

Each library guards the same ``GET /items`` of a FastAPI app, called over
``httpx.ASGITransport`` (no sockets, so the figure is the framework plus token verification),
the way its documentation shows:

* josekit: ``Depends(RequireToken(BearerVerifier(AsyncRemoteKeySet(jwks_url), ...)))``;
* PyJWT: FastAPI's ``HTTPBearer`` and ``PyJWKClient(jwks_url).get_signing_key_from_jwt``,
  then ``jwt.decode_complete`` with the claims required and the header's ``typ`` compared;
* joserfc: ``HTTPBearer``, the JWK Set fetched once with httpx, ``jwt.decode``, a
  ``JWTClaimsRegistry`` and the header's ``typ`` compared;
* the floor: ``HTTPBearer`` and the JWT floor of :mod:`bench_jwt` (pyca/cryptography, json),
  plus the ``client_id`` and ``typ`` checks.

The key sets come from a josekit JWKS endpoint under uvicorn on 127.0.0.1, fetched once and
then cached by each library. Every endpoint checks what RFC 9068 requires of a JWT access
token: ``typ`` ``at+jwt``, the signature, ``iss``, ``aud``, ``exp``/``nbf``/``iat``, and the
claims ``iss exp aud sub client_id iat jti`` present. Each must answer 200 with the claims for
a valid token and refuse an expired one, one not yet valid, a wrong issuer, a wrong audience,
one without ``sub``, ``jti`` or ``client_id``, one typed ``JWT``, and a damaged signature.

josekit does more per request than the peers' endpoints, and this is not taken off its
figure: the ``Authorization`` header is parsed strictly (RFC 6750 token68, one credential,
the scheme against the DPoP mode; ``HTTPBearer`` splits on a space), a token bound to a key
(``cnf``) is refused as a Bearer token, the ``scope`` claim is checked and parsed into a
:class:`~josekit.web.Principal`, and a token whose key the cache does not hold has its issuer
peeked at before any fetch. Requests per second are 1e6 divided by the figure in
microseconds.

(No ``from __future__ import annotations``: FastAPI reads the routes' dependencies from
their annotations, which name local objects.)
"""

import asyncio
import functools
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

import httpx
import uvicorn
from _harness import FLOOR, JOSEKIT, Benchmark, Codec, Prepared, Target, consume_case
from bench_jws import b64d, material
from bench_jwt import AUDIENCE, ISSUER, claims_now, floor_codec, invalid_variants
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jwk as rfc_jwk
from joserfc import jwt as rfc_jwt

import jwt as pyjwt
from josekit import Key, KeySet, jwt
from josekit.integrations.fastapi import RequireToken
from josekit.jwks import AsyncRemoteKeySet, create_app
from josekit.web import BearerVerifier, Principal

__all__ = ["benchmarks"]

KID = "bench-key"
REQUIRED = ["exp", "iat", "iss", "aud", "sub", "client_id", "jti"]
TYP = "at+jwt"
Bearer = Annotated[HTTPAuthorizationCredentials, Depends(HTTPBearer())]


class _Published:
    """The public key set the JWKS endpoint serves."""

    def __init__(self, keys: KeySet) -> None:
        self.keys = keys

    def public_key_set(self) -> KeySet:
        return self.keys


def _serve(app: Any) -> str:
    """Run ``app`` with uvicorn on a loopback port in a daemon thread; its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="error", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _codec(library: str, app: FastAPI, loop: asyncio.AbstractEventLoop, sign: Any) -> Codec:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")

    def consume(token: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"}
        response = loop.run_until_complete(client.get("/items", headers=headers))
        if response.status_code != 200:
            raise ValueError(f"refused with {response.status_code}")
        claims: dict[str, Any] = response.json()
        return claims

    return Codec(library, sign, consume)


@functools.cache
def _setup() -> tuple[list[Codec], Callable[[dict[str, Any]], str]]:
    m = material("ES256")
    signing = Key.import_key(m.private, kid=KID)
    jwks_url = _serve(create_app(_Published(KeySet([signing.public()])))) + "/.well-known/jwks.json"
    loop = asyncio.new_event_loop()

    def sign(claims: dict[str, Any], typ: str = TYP) -> str:
        return jwt.encode(claims, signing, "ES256", header={"typ": typ})

    # josekit
    verifier = BearerVerifier(
        AsyncRemoteKeySet(jwks_url), issuer=ISSUER, audience=AUDIENCE, algorithms=["ES256"]
    )
    josekit_app = FastAPI()

    @josekit_app.get("/items")
    async def josekit_items(
        principal: Annotated[Principal, Depends(RequireToken(verifier))],
    ) -> dict[str, Any]:
        return dict(principal.claims)

    # PyJWT
    jwks_client = pyjwt.PyJWKClient(jwks_url)
    pyjwt_app = FastAPI()

    @pyjwt_app.get("/items")
    async def pyjwt_items(credentials: Bearer) -> dict[str, Any]:
        token = credentials.credentials
        try:
            key = jwks_client.get_signing_key_from_jwt(token)
            decoded = pyjwt.decode_complete(
                token,
                key.key,
                algorithms=["ES256"],
                issuer=ISSUER,
                audience=AUDIENCE,
                options={"require": REQUIRED},
            )
        except pyjwt.PyJWTError:
            raise HTTPException(401, "invalid token") from None
        if decoded["header"].get("typ") != TYP:
            raise HTTPException(401, "invalid token")
        return dict(decoded["payload"])

    # joserfc
    rfc_keys = rfc_jwk.KeySet.import_key_set(httpx.get(jwks_url).json())
    registry = rfc_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        **{name: {"essential": True} for name in ("sub", "client_id", "jti", "exp", "iat")},
    )
    joserfc_app = FastAPI()

    @joserfc_app.get("/items")
    async def joserfc_items(credentials: Bearer) -> dict[str, Any]:
        try:
            decoded = rfc_jwt.decode(credentials.credentials, rfc_keys, algorithms=["ES256"])
            registry.validate(decoded.claims)
        except Exception:
            raise HTTPException(401, "invalid token") from None
        if decoded.header.get("typ") != TYP:
            raise HTTPException(401, "invalid token")
        return dict(decoded.claims)

    # the floor
    floor_consume = floor_codec(m).consume
    floor_app = FastAPI()

    @floor_app.get("/items")
    async def floor_items(credentials: Bearer) -> dict[str, Any]:
        token = credentials.credentials
        try:
            claims = floor_consume(token)
            typ = json.loads(b64d(token[: token.index(".")]))["typ"]
        except Exception:
            raise HTTPException(401, "invalid token") from None
        if typ != TYP or not isinstance(claims.get("client_id"), str):
            raise HTTPException(401, "invalid token")
        return claims

    codecs = [
        _codec(JOSEKIT, josekit_app, loop, sign),
        _codec(FLOOR, floor_app, loop, sign),
        _codec("PyJWT", pyjwt_app, loop, sign),
        _codec("joserfc", joserfc_app, loop, sign),
    ]
    return codecs, sign


def _claims(serial: int = 0) -> dict[str, Any]:
    return {**claims_now(serial), "client_id": "bench-client"}


def _request() -> Prepared:
    codecs, sign = _setup()
    return consume_case(
        codecs,
        _claims(),
        variants=[_claims(i) for i in range(1, 16)],
        unsupported={
            "jwcrypto": "n/a: not compared for web endpoints",
            "python-jose": "n/a: not compared for web endpoints",
        },
        must_reject=lambda token: [
            *(sign(c) for c in invalid_variants(_claims())),
            sign({k: v for k, v in _claims().items() if k != "client_id"}),
            sign(_claims(), typ="JWT"),
        ],
    )


def benchmarks() -> list[Benchmark]:
    """One row: a request to a protected FastAPI endpoint with an ES256 access token."""
    return [
        Benchmark(
            "web.fastapi.ES256",
            _request,
            Target(beat_peers=True),
            "GET a FastAPI endpoint guarded by an ES256 access token (in process)",
        )
    ]
