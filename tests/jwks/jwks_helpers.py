"""Real HTTP servers for the JWKS tests: uvicorn on 127.0.0.1 in a thread, and raw sockets."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from _uvicorn import serve as serve  # the loopback server of every HTTP test
from josekit import KeySet, jwk

ASGIApp = Callable[..., Any]


class Counting:
    """ASGI middleware counting HTTP requests per path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def __call__(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            with self._lock:
                self.counts[scope["path"]] += 1
        await self.app(scope, receive, send)

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()


@dataclass
class Scripted:
    """An ASGI app whose answer the test sets: status, headers and body for every path.

    ``pause`` makes each answer wait that many seconds first (to let concurrent callers
    pile up on a fetch); ``routes`` gives per-path overrides of (status, headers, body).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"keys":[]}'
    pause: float = 0.0
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        """Back to the defaults (one server serves many tests)."""
        fresh = Scripted()
        for name in ("status", "headers", "body", "pause", "routes", "requests"):
            setattr(self, name, getattr(fresh, name))

    def set_keys(self, keys: KeySet, **headers: str) -> None:
        self.status = 200
        self.body = keys.to_json().encode()
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}

    async def __call__(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        import asyncio

        self.requests.append(
            {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        )
        if self.pause:
            await asyncio.sleep(self.pause)
        status, headers, body = self.routes.get(
            scope["path"], (self.status, self.headers, self.body)
        )
        raw_headers = [(b"content-type", b"application/json")]
        raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        if not any(k == b"content-length" for k, _ in raw_headers):
            raw_headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never answers; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        sock.close()


@contextlib.contextmanager
def dripping_server(
    first: bytes, drip: bytes, interval: float
) -> Iterator[tuple[str, threading.Event]]:
    """A server that answers each request with ``first``, then ``drip`` every ``interval``
    seconds for as long as the client stays; yields its base URL and an event set once a
    client has closed the connection."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    port = sock.getsockname()[1]
    stop = threading.Event()
    closed_by_client = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(first)
                    while not stop.is_set():
                        conn.sendall(drip)
                        time.sleep(interval)
                except OSError:
                    closed_by_client.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", closed_by_client
    finally:
        stop.set()
        thread.join(5)
        sock.close()


@contextlib.contextmanager
def trickle_server(interval: float = 0.05) -> Iterator[str]:
    """A server that sends valid headers and then one body byte every ``interval`` seconds."""
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n"
    with dripping_server(head, b" ", interval) as (base, _):
        yield base


class Clock:
    """A manual clock for freshness and cooldown (seconds)."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def ec_keys(*kids: str) -> tuple[list[jwk.Key], KeySet]:
    """Private P-256 keys with these kids, and the public key set."""
    private = [jwk.generate("EC", crv="P-256", kid=kid, alg="ES256", use="sig") for kid in kids]
    return private, KeySet([k.public() for k in private])


@dataclass
class Live:
    """A running scripted server: its app (to change answers), counter and base URL."""

    app: Scripted
    counter: Counting
    base: str

    @property
    def url(self) -> str:
        return self.base + "/jwks.json"

    def hits(self, path: str = "/jwks.json") -> int:
        return self.counter.counts[path]
