"""Tokens for the web tests: an issuer with one signing key, and a forger with another."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from josekit import KeySet, jwk, jwt

ISSUER = "https://issuer.example"
AUDIENCE = "https://api.example"
NOW = 1_800_000_000


@dataclass
class Issuer:
    """Signs RFC 9068 access tokens with a P-256 key; ``keys`` is the public set."""

    kid: str = "k1"
    signer: Callable[[], jwk.Key] | None = None
    key: jwk.Key = field(init=False)

    def __post_init__(self) -> None:
        self.key = jwk.generate("EC", crv="P-256", kid=self.kid, alg="ES256", use="sig")

    @property
    def keys(self) -> KeySet:
        return KeySet([self.key.public()])

    def claims(self, now: float, **overrides: Any) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "alice",
            "client_id": "client-1",
            "iat": int(now),
            "exp": int(now) + 600,
            "jti": "jti-1",
            "scope": "read write",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self, now: float = NOW, *, header: dict[str, Any] | None = None, **overrides: Any
    ) -> str:
        head = {"typ": "at+jwt", **(header or {})}
        key = self.signer() if self.signer is not None else self.key
        return jwt.encode(self.claims(now, **overrides), key, "ES256", header=head)

    def live_token(self, **overrides: Any) -> str:
        """A token valid now by the wall clock (for servers that read the clock)."""
        return self.token(time.time(), **overrides)


def closed_port_url() -> str:
    """A loopback URL where nothing listens: a JWKS server that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/jwks.json"
