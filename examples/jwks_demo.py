"""JWKS end to end: an issuer rotates its keys and publishes them, a verifier follows.

The issuer keeps its keys in a KeyStore (a private directory), serves the public ones with
uvicorn on loopback, and signs JWTs with whatever key is current. The verifier knows only
the issuer's URL: it finds the JWK Set through discovery and verifies every token through a
RemoteKeySet, while the issuer rotates keys. Time is simulated (one step is one minute) so
that three rotations take a second; only the HTTP traffic is real.

Run it with ``python examples/jwks_demo.py`` (needs ``josekit[remote,server]``).
"""

from __future__ import annotations

import secrets
import socket
import stat
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from josekit import errors, jwk, jwt
from josekit.jwks import JWKS_PATH, KeyStore, RemoteKeySet, RotationPolicy, create_app

TOKEN_LIFETIME = 15 * 60  # seconds
MAX_AGE = 60  # how long verifiers may cache the JWK Set


class CountingApp:
    """ASGI middleware that counts requests per path (to show how often verifiers fetch)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.counts[scope["path"]] += 1
        await self.app(scope, receive, send)


@contextmanager
def serve(app: Callable[..., Any], sock: socket.socket) -> Iterator[None]:
    """Run an ASGI app with uvicorn on a bound socket, in a thread, until the block ends."""
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


def short(kid: str | None) -> str:
    """The first characters of a kid (a 43-character thumbprint)."""
    return (kid or "?")[:8]


def main() -> None:
    """Run the demo."""
    policy = RotationPolicy(
        alg="ES256",
        rotate_every=timedelta(minutes=10),
        publish_ahead=timedelta(minutes=2),  # >= MAX_AGE
        retire_after=timedelta(seconds=TOKEN_LIFETIME + MAX_AGE),  # token lifetime + cache
    )
    now = float(int(time.time()))  # the simulated clock everybody reads
    start = now
    with tempfile.TemporaryDirectory() as tmp:
        store = KeyStore(Path(tmp) / "keys", policy)
        first = store.rotate(now=now)
        folder = Path(tmp) / "keys"
        modes = ", ".join(
            f"{path.name} {stat.S_IMODE(path.stat().st_mode):o}"
            for path in (folder, folder / "keys.json")
        )
        print(f"key store in {folder} ({modes}); first key {short(first.current)}")

        # The discovery document names the issuer's URL, so the port is chosen first.
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        issuer = base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        app = CountingApp(create_app(store, issuer=issuer, max_age=MAX_AGE))
        with serve(app, sock):
            print(f"serving {base}{JWKS_PATH} and {base}/.well-known/openid-configuration")
            keys = RemoteKeySet.from_issuer(issuer, cooldown=30, clock=lambda: now)
            print(f"verifier found jwks_uri {keys.url} through discovery")

            outstanding: list[tuple[float, str]] = []
            checked = 0
            for minute in range(36):
                result = store.rotate(now=now)
                if result.created and not result.activated:
                    print(f"  t+{minute:02d}m  published next key {short(result.created)}")
                if result.activated:
                    print(
                        f"  t+{minute:02d}m  rotated: {short(result.activated)} signs now, "
                        f"{short(result.retired)} retired (still published)"
                    )
                for kid in result.removed:
                    print(f"  t+{minute:02d}m  removed {short(kid)}: its tokens have all expired")
                signer = store.signing_key()
                token = jwt.encode(
                    {"iss": issuer, "sub": f"user-{minute}", "exp": now + TOKEN_LIFETIME},
                    signer,
                    "ES256",
                )
                outstanding.append((now + TOKEN_LIFETIME, token))
                outstanding = [(exp, t) for exp, t in outstanding if exp > now]
                for _, old in outstanding:
                    jwt.decode(old, keys, algorithms=["ES256"], issuer=issuer, now=now)
                    checked += 1
                now += 60
            fetches = app.counts[JWKS_PATH]
            print(
                f"{checked} verifications of every unexpired token over "
                f"{int(now - start) // 60} minutes: all good, with {fetches} JWK Set fetches"
            )

            published = [short(k["kid"]) for k in httpx.get(base + JWKS_PATH).json()["keys"]]
            print(f"published now: {', '.join(published)}")

            # An attacker sends tokens with random kids: at most one fetch per cooldown.
            attacker = jwk.generate("EC", crv="P-256")
            before = app.counts[JWKS_PATH]
            refused = 0
            for _ in range(1000):
                forged = jwt.encode(
                    {"iss": issuer}, attacker, "ES256", header={"kid": secrets.token_hex(8)}
                )
                try:
                    jwt.decode(forged, keys, algorithms=["ES256"], issuer=issuer, now=now)
                except errors.KeyNotFoundError:
                    refused += 1
                now += 0.1
            extra = app.counts[JWKS_PATH] - before
            print(f"1000 tokens with random kids: {refused} refused, {extra} extra fetches")

            etag = httpx.get(base + JWKS_PATH).headers["etag"]
            status = httpx.get(base + JWKS_PATH, headers={"If-None-Match": etag}).status_code
            print(f"conditional GET with the ETag: HTTP {status}")
            keys.close()


if __name__ == "__main__":
    main()
