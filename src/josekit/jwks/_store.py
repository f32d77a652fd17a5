"""KeyStore: an issuer's signing keys, rotated on a schedule, with the JWK Set to publish.

The rotation logic (:class:`KeyStore`) sits above a small storage interface
(:class:`KeyStorage`: load and save one state document under an exclusive lock), so that a
database-backed storage can replace the default :class:`FileKeyStorage` without any change to
the code that signs, rotates or serves keys.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any, Union

from .._json import loads_object
from ..errors import JoseError, KeyNotFoundError, KeyStoreError
from ..jwk import Key, KeySet, generate

__all__ = [
    "FileKeyStorage",
    "KeyStatus",
    "KeyStorage",
    "KeyStore",
    "MemoryKeyStorage",
    "RotationPolicy",
    "RotationResult",
]

Instant = Union[int, float, datetime]

_FORMAT = 1
_MAX_STATE_SIZE = 16_000_000
_STATUSES = ("current", "next", "retired")

# alg -> the arguments of jwk.generate() for a new signing key of that algorithm.
_KEY_SPECS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        **{alg: {"kty": "RSA", "size": 2048} for alg in ("RS256", "RS384", "RS512")},
        **{alg: {"kty": "RSA", "size": 2048} for alg in ("PS256", "PS384", "PS512")},
        "ES256": {"kty": "EC", "crv": "P-256"},
        "ES384": {"kty": "EC", "crv": "P-384"},
        "ES512": {"kty": "EC", "crv": "P-521"},
        "ES256K": {"kty": "EC", "crv": "secp256k1"},
        "EdDSA": {"kty": "OKP", "crv": "Ed25519"},
        "Ed25519": {"kty": "OKP", "crv": "Ed25519"},
        "Ed448": {"kty": "OKP", "crv": "Ed448"},
        **{alg: {"kty": "AKP", "alg": alg} for alg in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87")},
    }
)


@dataclass(frozen=True, slots=True)
class RotationPolicy:
    """When keys are created, start signing, stop signing and disappear.

    Each key goes through three published states: **next** (published, signs nothing),
    **current** (the one signing key), **retired** (published, signs nothing), then it is
    removed. :meth:`KeyStore.rotate` moves keys along:

    * ``rotate_every``: how long a key is current.
    * ``publish_ahead``: how long a new key is published as *next* before it signs. Make it
      at least the verifiers' cache lifetime (the endpoint's ``max-age``; :func:`create_app`
      uses half of ``publish_ahead`` by default), so every verifier has the key before the
      first token it signed arrives.
    * ``retire_after``: how long a key stays published after it stopped signing. Make it at
      least the longest token lifetime plus the verifiers' cache lifetime, so every token it
      signed has expired before it disappears.

    ``alg`` decides the key type: RS*/PS* RSA 2048 bits, ES256 P-256, ES384 P-384,
    ES512 P-521, ES256K secp256k1, EdDSA/Ed25519 Ed25519, Ed448 Ed448, ML-DSA-* AKP.
    Call :meth:`KeyStore.rotate` regularly, at least every ``publish_ahead / 2``.

    Raises:
        JoseError: an unsupported ``alg``, a non-positive duration, or ``publish_ahead``
            longer than ``rotate_every``.
    """

    alg: str
    rotate_every: timedelta
    publish_ahead: timedelta
    retire_after: timedelta

    def __post_init__(self) -> None:
        if self.alg not in _KEY_SPECS:
            raise JoseError(
                f"a key store cannot rotate alg {self.alg!r}: use one of {sorted(_KEY_SPECS)} "
                "(published key sets hold public keys, so HS* is not possible)"
            )
        for name in ("rotate_every", "publish_ahead", "retire_after"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value <= timedelta(0):
                raise JoseError(f"{name} must be a positive timedelta, not {value!r}")
        if self.publish_ahead > self.rotate_every:
            raise JoseError(
                f"publish_ahead ({self.publish_ahead}) must not exceed rotate_every "
                f"({self.rotate_every})"
            )


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """One stored key as reported by :meth:`KeyStore.entries` (no private material).

    Attributes:
        kid: the RFC 7638 thumbprint of the key.
        alg: its algorithm.
        status: ``"next"``, ``"current"`` or ``"retired"``.
        created: when it was generated and published.
        activated: when it became the signing key (None while next).
        deactivated: when it stopped signing (None unless retired).
    """

    kid: str
    alg: str
    status: str
    created: datetime
    activated: datetime | None
    deactivated: datetime | None


@dataclass(frozen=True, slots=True)
class RotationResult:
    """What one :meth:`KeyStore.rotate` call changed (kids of the keys concerned).

    Attributes:
        created: the key generated (published as next, or current for the very first key).
        activated: the key that became current.
        retired: the key that stopped signing.
        removed: keys no longer published.
        current: the signing key after the call.
    """

    created: str | None
    activated: str | None
    retired: str | None
    removed: tuple[str, ...]
    current: str

    @property
    def changed(self) -> bool:
        """Whether the call changed anything."""
        return bool(self.created or self.activated or self.retired or self.removed)


# -- storage --------------------------------------------------------------------------------


class KeyStorage(ABC):
    """Where a :class:`KeyStore` keeps its state: one JSON-compatible document.

    The document holds private keys; a backend must keep it confidential. :meth:`lock` gives
    exclusive access across processes for the load-modify-save of a rotation; :meth:`save`
    must be atomic (a reader sees the old or the new document, never a mix).
    """

    @abstractmethod
    def load(self) -> dict[str, Any] | None:
        """The saved document, or None if nothing was saved yet."""

    @abstractmethod
    def save(self, document: Mapping[str, Any]) -> None:
        """Replace the document atomically and durably."""

    @abstractmethod
    def lock(self) -> contextlib.AbstractContextManager[None]:
        """A context manager holding an exclusive lock on the store."""

    def revision(self) -> object | None:
        """A cheap token that changes whenever the document does; None disables caching."""
        return None


class FileKeyStorage(KeyStorage):
    """The state document in a private directory: ``keys.json`` (0600) and ``keys.lock``.

    The directory is created with mode 0700, and refused if it (or ``keys.json``) can be
    read by anyone but its owner. Writes go to a temporary file that is fsynced, renamed over
    ``keys.json``, after which the directory is fsynced. ``fcntl.flock`` on ``keys.lock``
    serialises rotations across processes (POSIX only).

    Raises:
        KeyStoreError: the directory cannot be created, is not private, or is not a directory.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._dir = Path(path)
        self._file = self._dir / "keys.json"
        self._lock_file = self._dir / "keys.lock"
        try:
            self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = os.stat(self._dir)
        except OSError as exc:
            raise KeyStoreError(
                f"cannot create the key store directory {self._dir}: {exc}"
            ) from None
        if not stat.S_ISDIR(info.st_mode):
            raise KeyStoreError(f"the key store path {self._dir} is not a directory")
        _check_private(info, self._dir, "700")

    @property
    def path(self) -> Path:
        """The directory."""
        return self._dir

    def __repr__(self) -> str:
        return f"FileKeyStorage({str(self._dir)!r})"

    def load(self) -> dict[str, Any] | None:
        """Read ``keys.json`` (None if absent); refuse it if others can read it."""
        try:
            fd = os.open(self._file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeyStoreError(f"cannot open {self._file}: {exc}") from None
        try:
            with os.fdopen(fd, "rb") as handle:
                _check_private(os.fstat(handle.fileno()), self._file, "600")
                data = handle.read(_MAX_STATE_SIZE + 1)
        except OSError as exc:
            raise KeyStoreError(f"cannot read {self._file}: {exc}") from None
        if len(data) > _MAX_STATE_SIZE:
            raise KeyStoreError(f"{self._file} is larger than {_MAX_STATE_SIZE} bytes")
        try:
            return loads_object(data, "key store state")
        except JoseError as exc:
            raise KeyStoreError(f"{self._file} is corrupt: {exc}") from None

    def save(self, document: Mapping[str, Any]) -> None:
        """Write to a 0600 temporary file, fsync, rename over ``keys.json``, fsync the dir."""
        data = json.dumps(document, indent=1, sort_keys=True).encode("utf-8")
        try:
            fd, temp = tempfile.mkstemp(prefix=".keys.", suffix=".tmp", dir=self._dir)
        except OSError as exc:
            raise KeyStoreError(f"cannot write in {self._dir}: {exc}") from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self._file)
            _fsync_dir(self._dir)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise KeyStoreError(f"cannot write {self._file}: {exc}") from None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold ``fcntl.flock(LOCK_EX)`` on ``keys.lock``."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            raise KeyStoreError(
                "FileKeyStorage needs fcntl (POSIX); use another KeyStorage here"
            ) from None
        try:
            fd = os.open(
                self._lock_file, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600
            )
        except OSError as exc:
            raise KeyStoreError(f"cannot open the lock file {self._lock_file}: {exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def revision(self) -> object | None:
        """Inode, modification time and size of ``keys.json`` (a rename changes the inode)."""
        try:
            info = os.stat(self._file)
        except OSError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)


def _check_private(info: os.stat_result, path: Path, mode: str) -> None:
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise KeyStoreError(f"{path} belongs to another user; a key store must be your own")
    if info.st_mode & 0o077:
        raise KeyStoreError(
            f"{path} is accessible to other users (mode {stat.S_IMODE(info.st_mode):o}); "
            f"it holds private keys: chmod {mode} {path}"
        )


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class MemoryKeyStorage(KeyStorage):
    """The state document in memory (one process only): for tests and short-lived issuers."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._data: bytes | None = None
        self._revision = 0

    def load(self) -> dict[str, Any] | None:
        """A copy of the saved document."""
        data = self._data
        return None if data is None else loads_object(data, "key store state")

    def save(self, document: Mapping[str, Any]) -> None:
        """Keep a copy of the document."""
        with self._lock:
            self._data = json.dumps(document).encode("utf-8")
            self._revision += 1

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """A re-entrant thread lock."""
        with self._lock:
            yield

    def revision(self) -> object | None:
        """A counter of saves."""
        return self._revision


# -- the store ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    key: Key
    status: str
    created: float
    activated: float | None = None
    deactivated: float | None = None

    def to_document(self) -> dict[str, Any]:
        return {
            "kid": self.key.kid,
            "status": self.status,
            "created": self.created,
            "activated": self.activated,
            "deactivated": self.deactivated,
            "jwk": self.key.to_dict(private=True),
        }


def _stamp(entry: Mapping[str, Any], name: str, where: str, required: bool) -> float | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise KeyStoreError(f"{where}: '{name}' must be a number of seconds, not {value!r}")
    return float(value)


def _parse_entry(item: object, where: str) -> _Entry:
    if not isinstance(item, dict):
        raise KeyStoreError(f"{where} is not an object")
    status = item.get("status")
    if status not in _STATUSES:
        raise KeyStoreError(f"{where}: unknown status {status!r}")
    jwk = item.get("jwk")
    if not isinstance(jwk, dict):
        raise KeyStoreError(f"{where}: 'jwk' must be an object")
    try:
        key = Key.import_key(jwk)
    except JoseError as exc:
        raise KeyStoreError(f"{where}: invalid key: {exc}") from None
    if not key.is_private or key.kid is None or key.alg is None:
        raise KeyStoreError(f"{where}: the key must be a private key with 'kid' and 'alg'")
    if item.get("kid") != key.kid or key.kid != key.thumbprint():
        raise KeyStoreError(f"{where}: 'kid' is not the RFC 7638 thumbprint of the key")
    created = _stamp(item, "created", where, True)
    assert created is not None
    return _Entry(
        key,
        status,
        created,
        _stamp(item, "activated", where, status != "next"),
        _stamp(item, "deactivated", where, status == "retired"),
    )


def _parse_document(document: Mapping[str, Any] | None, origin: str) -> tuple[_Entry, ...]:
    if document is None:
        return ()
    if document.get("format") != _FORMAT or not isinstance(document.get("keys"), list):
        raise KeyStoreError(
            f"the key store state in {origin} is not a josekit key store document "
            f"(format {_FORMAT} with a 'keys' list)"
        )
    entries = tuple(
        _parse_entry(item, f"key {index} in {origin}")
        for index, item in enumerate(document["keys"])
    )
    for status in ("current", "next"):
        if sum(e.status == status for e in entries) > 1:
            raise KeyStoreError(f"the key store state in {origin} has more than one {status} key")
    if len({e.key.kid for e in entries}) != len(entries):
        raise KeyStoreError(f"the key store state in {origin} has two keys with the same kid")
    return entries


def _document(entries: tuple[_Entry, ...]) -> dict[str, Any]:
    return {"format": _FORMAT, "keys": [e.to_document() for e in entries]}


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


def _new_key(alg: str) -> Key:
    spec = dict(_KEY_SPECS[alg])
    key = generate(spec.pop("kty"), **spec)
    return Key.import_key(key, kid=key.thumbprint(), alg=None if key.alg == alg else alg, use="sig")


_ORDER = {"current": 0, "next": 1, "retired": 2}


class _Snapshot:
    """Entries as loaded for one storage revision, with the derived keys computed once."""

    __slots__ = ("entries", "public_set", "signing")

    def __init__(self, entries: tuple[_Entry, ...]) -> None:
        self.entries = entries
        ordered = sorted(entries, key=lambda e: (_ORDER[e.status], -e.created))
        self.public_set = KeySet(e.key.public() for e in ordered)
        self.signing = next((e.key for e in entries if e.status == "current"), None)


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
        self._cached: tuple[object, _Snapshot] | None = None

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

    def _snapshot(self) -> _Snapshot:
        revision = self._storage.revision()
        with self._cache_lock:
            cached = self._cached
            if revision is not None and cached is not None and cached[0] == revision:
                return cached[1]
        snapshot = _Snapshot(_parse_document(self._storage.load(), repr(self._storage)))
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
        ordered = sorted(self._snapshot().entries, key=lambda e: (_ORDER[e.status], -e.created))
        return tuple(
            KeyStatus(
                kid=e.key.kid or "",
                alg=e.key.alg or "",
                status=e.status,
                created=datetime.fromtimestamp(e.created, timezone.utc),
                activated=_moment(e.activated),
                deactivated=_moment(e.deactivated),
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
            entries = list(_parse_document(self._storage.load(), repr(self._storage)))
            current = next((e for e in entries if e.status == "current"), None)
            upcoming = next((e for e in entries if e.status == "next"), None)
            if current is None and upcoming is None:
                fresh = _Entry(_new_key(policy.alg), "current", moment, activated=moment)
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
                    upcoming = _Entry(_new_key(policy.alg), "next", moment)
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
                self._storage.save(_document(tuple(entries)))
            signing = next(e for e in entries if e.status == "current")
        return RotationResult(created, activated, retired, removed, signing.key.kid or "")
