"""Several processes on one key store: concurrent rotations and processes killed mid-rotation.

Both run in worker processes (``store_worker.py``, single-threaded, so forking there is
safe) against the real PostgreSQL server and the file storage. Time is injected (``now=``).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from store_worker import POLICY

from josekit.jwks import FileKeyStorage, KeyStorage, KeyStore, MemoryKeyStorage, PostgresKeyStorage

WORKER = Path(__file__).with_name("store_worker.py")
STEP = 120.0  # every step of POLICY (4 min / 2 min / 4 min) changes something


class Worker:
    """A ``store_worker.py`` process driven through its stdin and stdout."""

    def __init__(self, args: list[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def receive(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        assert "error" not in answer, answer["error"]
        return answer

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(30)


@contextmanager
def workers(args: list[str], count: int) -> Iterator[list[Worker]]:
    started = [Worker(args) for _ in range(count)]
    try:
        yield started
    finally:
        for worker in started:
            worker.close()


@pytest.fixture(params=["postgres", "file"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[list[str], Any]:
    """The worker arguments and a factory of the same storage in this process."""
    if request.param == "postgres":
        dsn = request.getfixturevalue("postgres_dsn")
        table = request.getfixturevalue("pg_table")
        return [dsn, table], lambda: PostgresKeyStorage(dsn, table=table)
    directory = tmp_path / "keys"
    return [str(directory)], lambda: FileKeyStorage(directory)


def _shape(store: KeyStore) -> list[tuple[str, float, float | None, float | None]]:
    return [
        (
            e.status,
            e.created.timestamp(),
            e.activated and e.activated.timestamp(),
            e.deactivated and e.deactivated.timestamp(),
        )
        for e in store.entries()
    ]


def test_eight_processes_rotating_at_once_rotate_once(target: tuple[list[str], Any]) -> None:
    args, open_storage = target
    nows = [round_ * STEP for round_ in range(20)]
    with workers(args, 1) as (worker,):
        worker.send({"op": "race", "processes": 8, "nows": nows})
        per_child = worker.receive()["results"]
    assert len(per_child) == 8
    assert all(len(results) == len(nows) for results in per_child)
    sequential = KeyStore(MemoryKeyStorage(), POLICY)
    created: list[str] = []
    for round_, now in enumerate(nows):
        results = [child[round_] for child in per_child]
        expected = sequential.rotate(now=now)
        makers = [r["created"] for r in results if r["created"]]
        assert len(makers) == (1 if expected.created else 0), (round_, results)
        assert sum(bool(r["activated"]) for r in results) == bool(expected.activated)
        assert sum(bool(r["removed"]) for r in results) == bool(expected.removed)
        assert len({r["current"] for r in results}) == 1  # every process agrees
        created += makers
    store = KeyStore(open_storage(), POLICY)
    assert _shape(store) == _shape(sequential)  # the keys one sequential rotation makes
    assert {e.kid for e in store.entries()} <= set(created)
    assert len(created) == len(set(created)) > 5  # no kid twice


Row = tuple[str, str, float, "float | None", "float | None"]


def _rows(storage: KeyStorage) -> list[Row]:
    store = KeyStore(storage, POLICY)  # a fresh reader: it refuses a torn or invalid state
    return [(e.kid, *row) for e, row in zip(store.entries(), _shape(store), strict=True)]


def _one_rotation(document: dict[str, Any] | None, now: float) -> list[Row]:
    """What one rotation at ``now`` makes of ``document`` (replayed in memory)."""
    model = MemoryKeyStorage()
    if document is not None:
        model.save(document)
    KeyStore(model, POLICY).rotate(now=now)
    return _rows(model)


def _anonymous(rows: list[Row], known: set[str]) -> list[Row]:
    return [(kid if kid in known else "new", *rest) for kid, *rest in rows]  # type: ignore[misc]


def test_a_process_killed_mid_rotation_leaves_the_old_or_the_new_state(
    target: tuple[list[str], Any],
) -> None:
    args, open_storage = target
    storage = open_storage()
    rng = random.Random(7638)
    now, killed, changed = 0.0, 0, 0
    with workers(args, 1) as (worker,):
        worker.send({"op": "crash", "now": now})  # no delay: one whole rotation, timed
        span = worker.receive()["seconds"]
        now += STEP
        # At least 50 runs, then on until both outcomes were seen often enough: bounded by a
        # count of runs, not by time.
        # A loaded machine makes a rotation slower or faster than the timed one: the window
        # of delays follows what happens (wider after a kill while too few finished,
        # narrower after a finished run while too few were killed).
        for run in range(400):
            if run >= 50 and killed >= 10 and changed >= 5:
                break
            document, before = storage.load(), _rows(storage)
            worker.send({"op": "crash", "now": now, "delay": rng.uniform(0, span * 1.2)})
            was_killed = worker.receive()["killed"]
            killed += was_killed
            if was_killed and changed < 5:
                span *= 1.25
            elif not was_killed and killed < 10:
                span *= 0.8
            after = _rows(storage)
            if after != before:  # not the old state: then exactly the new one
                known = {row[0] for row in before}
                expected = _one_rotation(document, now)
                assert _anonymous(after, known) == _anonymous(expected, known)
                # so a key disappears only when the schedule removes it
                now += STEP
                changed += 1
    assert killed >= 10  # many runs were cut somewhere inside rotate()
    assert changed >= 5  # and some finished, so both outcomes were checked
