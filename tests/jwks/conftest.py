"""Fixtures of the JWKS tests: one scripted JWKS server per test, counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jwks_helpers import Counting, Live, Scripted, serve


@pytest.fixture(scope="session")
def _server() -> Iterator[Live]:
    app = Scripted()
    counter = Counting(app)
    with serve(counter) as base:
        yield Live(app, counter, base)


@pytest.fixture
def live(_server: Live) -> Live:
    """A uvicorn server on 127.0.0.1 answering whatever the test scripts (reset per test)."""
    _server.app.reset()
    _server.counter.reset()
    return _server


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A throwaway PostgreSQL server for the session (fails under CI=true if none can start)."""
    from _pg import PostgresUnavailable, postgres_server, unavailable

    try:
        server = postgres_server()
        running = server.__enter__()
    except PostgresUnavailable as exc:
        unavailable(str(exc))
        raise  # unreachable: unavailable() fails or skips
    try:
        yield running.dsn
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def pg_table(postgres_dsn: str, request: pytest.FixtureRequest) -> str:
    """A table name of its own for each test (the storage creates it)."""
    import hashlib

    return "ks_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
