"""MemoryReplayCache: atomic, bounded, expiring, thread-safe; and its async twin."""

from __future__ import annotations

import asyncio
import threading

import pytest

from josekit.errors import JoseError
from josekit.replay import AsyncMemoryReplayCache, AsyncReplayCache, MemoryReplayCache, ReplayCache


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_second_sighting_is_a_replay() -> None:
    cache = MemoryReplayCache(clock=Clock(100))
    assert cache.seen("a", 200) is False
    assert cache.seen("a", 200) is True
    assert cache.seen("b", 200) is False
    assert isinstance(cache, ReplayCache)


def test_entries_expire_at_expires_at() -> None:
    clock = Clock(100)
    cache = MemoryReplayCache(clock=clock)
    cache.seen("a", 150)
    clock.now = 149.9
    assert cache.seen("a", 150) is True
    clock.now = 150
    assert cache.seen("a", 250) is False
    assert cache.seen("a", 250) is True


def test_past_expiry_records_nothing() -> None:
    cache = MemoryReplayCache(clock=Clock(100))
    assert cache.seen("a", 50) is False
    assert len(cache) == 0


def test_bounded_expired_entries_go_first() -> None:
    clock = Clock(100)
    cache = MemoryReplayCache(max_entries=3, clock=clock)
    cache.seen("short", 110)
    cache.seen("long-1", 500)
    cache.seen("long-2", 400)
    clock.now = 120  # "short" has expired
    cache.seen("new", 300)
    assert len(cache) == 3
    assert cache.seen("long-1", 500)
    assert cache.seen("long-2", 400)
    assert cache.seen("new", 300)


def test_bounded_then_the_closest_to_expiry_goes() -> None:
    cache = MemoryReplayCache(max_entries=2, clock=Clock(100))
    cache.seen("late", 500)
    cache.seen("early", 200)
    cache.seen("third", 300)
    assert len(cache) == 2
    assert cache.seen("late", 500) is True
    assert cache.seen("third", 300) is True
    assert cache.seen("early", 200) is False


def test_thread_safe_exactly_one_first_sighting() -> None:
    cache = MemoryReplayCache(clock=Clock(100))
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for i in range(200):
            results.append(cache.seen(f"id-{i}", 1000))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(False) == 200
    assert results.count(True) == 7 * 200


@pytest.mark.parametrize(
    ("id", "expires_at"),
    [("", 1.0), ("x" * 513, 1.0), (5, 1.0), ("a", float("nan")), ("a", True), ("a", "1")],
)
def test_bad_arguments(id: object, expires_at: object) -> None:
    with pytest.raises(JoseError):
        MemoryReplayCache().seen(id, expires_at)  # type: ignore[arg-type]


def test_max_entries_must_be_positive() -> None:
    with pytest.raises(JoseError):
        MemoryReplayCache(max_entries=0)


def test_async_twin() -> None:
    cache = AsyncMemoryReplayCache(clock=Clock(100))
    assert isinstance(cache, AsyncReplayCache)
    assert asyncio.run(cache.seen("a", 200)) is False
    assert asyncio.run(cache.seen("a", 200)) is True
