"""Two issuer replicas on one PostgreSQL key store, each rotating in the background.

Both apps run ``create_app(store)`` with background rotation (the ASGI lifespan) on the same
row. Time is simulated: the stores' clocks and the verifiers' clocks read one variable,
advanced one minute per step; only the HTTP traffic and the database are real.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import httpx
from jwks_helpers import serve

from josekit import jwt
from josekit.jwks import (
    JWKS_PATH,
    KeyStore,
    PostgresKeyStorage,
    RemoteKeySet,
    RotationPolicy,
    create_app,
)

TOKEN_LIFETIME = 5 * 60
MAX_AGE = 60
STEP = 60.0
ISSUER = "https://issuer.example"
POLICY = RotationPolicy(
    alg="ES256",
    rotate_every=timedelta(minutes=5),
    publish_ahead=timedelta(minutes=2),  # >= MAX_AGE
    retire_after=timedelta(seconds=TOKEN_LIFETIME + MAX_AGE),
)


def _until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


def test_two_replicas_rotate_once_per_step_and_serve_the_same_keys(
    postgres_dsn: str, pg_table: str
) -> None:
    now = [1_800_000_000.0]

    def clock() -> float:
        return now[0]

    def replica() -> KeyStore:
        return KeyStore(PostgresKeyStorage(postgres_dsn, table=pg_table), POLICY, clock=clock)

    stores = [replica(), replica()]
    auditor = KeyStore(PostgresKeyStorage(postgres_dsn, table=pg_table), POLICY, refresh=0)
    apps = [create_app(s, max_age=MAX_AGE, rotate_interval=0.02) for s in stores]
    with serve(apps[0], lifespan="on") as base_a, serve(apps[1], lifespan="on") as base_b:
        bases = [base_a, base_b]
        verifiers = [
            RemoteKeySet(b + JWKS_PATH, allow_http=True, cooldown=STEP, clock=clock) for b in bases
        ]

        def up_to_date() -> bool:
            due = auditor.next_due()
            return due is not None and due.timestamp() > now[0]

        def served() -> list[list[str]]:
            return [[k["kid"] for k in httpx.get(b + JWKS_PATH).json()["keys"]] for b in bases]

        issued: list[tuple[float, str]] = []
        activations: set[str] = set()
        changes = failures = verified = 0
        version = -1
        for step in range(17):
            _until(up_to_date, f"a replica rotated at step {step}")
            document = auditor.storage.load()
            assert document is not None
            if document["version"] != version:
                changes += 1
            version = document["version"]
            now[0] += 1.0  # the replicas' refresh interval (1 s for PostgreSQL)
            _until(lambda: served()[0] == served()[1], "both replicas serve the same set")
            assert served()[0] == [k.kid for k in auditor.public_key_set()]
            signer = stores[step % 2].signing_key()  # tokens through either replica
            activations.add(signer.kid or "")
            token = jwt.encode({"iss": ISSUER, "exp": now[0] + TOKEN_LIFETIME}, signer, "ES256")
            issued.append((now[0] + TOKEN_LIFETIME, token))
            for exp, old in issued:
                if exp <= now[0]:
                    continue
                for keys in verifiers:
                    try:
                        jwt.decode(old, keys, algorithms=["ES256"], issuer=ISSUER, now=now[0])
                        verified += 1
                    except Exception:  # counted and asserted below
                        failures += 1
            now[0] += STEP - 1.0
        assert len(activations) >= 4  # the first key and three rotations
        assert failures == 0
        assert verified > 40
        # each change was written exactly once, whichever replica won it (the version counts
        # the writes; two replicas doing one step twice would add two)
        assert version == changes
