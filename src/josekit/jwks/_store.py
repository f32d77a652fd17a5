"""KeyStore: an issuer's signing keys, rotated on a schedule, with the JWK Set to publish.

The rotation logic (:class:`KeyStore`, with the decisions in ``_schedule``) sits above a small
storage interface (:class:`~josekit.jwks.KeyStorage`: load and save one state document under
an exclusive lock), so that :class:`~josekit.jwks.PostgresKeyStorage` replaces the default
:class:`~josekit.jwks.FileKeyStorage` without any change to the code that signs, rotates or
serves keys. The store knows nothing of SQL or files.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone

from ..errors import JoseError, KeyNotFoundError, KeyStoreError
from ..jwk import Key, KeySet
from . import _schedule
from ._kek import as_keks
from ._keysource import KeySource
from ._policy import Instant, KeyStatus, RotationPolicy, RotationResult, new_key
from ._state import ORDER, Entry, Snapshot, State, decode_state, encode_state, moment
from ._storage import KeyStorage
from ._storage_open import open_storage

__all__ = ["KeyStore"]

_log = logging.getLogger("josekit.jwks")

Decision = Callable[[list[Entry], float, RotationPolicy, Callable[[], Key]], _schedule.Change]


def _seconds(value: timedelta | float, name: str) -> float:
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise JoseError(f"{name} must be a timedelta or seconds >= 0, not {value!r}")
    return float(seconds)


class KeyStore:
    """An issuer's signing keys: rotation by :class:`RotationPolicy`, published as a JWK Set.

    ``storage`` is a :class:`~josekit.jwks.KeyStorage`, a ``postgresql://`` DSN (a
    :class:`~josekit.jwks.PostgresKeyStorage`) or a directory path (a
    :class:`~josekit.jwks.FileKeyStorage`). Signing processes call :meth:`signing_key`, the
    endpoint serves :meth:`public_key_set`, and something calls :meth:`rotate` periodically;
    they may be separate processes or replicas on one storage: every change is decided again
    inside the storage's lock on the state just read, so one of several concurrent rotations
    does the work and the others find it done. Key ids are RFC 7638 thumbprints. The first
    :meth:`rotate` creates the first key and makes it current at once; every later key is
    published as *next* for ``publish_ahead`` before it signs anything.

    With ``kek``, the private members of every key are stored only as a JWE sealed under it
    (bound to the storage name, the kid and the rest of the state); see :meth:`rewrap`.
    Every state carries a version that each write increases: a store refuses a state older
    than one it has seen (a restored backup cannot bring back a revoked key unnoticed).

    Args:
        storage: a :class:`~josekit.jwks.KeyStorage`, a DSN or a directory path.
        policy: the rotation schedule and algorithm; None uses the one saved in the state.
        kek: the key-encryption key, or ``[new, old, ...]`` while changing it: an ``oct``
            key of 256 bits (``A256KW``), an EC/OKP key (``ECDH-ES+A256KW``) or an RSA key
            (``RSA-OAEP-256``). Opening needs the private half.
        clock: seconds since the epoch, used when ``now`` is not given.
        max_stale: how long :meth:`signing_key` and :meth:`public_key_set` keep serving the
            last state read while the storage cannot be read (default 5 minutes).
        refresh: how long a state read may be reused before asking the storage whether it
            changed (default: the storage's ``refresh_interval``, 1 s for PostgreSQL, 0 else).
        keys: a :class:`~josekit.jwks.KeySource` (e.g. a ``josekit.pkcs11.Pkcs11Token``) that
            makes every new key and holds its private half; the state keeps the public JWK
            and the source's reference, and a removed key is destroyed in the source.

    Raises:
        JoseError: an invalid argument.
        KeyStoreError: the storage cannot be opened.
    """

    def __init__(
        self,
        storage: str | os.PathLike[str] | KeyStorage,
        policy: RotationPolicy | None = None,
        *,
        kek: Key | Sequence[Key] | None = None,
        clock: Callable[[], float] = time.time,
        max_stale: timedelta | float = timedelta(minutes=5),
        refresh: timedelta | float | None = None,
        keys: KeySource | None = None,
    ) -> None:
        if policy is not None and not isinstance(policy, RotationPolicy):
            raise JoseError(f"policy must be a RotationPolicy, not {type(policy).__name__}")
        self._storage = open_storage(storage)
        self._policy = policy
        self._keks = as_keks(kek)
        self._clock = clock
        self._max_stale = _seconds(max_stale, "max_stale")
        interval = getattr(self._storage, "refresh_interval", 0.0) if refresh is None else refresh
        self._refresh = _seconds(interval, "refresh")
        self._cache_lock = threading.Lock()
        self._cached: tuple[object, Snapshot, float] | None = None  # revision, state, checked
        self._highest = -1
        if keys is not None and not isinstance(keys, KeySource):
            raise JoseError(f"keys must be a KeySource (a token), not {type(keys).__name__}")
        self._keys = keys

    @property
    def policy(self) -> RotationPolicy:
        """The rotation policy: the one given, else the one saved in the state.

        Raises:
            KeyStoreError: none was given and none is saved yet.
        """
        if self._policy is not None:
            return self._policy
        saved = self.saved_policy
        if saved is None:
            raise KeyStoreError(f"{self._storage!r} has no saved rotation policy: give one")
        return saved

    @property
    def saved_policy(self) -> RotationPolicy | None:
        """The policy saved in the state by the last change (None before the first)."""
        saved = self._snapshot().state.policy
        return None if saved is None else self._saved(saved)

    @property
    def storage(self) -> KeyStorage:
        """The storage backend."""
        return self._storage

    def clock(self) -> float:
        """The store's clock: seconds since the epoch."""
        return float(self._clock())

    @property
    def encrypted(self) -> bool:
        """Whether private keys are sealed under a KEK."""
        return self._keks is not None

    def __repr__(self) -> str:
        alg = self._policy.alg if self._policy is not None else None
        return f"KeyStore({self._storage!r}, alg={alg!r}, encrypted={self.encrypted})"

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

    @staticmethod
    def _saved(document: Mapping[str, object]) -> RotationPolicy:
        try:
            return RotationPolicy.from_document(document)
        except JoseError as exc:
            raise KeyStoreError(f"the saved rotation policy is invalid: {exc}") from None

    def _decode(self, document: Mapping[str, object] | None) -> State:
        name, keys = self._storage.name, self._keys
        state = decode_state(document, name, self._keks, repr(self._storage), keys)
        if state.version < self._highest:
            raise KeyStoreError(
                f"{self._storage!r} holds state version {state.version}, older than version "
                f"{self._highest} already seen: a restored or rolled-back state; refusing it"
            )
        self._highest = state.version
        return state

    def _snapshot(self, fallback: bool = True) -> Snapshot:
        clock = float(self._clock())  # freshness and staleness: the clock, never a given now
        with self._cache_lock:
            cached = self._cached
        if cached is not None and clock - cached[2] < self._refresh:
            return cached[1]
        try:
            revision = self._storage.revision()
            if revision is not None and cached is not None and cached[0] == revision:
                snapshot = cached[1]
            else:
                document = self._storage.load()
                snapshot = Snapshot(self._decode(document), clock, document)
        except KeyStoreError as exc:
            if not fallback or cached is None or clock - cached[1].loaded_at > self._max_stale:
                raise
            _log.warning("key store %r: serving the last state read: %s", self._storage, exc)
            return cached[1]
        if revision is not None:
            snapshot.loaded_at = clock
            with self._cache_lock:
                self._cached = (revision, snapshot, clock)
        return snapshot

    def signing_key(self) -> Key:
        """The current private signing key (with ``kid``, ``alg`` and ``use: sig``).

        Raises:
            KeyNotFoundError: the store has no signing key: call :meth:`rotate` first.
            KeyStoreError: the storage could not be read (for longer than ``max_stale``).
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
        """Every stored key with its state, dates and next scheduled step, current first."""
        state = self._snapshot().state
        ordered = sorted(state.entries, key=lambda e: (ORDER[e.status], -e.created))
        policy = self._policy or (None if state.policy is None else self._saved(state.policy))
        steps = {} if policy is None else _schedule.next_steps(list(state.entries), policy)
        rows = []
        for e in ordered:
            step, due = steps.get(e.key.kid or "", (None, None))
            rows.append(
                KeyStatus(
                    kid=e.key.kid or "",
                    alg=e.key.alg or "",
                    status=e.status,
                    created=datetime.fromtimestamp(e.created, timezone.utc),
                    activated=moment(e.activated),
                    deactivated=moment(e.deactivated),
                    next_step=step,
                    due=moment(due),
                )
            )
        return tuple(rows)

    def next_due(self) -> datetime | None:
        """When the next scheduled change is due (None before the first key)."""
        state = self._snapshot().state
        return moment(_schedule.next_due(list(state.entries), self.policy))

    def _policy_for(self, state: State, policy_change: bool) -> RotationPolicy:
        saved = None if state.policy is None else self._saved(state.policy)
        if self._policy is None:
            if saved is None:
                raise KeyStoreError(f"{self._storage!r} has no saved rotation policy: give one")
            return saved
        if saved is not None and saved != self._policy and not policy_change:
            raise KeyStoreError(
                f"the key store was rotated with the policy ({saved.describe()}), not "
                f"({self._policy.describe()}): pass policy_change=True (--change-policy) to "
                "adopt the new one; keys already published keep their retire times"
            )
        return self._policy

    def _locked_state(self) -> State:
        """The state read under the lock (the cached decoding, if the document is the same)."""
        document = self._storage.load()
        with self._cache_lock:
            cached = self._cached
        if cached is not None and document is not None and cached[1].document == document:
            return cached[1].state
        return self._decode(document)

    def _result(self, change: _schedule.Change, policy: RotationPolicy) -> RotationResult:
        current = next((e for e in change.entries if e.status == "current"), None)
        return RotationResult(
            change.created,
            change.activated,
            change.retired,
            change.removed,
            "" if current is None else current.key.kid or "",
            moment(_schedule.next_due(change.entries, policy)),
            change.revoked,
        )

    def _update(self, when: float, decide: Decision, policy_change: bool) -> RotationResult:
        # First a decision on the state as last read, without the lock: when nothing is due,
        # nothing is locked or written (what another replica changed meanwhile, it has done).
        # Otherwise the keys are generated here, outside the lock, and the decision is made
        # again inside it, on the state read under the lock.
        spare: list[Key] = []
        try:
            state = self._snapshot(fallback=False).state
            policy = self._policy_for(state, policy_change)
            probe = decide(list(state.entries), when, policy, lambda: self._new_key(policy.alg))
            if not probe.changed and state.policy == policy.to_document():
                return self._result(probe, policy)
            if probe.created:
                spare.append(next(e.key for e in probe.entries if e.key.kid == probe.created))
        except (KeyStoreError, KeyNotFoundError):
            pass  # decided (and reported) again under the lock

        made: list[Key] = []

        def fresh() -> Key:
            made.append(spare.pop() if spare else self._new_key(policy.alg))
            return made[-1]

        saving = False
        try:
            with self._storage.lock():
                state = self._locked_state()
                policy = self._policy_for(state, policy_change)
                change = decide(list(state.entries), when, policy, fresh)
                saved_policy = policy.to_document()
                if change.changed or state.policy != saved_policy:
                    revoked = state.revoked + ((change.revoked,) if change.revoked else ())
                    new = State(state.version + 1, saved_policy, tuple(change.entries), revoked)
                    document = encode_state(new, self._storage.name, self._keks, self._keys)
                    saving = True
                    self._storage.save(document)
                    self._highest = new.version
                    with self._cache_lock:
                        self._cached = None
        except BaseException:
            # Keys made for a state never written leave the token (else: one per failed
            # attempt); a save() that raised may still have committed, so those are kept.
            if not saving:
                with contextlib.suppress(Exception):
                    self._destroy(spare + made)
            raise
        gone = [e.key for e in state.entries if e.key.kid in change.removed] + spare
        self._destroy(gone if change.changed else spare)
        return self._result(change, policy)

    def _new_key(self, alg: str) -> Key:
        return new_key(alg) if self._keys is None else self._keys.new_signing_key(alg)

    def _destroy(self, keys: list[Key]) -> None:
        # Keys removed from the saved state (and unused spares) leave the token too.
        for key in keys:
            if self._keys is not None and key.external is not None:
                self._keys.destroy(key)

    def rotate(self, now: Instant | None = None, *, policy_change: bool = False) -> RotationResult:
        """Advance the key schedule to ``now`` (default: the clock) and save the new state.

        In one critical section of the storage, on the state read inside it: create the first
        key (current at once); publish a *next* key ``publish_ahead`` before the current one
        has been current for ``rotate_every``; promote *next* to current once both are due
        (the old current key is retired); remove retired keys older than the ``retire_after``
        they were published with (or the policy's, if longer). Calling it again at the same
        moment changes nothing. :attr:`RotationResult.next_due` says when to call again.

        The policy is saved in the state; a different one is refused unless
        ``policy_change=True``.

        Raises:
            KeyStoreError: the storage could not be read, written or locked (nothing was
                written), the policy differs, or the state is older than one seen before.
        """
        return self._update(self._now(now), _schedule.advance, policy_change)

    def rotate_now(
        self, now: Instant | None = None, *, policy_change: bool = False
    ) -> RotationResult:
        """Emergency rotation: the next key (or a new one) signs from ``now``.

        The old current key is retired as usual (published for ``retire_after``). Verifiers
        meet the new key before their cache has it; a :class:`~josekit.jwks.RemoteKeySet`
        refetches on an unknown ``kid``.

        Raises:
            KeyStoreError: as :meth:`rotate`.
        """
        return self._update(self._now(now), _schedule.promote, policy_change)

    def revoke(self, kid: str, now: Instant | None = None) -> RotationResult:
        """Remove ``kid`` from the published set at once; it never signs again.

        A revoked current key is replaced by the next key (or a new one). The endpoint serves
        the change on its next request.

        Raises:
            KeyNotFoundError: no stored key has this kid.
            KeyStoreError: as :meth:`rotate`.
        """
        when = self._now(now)

        def decide(
            entries: list[Entry],
            at: float,
            policy: RotationPolicy,
            fresh: Callable[[], Key],
        ) -> _schedule.Change:
            if not any(e.key.kid == kid for e in entries):
                raise KeyNotFoundError(f"the key store {self._storage!r} has no key {kid!r}")
            return _schedule.revoke(entries, kid, at, policy, fresh)

        return self._update(when, decide, True)

    def rewrap(self, new_kek: Key) -> None:
        """Seal every private key under ``new_kek`` instead, in one write, then check it.

        The store must open with its current ``kek`` (or have none: this encrypts a plaintext
        store). Afterwards this store seals with ``new_kek`` and still opens with the old
        KEKs; other processes need ``kek=[new, old]`` until they restart with the new one.

        Raises:
            KeyStoreError: the state does not open, the write or the read-back failed (the
                error says which; the old state stays valid unless the write succeeded).
            JoseError: ``new_kek`` is not a usable KEK.
        """
        opening = [] if self._keks is None else list(self._keks.opening.values())
        keks = as_keks(
            [new_kek, *(k for k in opening if k.kid != (new_kek.kid or new_kek.thumbprint()))]
        )
        assert keks is not None
        with self._storage.lock():
            state = self._decode(self._storage.load())
            new = State(state.version + 1, state.policy, state.entries, state.revoked)
            self._storage.save(encode_state(new, self._storage.name, as_keks(new_kek), self._keys))
        self._keks = keks
        self._highest = new.version
        with self._cache_lock:
            self._cached = None
        check = decode_state(
            self._storage.load(), self._storage.name, as_keks(new_kek), "read-back", self._keys
        )
        if {e.key.kid for e in check.entries} != {e.key.kid for e in state.entries}:
            raise KeyStoreError(f"{self._storage!r}: the rewrapped state did not read back")
