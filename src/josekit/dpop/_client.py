"""The client side of DPoP: an ``httpx.Auth`` that proves possession on every request."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Generator

import httpx

from ..jwk import Key
from ._proof import create_proof, proof_alg

__all__ = ["DPoPAuth"]

_MAX_ORIGINS = 64
_USE_DPOP_NONCE = re.compile(r'\berror\s*=\s*"?use_dpop_nonce"?', re.IGNORECASE)
_DPOP_SCHEME = re.compile(r"(?:^|,)\s*DPoP(?:\s|$)", re.IGNORECASE)


def _asks_for_nonce(response: httpx.Response) -> bool:
    """A ``use_dpop_nonce`` answer: a resource server's ``401`` with that ``DPoP`` challenge,
    or an authorization server's ``400`` with that JSON ``error`` (RFC 9449 §8, §9)."""
    if response.status_code == 401:
        for challenge in response.headers.get_list("www-authenticate"):
            if _DPOP_SCHEME.search(challenge) and _USE_DPOP_NONCE.search(challenge):
                return True
    elif _token_endpoint_nonce(response):
        try:
            body = response.json()
        except (httpx.ResponseNotRead, ValueError):
            return False
        return isinstance(body, dict) and body.get("error") == "use_dpop_nonce"
    return False


def _token_endpoint_nonce(response: httpx.Response) -> bool:
    """A ``400`` with a ``DPoP-Nonce``: its (small) JSON body says whether to retry."""
    return response.status_code == 400 and "dpop-nonce" in response.headers


class DPoPAuth(httpx.Auth):
    """Add a DPoP proof (and ``Authorization: DPoP <token>``) to every request.

    The latest ``DPoP-Nonce`` each origin sent is put in the next proof to it; when a
    resource server answers ``401`` with ``error="use_dpop_nonce"`` (RFC 9449 §9), or an
    authorization server ``400`` with that ``error`` in its JSON body (§8), and a
    ``DPoP-Nonce``, the request is sent once more with a fresh proof carrying that nonce.
    Works with ``httpx.Client`` and ``httpx.AsyncClient``.

    Args:
        key: the client's private asymmetric key (its ``alg``, or its curve's only one, signs).
        access_token: the DPoP-bound access token; without one (e.g. at the token
            endpoint) only the ``DPoP`` header is added.
    """

    def __init__(self, key: Key, *, access_token: str | None = None) -> None:
        proof_alg(key, None)  # refuse a key that cannot sign proofs now, not at the first request
        self._key = key
        self._access_token = access_token
        self._nonces: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"DPoPAuth(jkt={self._key.thumbprint()!r})"

    def _sign(self, request: httpx.Request, origin: str) -> None:
        request.headers["DPoP"] = create_proof(
            self._key,
            request.method,
            str(request.url),
            access_token=self._access_token,
            nonce=self._nonces.get(origin),
        )
        if self._access_token is not None:
            request.headers["Authorization"] = f"DPoP {self._access_token}"

    def _remember(self, origin: str, response: httpx.Response) -> None:
        nonce = response.headers.get("dpop-nonce")
        if nonce:
            if origin not in self._nonces and len(self._nonces) >= _MAX_ORIGINS:
                self._nonces.pop(next(iter(self._nonces)))
            self._nonces[origin] = nonce

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """:meth:`auth_flow`, reading the body of a token endpoint's ``400`` first."""
        flow = self.auth_flow(request)
        request = next(flow)
        while True:
            response = yield request
            if _token_endpoint_nonce(response):
                response.read()
            try:
                request = flow.send(response)
            except StopIteration:
                return

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """The async twin of :meth:`sync_auth_flow`."""
        flow = self.auth_flow(request)
        request = next(flow)
        while True:
            response = yield request
            if _token_endpoint_nonce(response):
                await response.aread()
            try:
                request = flow.send(response)
            except StopIteration:
                return

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign the request; on a ``use_dpop_nonce`` challenge, sign again with the nonce."""
        url = request.url
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        self._sign(request, origin)
        response = yield request
        self._remember(origin, response)
        if _asks_for_nonce(response) and origin in self._nonces:
            self._sign(request, origin)
            response = yield request
            self._remember(origin, response)
