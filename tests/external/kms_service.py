"""A small remote KMS for the async backend tests: a Starlette app holding software keys, and
the :class:`~josekit.jwk.AsyncExternalPrivateKey` that calls it over HTTP with httpx.

The service signs (ES256, RS256, PS256), decrypts RSA-OAEP / RSA-OAEP-256 content keys and
does ECDH with a peer's public key; it knows nothing of JOSE beyond the ``alg`` names. The
test scripts its failures: every answer a given status, or a stall until released.
"""

from __future__ import annotations

import asyncio
import base64
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from _uvicorn import serve as serve  # the loopback server of every HTTP test
from josekit.errors import UnsupportedAlgorithmError

_SHA256 = hashes.SHA256()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(private: Any, alg: str, data: bytes) -> bytes | None:
    if alg == "ES256" and isinstance(private, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(private.sign(data, ec.ECDSA(_SHA256)))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    if alg == "RS256" and isinstance(private, rsa.RSAPrivateKey):
        return private.sign(data, padding.PKCS1v15(), _SHA256)
    if alg == "PS256" and isinstance(private, rsa.RSAPrivateKey):
        pss = padding.PSS(padding.MGF1(_SHA256), padding.PSS.DIGEST_LENGTH)
        return private.sign(data, pss, _SHA256)
    return None


_OAEP = {"RSA-OAEP": hashes.SHA1, "RSA-OAEP-256": hashes.SHA256}


def _decrypt(private: Any, alg: str, ciphertext: bytes) -> bytes | None:
    if alg not in _OAEP or not isinstance(private, rsa.RSAPrivateKey):
        return None
    algo = _OAEP[alg]()
    return private.decrypt(ciphertext, padding.OAEP(padding.MGF1(algo), algo, None))


def _exchange(private: Any, alg: str, peer_der: bytes) -> bytes | None:
    if not alg.startswith("ECDH-ES") or not isinstance(private, ec.EllipticCurvePrivateKey):
        return None
    peer = serialization.load_der_public_key(peer_der)
    assert isinstance(peer, ec.EllipticCurvePublicKey)
    return private.exchange(ec.ECDH(), peer)


_OPERATIONS = {"sign": _sign, "decrypt": _decrypt, "exchange": _exchange}


@dataclass
class KmsService:
    """The service's keys by id, what it saw, and what the test told it to do."""

    keys: dict[str, Any]
    status: int = 200
    stall: threading.Event | None = None
    seen: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        self.status, self.stall = 200, None
        self.seen.clear()

    async def public_key(self, request: Request) -> JSONResponse:
        private = self.keys[request.path_params["key_id"]]
        der = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return JSONResponse({"public_key": b64(der)})

    async def operate(self, request: Request) -> JSONResponse:
        operation = request.path_params["operation"]
        self.seen[operation] += 1
        if self.stall is not None:
            for _ in range(6000):  # until the test releases it, 60 s at most
                if self.stall.is_set():
                    break
                await asyncio.sleep(0.01)
        if self.status != 200:
            return JSONResponse({"error": "scripted failure"}, status_code=self.status)
        body = await request.json()
        private = self.keys[request.path_params["key_id"]]
        try:
            out = _OPERATIONS[operation](private, body["alg"], unb64(body["input"]))
        except ValueError:
            return JSONResponse({"error": "operation failed"}, status_code=400)
        if out is None:
            return JSONResponse({"error": "unsupported"}, status_code=400)
        return JSONResponse({"output": b64(out)})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/keys/{key_id}", self.public_key),
                Route("/keys/{key_id}/{operation}", self.operate, methods=["POST"]),
            ]
        )


@dataclass
class Kms:
    """The running service and its base URL."""

    service: KmsService
    url: str


class RemoteKmsKey:
    """One key of the service, as an async backend on an ``httpx.AsyncClient``.

    ``wrong_type`` makes it return the service's base64 text instead of bytes.
    """

    def __init__(self, client: httpx.AsyncClient, key_id: str) -> None:
        self.client = client
        self.key_id = key_id
        self.wrong_type = False
        self.finished = threading.Event()  # set when a call ends, however it ends

    def __repr__(self) -> str:
        return f"RemoteKmsKey({self.key_id!r})"

    async def public_key(self) -> Any:
        response = await self.client.get(f"/keys/{self.key_id}")
        response.raise_for_status()
        return serialization.load_der_public_key(unb64(response.json()["public_key"]))

    async def _call(self, operation: str, alg: str, data: bytes) -> Any:
        try:
            response = await self.client.post(
                f"/keys/{self.key_id}/{operation}", json={"alg": alg, "input": b64(data)}
            )
        finally:
            self.finished.set()
        if response.status_code == 400 and response.json()["error"] == "unsupported":
            raise UnsupportedAlgorithmError(f"{self!r} does not {operation} with {alg}")
        response.raise_for_status()
        text = response.json()["output"]
        return text if self.wrong_type else unb64(text)

    async def sign(self, alg: str, data: bytes) -> bytes:
        return await self._call("sign", alg, data)  # type: ignore[no-any-return]

    async def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
        return await self._call("decrypt", alg, encrypted_key)  # type: ignore[no-any-return]

    async def exchange(self, alg: str, peer: Any) -> bytes:
        der = peer.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return await self._call("exchange", alg, der)  # type: ignore[no-any-return]
