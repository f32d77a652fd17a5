"""Fixtures of the DPoP and replay-cache tests: a client of the session's redis-server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[object]:
    """A client of the session's Redis, its database emptied before the test."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()
