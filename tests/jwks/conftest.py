"""Fixtures of the JWKS tests: one scripted JWKS server per test, counted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from jwks_helpers import Counting, Scripted, serve


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
