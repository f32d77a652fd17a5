"""Fixtures of the DPoP and replay-cache tests: one redis-server per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dpop_redis import redis_server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The ``redis://`` URL of a redis-server started for this test session."""
    with redis_server() as url:
        yield url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[object]:
    """A client of the session's Redis, its database emptied before the test."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()
