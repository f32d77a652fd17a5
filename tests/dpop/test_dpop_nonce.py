"""NonceIssuer: stateless nonces that every replica sharing the secret accepts."""

from __future__ import annotations

import pytest

from josekit import dpop
from josekit._b64 import b64d, b64e_str
from josekit.errors import DPoPNonceError, JoseError

SECRET = b"0123456789abcdef0123456789abcdef"
NOW = 1_800_000_000


def test_a_replica_with_the_same_secret_accepts_the_nonce() -> None:
    nonce = dpop.NonceIssuer(SECRET).new(now=NOW)
    dpop.NonceIssuer(SECRET).check(nonce, now=NOW + 10)


def test_another_secret_refuses_it() -> None:
    nonce = dpop.NonceIssuer(SECRET).new(now=NOW)
    with pytest.raises(DPoPNonceError, match="not one this server issued"):
        dpop.NonceIssuer(b"x" * 32).check(nonce, now=NOW)


def test_stale_and_future_nonces() -> None:
    issuer = dpop.NonceIssuer(SECRET, lifetime=60)
    issuer.check(issuer.new(now=NOW - 60), now=NOW)
    with pytest.raises(DPoPNonceError, match="stale"):
        issuer.check(issuer.new(now=NOW - 61), now=NOW)
    with pytest.raises(DPoPNonceError, match="future"):
        issuer.check(issuer.new(now=NOW + 60), now=NOW)


def test_an_altered_nonce_is_refused() -> None:
    issuer = dpop.NonceIssuer(SECRET)
    raw = bytearray(b64d(issuer.new(now=NOW), "nonce"))
    raw[7] ^= 1  # move the issue time by one second
    with pytest.raises(DPoPNonceError):
        issuer.check(b64e_str(bytes(raw)), now=NOW)


@pytest.mark.parametrize("nonce", ["", "short", "A" * 32, "!" * 32, None])
def test_malformed_nonces(nonce: object) -> None:
    with pytest.raises(DPoPNonceError):
        dpop.NonceIssuer(SECRET).check(nonce, now=NOW)  # type: ignore[arg-type]


def test_nonces_change_with_time() -> None:
    issuer = dpop.NonceIssuer(SECRET)
    assert issuer.new(now=NOW) != issuer.new(now=NOW + 1)


def test_secret_rules_and_repr() -> None:
    with pytest.raises(JoseError, match="32"):
        dpop.NonceIssuer(b"short")
    with pytest.raises(JoseError, match="32"):
        dpop.NonceIssuer("x" * 32)  # type: ignore[arg-type]
    issuer = dpop.NonceIssuer(SECRET)
    assert SECRET.decode() not in repr(issuer)
    assert issuer.lifetime == 300
