"""Stateless server nonces (RFC 9449 §8, §9): an issue time authenticated with HMAC-SHA-256."""

from __future__ import annotations

import hmac
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from .._b64 import b64d, b64e_str
from ..errors import DPoPNonceError, JoseError, MalformedError
from ..jwt._claims import Duration, Instant, instant, seconds

__all__ = ["NonceIssuer"]

_LABEL = b"josekit DPoP nonce v1\x00"
_TIME_SIZE = 8
_MAC_SIZE = 16
_NONCE_LENGTH = 32  # base64url of 8 + 16 bytes
_MIN_SECRET = 32
_FUTURE_SKEW = 5.0
"""Seconds a nonce's issue time may be ahead of ``now`` (replicas' clocks differ a little)."""


class NonceIssuer:
    """Issues and checks DPoP nonces without storing them.

    A nonce is its issue time (whole seconds) and an HMAC-SHA-256 tag of it under ``secret``,
    base64url-encoded (32 characters). Every replica that holds the same secret accepts a
    nonce another one issued, for ``lifetime`` seconds. A nonce cannot be forged without the
    secret; rotate the secret to invalidate every outstanding nonce.

    >>> issuer = NonceIssuer(b"s" * 32, lifetime=300)
    >>> nonce = issuer.new(now=1_700_000_000)
    >>> issuer.check(nonce, now=1_700_000_100)

    Args:
        secret: at least 32 random bytes, shared by the replicas (never logged or shown).
        lifetime: how long a nonce is accepted after it was issued, in seconds.
    """

    __slots__ = ("_lifetime", "_secret")

    def __init__(self, secret: bytes, *, lifetime: Duration = 300) -> None:
        if not isinstance(secret, bytes) or len(secret) < _MIN_SECRET:
            raise JoseError(
                f"the nonce secret must be at least {_MIN_SECRET} random bytes "
                "(e.g. secrets.token_bytes(32)), shared by every replica"
            )
        self._secret = secret
        self._lifetime = seconds(lifetime, "lifetime")

    def __repr__(self) -> str:
        return f"NonceIssuer(lifetime={self._lifetime:g})"

    @property
    def lifetime(self) -> float:
        """How long a nonce is accepted after it was issued, in seconds."""
        return self._lifetime

    def _tag(self, stamp: bytes) -> crypto_hmac.HMAC:
        mac = crypto_hmac.HMAC(self._secret, hashes.SHA256())
        mac.update(_LABEL + stamp)
        return mac

    def new(self, *, now: Instant | None = None) -> str:
        """A fresh nonce for the ``DPoP-Nonce`` response header."""
        issued = int(instant(now) if now is not None else time.time())
        stamp = max(issued, 0).to_bytes(_TIME_SIZE, "big")
        return b64e_str(stamp + self._tag(stamp).finalize()[:_MAC_SIZE])

    def check(self, nonce: str, *, now: Instant | None = None) -> None:
        """Accept a nonce this issuer (or a replica with the same secret) issued recently.

        Raises:
            DPoPNonceError: the nonce is not one of ours (forged, altered, malformed) or it
                is stale (older than ``lifetime``) or dated in the future.
        """
        if type(nonce) is not str or len(nonce) != _NONCE_LENGTH:
            raise DPoPNonceError("the DPoP nonce is not one this server issued")
        try:
            raw = b64d(nonce, "nonce")
        except MalformedError:
            raise DPoPNonceError("the DPoP nonce is not one this server issued") from None
        stamp, tag = raw[:_TIME_SIZE], raw[_TIME_SIZE:]
        if not hmac.compare_digest(self._tag(stamp).finalize()[:_MAC_SIZE], tag):
            raise DPoPNonceError("the DPoP nonce is not one this server issued")
        issued = int.from_bytes(stamp, "big")
        current = instant(now) if now is not None else time.time()
        if issued > current + _FUTURE_SKEW:
            raise DPoPNonceError("the DPoP nonce is dated in the future; use a fresh one")
        if issued < current - self._lifetime:
            raise DPoPNonceError("the DPoP nonce is stale; retry with the server's new DPoP-Nonce")
