"""KeyStore: an issuer's signing keys, rotated on a schedule, with the JWK Set to publish.

The rotation logic (:class:`KeyStore`) sits above a small storage interface
(:class:`~josekit.jwks.KeyStorage`: load and save one state document under an exclusive
lock), so that a database-backed storage can replace the default
:class:`~josekit.jwks.FileKeyStorage` without any change to the code that signs, rotates or
serves keys.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone

from ..errors import JoseError, KeyNotFoundError
from ..jwk import Key, KeySet
from ._policy import Instant, KeyStatus, RotationPolicy, RotationResult, new_key
from ._state import ORDER, Entry, Snapshot, document, moment, parse_document
from ._storage import KeyStorage
from ._storage_file import FileKeyStorage

__all__ = ["KeyStore"]


class KeyStore:
    """An issuer's signing keys: rotation by :class:`RotationPolicy`, published as a JWK Set.

    ``storage`` is a directory path (a :class:`FileKeyStorage`) or any :class:`KeyStorage`.
    Signing processes call :meth:`signing_key`, the endpoint serves :meth:`public_key_set`,
    and something calls :meth:`rotate` periodically (the three may be separate processes on
    one directory: the lock and atomic writes keep them consistent). Key ids are RFC 7638
    thumbprints. The first :meth:`rotate` creates the first key and makes it current at once
    (no verifier can hold an older set yet); every later key is published as *next* for
    ``publish_ahead`` before it signs anything.

    Args:
        storage: a directory path or a :class:`KeyStorage`.
        policy: the rotation schedule and algorithm.
        clock: seconds since the epoch, used when ``now`` is not given.
    """

    def __init__(
        self,
        storage: str | os.PathLike[str] | KeyStorage,
        policy: RotationPolicy,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(policy, RotationPolicy):
            raise JoseError(f"policy must be a RotationPolicy, not {type(policy).__name__}")
        self._storage = storage if isinstance(storage, KeyStorage) else FileKeyStorage(storage)
        self._policy = policy
        self._clock = clock
        self._cache_lock = threading.Lock()
        self._cached: tuple[object, Snapshot] | None = None

    @property
    def policy(self) -> RotationPolicy:
        """The rotation policy."""
        return self._policy

    @property
    def storage(self) -> KeyStorage:
        """The storage backend."""
        return self._storage

    def __repr__(self) -> str:
        return f"KeyStore({self._storage!r}, alg={self._policy.alg!r})"

    def _now(self, now: Instant | None) -> float:
        if now is None:
            return float(self._clock())
        if isinstance(now, datetime):
            if now.tzinfo is None:
                raise JoseError("now must be a timezone-aware datetime")
            return now.timestamp()
        if isinstance(now, (int, float)) and not isinstance(now, bool) and math.isfinite(now):
            return float(now)
        raise JoseError(f"now must be seconds since the epoch or an aware datetime, not {now!r}")

    def _snapshot(self) -> Snapshot:
        revision = self._storage.revision()
        with self._cache_lock:
            cached = self._cached
            if revision is not None and cached is not None and cached[0] == revision:
                return cached[1]
        snapshot = Snapshot(parse_document(self._storage.load(), repr(self._storage)))
        if revision is not None:
            with self._cache_lock:
                self._cached = (revision, snapshot)
        return snapshot

    def signing_key(self) -> Key:
        """The current private signing key (with ``kid``, ``alg`` and ``use: sig``).

        Raises:
            KeyNotFoundError: the store has no key yet: call :meth:`rotate` first.
            KeyStoreError: the storage could not be read.
        """
        key = self._snapshot().signing
        if key is None:
            raise KeyNotFoundError(
                f"the key store {self._storage!r} has no signing key yet: call rotate() first"
            )
        return key

    def public_key_set(self) -> KeySet:
        """The JWK Set to publish: the public keys of the current, next and retired keys."""
        return self._snapshot().public_set

    def entries(self) -> tuple[KeyStatus, ...]:
        """Every stored key with its state and dates, current first."""
        ordered = sorted(self._snapshot().entries, key=lambda e: (ORDER[e.status], -e.created))
        return tuple(
            KeyStatus(
                kid=e.key.kid or "",
                alg=e.key.alg or "",
                status=e.status,
                created=datetime.fromtimestamp(e.created, timezone.utc),
                activated=moment(e.activated),
                deactivated=moment(e.deactivated),
            )
            for e in ordered
        )

    def rotate(self, now: Instant | None = None) -> RotationResult:
        """Advance the key schedule to ``now`` (default: the clock) and save the new state.

        In one call, under the storage lock: create the first key (current at once); publish
        a *next* key ``publish_ahead`` before the current one has been current for
        ``rotate_every``; promote *next* to current once both are due (the old current key
        is retired); remove retired keys older than ``retire_after``. Calling it again at
        the same moment changes nothing.

        Raises:
            KeyStoreError: the storage could not be read, written or locked.
        """
        moment = self._now(now)
        policy = self._policy
        rotate_every = policy.rotate_every.total_seconds()
        ahead = policy.publish_ahead.total_seconds()
        retire_after = policy.retire_after.total_seconds()
        created = activated = retired = None
        with self._storage.lock():
            entries = list(parse_document(self._storage.load(), repr(self._storage)))
            current = next((e for e in entries if e.status == "current"), None)
            upcoming = next((e for e in entries if e.status == "next"), None)
            if current is None and upcoming is None:
                fresh = Entry(new_key(policy.alg), "current", moment, activated=moment)
                entries.append(fresh)
                created = activated = fresh.key.kid
            elif current is None and upcoming is not None:
                entries[entries.index(upcoming)] = replace(
                    upcoming, status="current", activated=moment
                )
                activated = upcoming.key.kid
            elif current is not None:
                started = current.activated if current.activated is not None else current.created
                if upcoming is None and moment >= started + rotate_every - ahead:
                    upcoming = Entry(new_key(policy.alg), "next", moment)
                    entries.append(upcoming)
                    created = upcoming.key.kid
                if (
                    upcoming is not None
                    and moment >= started + rotate_every
                    and moment >= upcoming.created + ahead
                ):
                    entries[entries.index(current)] = replace(
                        current, status="retired", deactivated=moment
                    )
                    entries[entries.index(upcoming)] = replace(
                        upcoming, status="current", activated=moment
                    )
                    retired, activated = current.key.kid, upcoming.key.kid
            removed = tuple(
                e.key.kid or ""
                for e in entries
                if e.status == "retired"
                and e.deactivated is not None
                and moment >= e.deactivated + retire_after
            )
            entries = [e for e in entries if e.key.kid not in removed]
            if created or activated or retired or removed:
                self._storage.save(document(tuple(entries)))
            signing = next(e for e in entries if e.status == "current")
        return RotationResult(created, activated, retired, removed, signing.key.kid or "")
