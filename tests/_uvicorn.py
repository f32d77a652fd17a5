"""ASGI apps served for real by the tests: uvicorn on a loopback port, in a thread."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["serve", "serve_on"]


@contextlib.contextmanager
def serve_on(app: Any, sock: socket.socket, lifespan: str = "off") -> Iterator[None]:
    """Run ``app`` with uvicorn on ``sock`` (bound to loopback) until the block ends."""
    import uvicorn

    config = uvicorn.Config(
        app, log_level="error", lifespan=lifespan, access_log=False, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def serve(app: Any, lifespan: str = "off") -> Iterator[str]:
    """Run ``app`` on a free loopback port; yield its base URL (``http://127.0.0.1:<port>``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    try:
        with serve_on(app, sock, lifespan):
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()
