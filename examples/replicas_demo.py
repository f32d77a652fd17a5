"""Two issuer replicas on one key store: one rotation, won by one of them, served by both.

Both replicas open the same store (a private directory here; a PostgreSQL DSN in
production) with the same key-encryption key, so private keys are sealed at rest. When a
rotation falls due, both call ``rotate()`` at the same instant: the storage lets one of them
make the change, and the other finds it done. Then both serve the same JWK Set, with the
same ETag. Time is simulated; the HTTP traffic is real.

Run it with ``python examples/replicas_demo.py`` (needs ``josekit[remote,server]``).
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from josekit import jwk
from josekit.jwks import JWKS_PATH, KeyStore, RotationPolicy, RotationResult, create_app

POLICY = RotationPolicy(
    alg="ES256",
    rotate_every=timedelta(hours=1),
    publish_ahead=timedelta(minutes=10),
    retire_after=timedelta(minutes=30),
)


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a free loopback port, in a thread; yield its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


def short(kid: str | None) -> str:
    """The first characters of a kid (a 43-character thumbprint)."""
    return (kid or "-")[:8]


def rotate_together(replicas: dict[str, KeyStore], now: float) -> dict[str, RotationResult]:
    """Every replica calls rotate() at the same instant (released by one barrier)."""
    barrier = threading.Barrier(len(replicas))
    results: dict[str, RotationResult] = {}

    def run(name: str, store: KeyStore) -> None:
        barrier.wait()
        results[name] = store.rotate(now=now)

    threads = [threading.Thread(target=run, args=item) for item in replicas.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    """Run the demo."""
    kek = jwk.generate("oct", size=256)  # in production: --kek FILE or env:NAME, never the DB
    now = float(int(time.time()))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "keys"
        # Each replica has its own KeyStore (its own lock), as separate processes would.
        replicas = {name: KeyStore(folder, POLICY, kek=kek) for name in ("replica-a", "replica-b")}
        first = replicas["replica-a"].rotate(now=now)
        print(f"two replicas on {folder}; first key {short(first.current)}")
        sealed = "sealed" in (folder / "keys.json").read_text()
        print(f"private keys at rest: {'sealed under the KEK (JWE A256KW)' if sealed else '?'}")

        for label, moment in (("publish the next key", 50 * 60), ("activate it", 60 * 60)):
            results = rotate_together(replicas, now + moment)
            winners = [name for name, r in results.items() if r.changed]
            print(f"t+{moment // 60}m: both replicas rotate at once to {label}:")
            for name, result in sorted(results.items()):
                did = (
                    f"created {short(result.created)}"
                    if result.created
                    else f"activated {short(result.activated)}, retired {short(result.retired)}"
                    if result.activated
                    else "nothing to do (the other replica did it)"
                )
                print(f"  {name}: {did}")
            assert len(winners) == 1, results
            due = results[winners[0]].next_due
            print(f"  won by {winners[0]}; next step due {due:%H:%M} UTC")

        apps = [create_app(store, max_age=300, rotate=False) for store in replicas.values()]
        with serve(apps[0]) as url_a, serve(apps[1]) as url_b:
            a, b = (httpx.get(url + JWKS_PATH) for url in (url_a, url_b))
            kids = ", ".join(short(k["kid"]) for k in a.json()["keys"])
            same = a.content == b.content and a.headers["etag"] == b.headers["etag"]
            print(f"both replicas serve [{kids}]: {'identical, same ETag' if same else 'DIFFER'}")
            assert same


if __name__ == "__main__":
    main()
