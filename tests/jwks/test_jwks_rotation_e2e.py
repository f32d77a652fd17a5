"""End to end: an issuer rotates keys while a verifier checks every token through the endpoint.

Time is simulated: the issuer's ``now=``, the claims' ``now=`` and the verifier's clock all
read one variable, advanced 30 s per step; only the HTTP traffic is real.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from jwks_helpers import Counting, serve

from josekit import jwt
from josekit.errors import KeyNotFoundError
from josekit.jwks import JWKS_PATH, KeyStore, RemoteKeySet, RotationPolicy, create_app

TOKEN_LIFETIME = 15 * 60
MAX_AGE = 120  # the endpoint's Cache-Control max-age: the verifiers' cache lifetime
STEP = 30
ISSUER = "https://issuer.example"


def test_tokens_verify_across_rotations_and_retired_keys_disappear(tmp_path: Path) -> None:
    policy = RotationPolicy(
        alg="ES256",
        rotate_every=timedelta(minutes=10),
        publish_ahead=timedelta(minutes=3),  # >= MAX_AGE: verifiers see keys before use
        retire_after=timedelta(seconds=TOKEN_LIFETIME + MAX_AGE),
    )
    issuer_store = KeyStore(tmp_path / "keys", policy)
    app = Counting(create_app(KeyStore(tmp_path / "keys", policy), max_age=MAX_AGE))
    now = 1_800_000_000.0

    issued: list[tuple[float, str, str]] = []  # (exp, kid, token)
    activated: dict[str, float] = {}
    retired: dict[str, float] = {}
    verified = failures = misses = 0
    activated[issuer_store.rotate(now=now).current] = now  # the first key, before serving
    with serve(app) as base:
        keys = RemoteKeySet(base + JWKS_PATH, cooldown=STEP, clock=lambda: now)
        for _ in range(50 * 60 // STEP):  # 50 simulated minutes
            # The verifier checks every unexpired token issued so far. Its cache (refreshed
            # per max-age, as any verification does) must already hold each token's key.
            cached = {k.kid for k in keys.key_set()}
            for exp, kid, old in issued:
                if exp <= now:
                    continue
                misses += kid not in cached
                try:
                    decoded = jwt.decode(old, keys, algorithms=["ES256"], issuer=ISSUER, now=now)
                except Exception:  # counted, and reported below
                    failures += 1
                    continue
                assert decoded.key is not None
                assert decoded.key.kid == kid
                verified += 1
            # The issuer rotates on schedule and signs a token with its current key.
            result = issuer_store.rotate(now=now)
            if result.activated:
                activated[result.activated] = now
            if result.retired:
                retired[result.retired] = now
            signer = issuer_store.signing_key()
            token = jwt.encode(
                {"iss": ISSUER, "sub": f"user-{len(issued)}", "exp": now + TOKEN_LIFETIME},
                signer,
                "ES256",
            )
            issued.append((now + TOKEN_LIFETIME, signer.kid or "", token))
            now += STEP

        published = {k["kid"] for k in httpx.get(base + JWKS_PATH).json()["keys"]}
        fetches = app.counts[JWKS_PATH] - 1

        # Retired keys are removed once every token they signed has expired (plus max-age).
        last = now - STEP
        removed = {kid for kid, at in retired.items() if last >= at + TOKEN_LIFETIME + MAX_AGE}
        assert removed
        assert not removed & published
        assert issuer_store.signing_key().kid in published
        # A token of a removed key no longer verifies, even with a clock that says it is valid.
        exp, _, old = next(item for item in issued if item[1] in removed)
        now += 2 * STEP  # past the cooldown: the verifier refetches for the unknown kid
        with pytest.raises(KeyNotFoundError):
            jwt.decode(old, keys, algorithms=["ES256"], issuer=ISSUER, now=exp - 1)

    assert failures == 0
    assert misses == 0  # no token arrived before its key was in the verifier's cache
    assert len(activated) >= 4  # the first key and at least three rotations
    assert verified > 1000
    # One fetch per max-age, none caused by an unknown kid (keys were published ahead).
    assert fetches <= 50 * 60 // MAX_AGE + 1
