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
