"""Issue #19 (speed): jwt.encode encodes its protected header once per alg and kid.

The output stays deterministic (same input, same bytes) and identical to encoding the
header afresh; header checks still run on every call.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

import josekit.jws._compact as compact
from josekit import errors, jws, jwt
from josekit.jwk import Key

CLAIMS = {"sub": "alice", "iat": 1_700_000_000, "exp": 1_700_003_600}


def _key() -> Key:
    return Key.from_secret(secrets.token_bytes(32), kid=f"k-{secrets.token_hex(8)}", alg="HS256")


def _count_dumps(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    real = compact.dumps_bytes

    def dumps_bytes(obj: Any) -> bytes:
        seen.append(obj)
        return real(obj)

    monkeypatch.setattr(compact, "dumps_bytes", dumps_bytes)
    return seen


def test_the_header_is_encoded_once_per_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = _key()  # a fresh kid: nothing cached for it yet
    seen = _count_dumps(monkeypatch)
    tokens = {jwt.encode(CLAIMS, key, "HS256") for _ in range(3)}
    assert len(tokens) == 1  # deterministic
    assert seen == [{"alg": "HS256", "kid": key.kid, "typ": "JWT"}]


def test_cached_and_fresh_headers_give_the_same_bytes() -> None:
    key = _key()
    first = jwt.encode(CLAIMS, key, "HS256")
    fresh, _ = compact._encode_header("HS256", key.kid, {"typ": "JWT"})
    assert first.split(".")[0] == fresh.decode("ascii")
    assert jwt.encode(CLAIMS, key, "HS256") == first
    assert jwt.unverified_header(first) == {"alg": "HS256", "kid": key.kid, "typ": "JWT"}


def test_header_checks_still_run_on_every_call() -> None:
    key = _key()
    for _ in range(2):
        with pytest.raises(errors.InvalidHeaderError):
            jwt.encode(CLAIMS, key, "HS256", header={"crit": "exp"})
        with pytest.raises(errors.JoseError):
            jws.sign(b"x", key, "HS256", header={"crit": "b64"})
