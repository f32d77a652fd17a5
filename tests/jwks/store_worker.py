"""A worker process for the key store race and crash tests (run as a script, single-threaded).

Usage: ``python store_worker.py DSN TABLE`` (PostgreSQL) or ``python store_worker.py DIR``.
Reads one JSON command per line on stdin and answers one JSON line on stdout:

* ``{"op": "rotate", "now": T}``: ``KeyStore.rotate(now=T)``; answers the result's kids.
* ``{"op": "race", "processes": N, "nows": [T, ...]}``: forks N children that each rotate at
  every T, all released together by a barrier; answers each child's results, per round.
* ``{"op": "crash", "now": T, "delay": S}``: forks a child that rotates, SIGKILLs it after S
  seconds (if it is still running); answers whether it was killed and how long it took.
  Without a delay the child finishes.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import time
from datetime import timedelta

from josekit.jwks import FileKeyStorage, KeyStorage, KeyStore, PostgresKeyStorage, RotationPolicy

POLICY = RotationPolicy(
    alg="ES256",
    rotate_every=timedelta(minutes=4),
    publish_ahead=timedelta(minutes=2),
    retire_after=timedelta(minutes=4),
)


def _storage() -> KeyStorage:
    if len(sys.argv) > 2:
        return PostgresKeyStorage(sys.argv[1], table=sys.argv[2])
    return FileKeyStorage(sys.argv[1])


_STORES: list[KeyStore] = []


def _rotate(now: float) -> dict[str, object]:
    if not _STORES:  # one store per process, as a replica keeps it
        _STORES.append(KeyStore(_storage(), POLICY))
    result = _STORES[0].rotate(now=now)
    return {
        "created": result.created,
        "activated": result.activated,
        "retired": result.retired,
        "removed": list(result.removed),
        "current": result.current,
    }


def _in_child(now: float, delay: float | None) -> dict[str, object]:
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: rotate, then leave without any cleanup
        try:
            _rotate(now)
        finally:
            os._exit(0)
    killed = False
    if delay is not None:
        time.sleep(delay)
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            os.kill(pid, signal.SIGKILL)
            killed = True
        else:
            return {"killed": False, "seconds": time.monotonic() - start}
    os.waitpid(pid, 0)
    return {"killed": killed, "seconds": time.monotonic() - start}


def _race(processes: int, nows: list[float]) -> dict[str, object]:
    barrier = multiprocessing.get_context("fork").Barrier(processes)
    children = []
    for _ in range(processes):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # a child: its own KeyStore, one rotation per round, results to the pipe
            os.close(read)
            try:
                with os.fdopen(write, "w") as out:
                    for now in nows:
                        barrier.wait(30)
                        out.write(json.dumps(_rotate(now)) + "\n")
            finally:
                os._exit(0)
        os.close(write)
        children.append((pid, read))
    results = []
    for pid, read in children:
        with os.fdopen(read) as lines:
            results.append([json.loads(line) for line in lines])
        os.waitpid(pid, 0)
    return {"results": results}


def main() -> None:
    if len(sys.argv) > 2:
        import psycopg  # noqa: F401 - imported once here, not in every forked child
    for line in sys.stdin:
        command = json.loads(line)
        try:
            if command["op"] == "rotate":
                answer = _rotate(command["now"])
            elif command["op"] == "race":
                answer = _race(command["processes"], command["nows"])
            else:
                answer = _in_child(command["now"], command.get("delay"))
        except Exception as exc:  # reported to the test, which fails on it
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
