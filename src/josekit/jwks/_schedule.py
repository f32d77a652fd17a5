"""The rotation decisions of a key store: pure functions from entries and a moment to entries.

No storage and no I/O here: :class:`~josekit.jwks.KeyStore` calls these inside the storage's
critical section, re-deciding on the state it has just read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..jwk import Key
from ._policy import RotationPolicy
from ._state import Entry

__all__ = ["Change", "advance", "next_due", "next_steps", "promote", "revoke"]


@dataclass(slots=True)
class Change:
    """What one decision changed (kids), and the entries after it."""

    entries: list[Entry]
    created: str | None = None
    activated: str | None = None
    retired: str | None = None
    removed: tuple[str, ...] = ()
    revoked: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.created or self.activated or self.retired or self.removed or self.revoked)


def _find(entries: list[Entry], status: str) -> Entry | None:
    return next((e for e in entries if e.status == status), None)


def _keep(entry: Entry, policy: RotationPolicy) -> float:
    """Seconds a retired key stays published: never less than when it was published."""
    now = policy.retire_after.total_seconds()
    return now if entry.retire_after is None else max(entry.retire_after, now)


def _fresh(key: Key, status: str, moment: float, policy: RotationPolicy) -> Entry:
    retire = policy.retire_after.total_seconds()
    if status == "current":
        return Entry(key, status, moment, activated=moment, retire_after=retire)
    return Entry(key, status, moment, retire_after=retire)


def _swap(change: Change, moment: float, current: Entry | None, upcoming: Entry) -> None:
    entries = change.entries
    if current is not None:
        entries[entries.index(current)] = replace(current, status="retired", deactivated=moment)
        change.retired = current.key.kid
    entries[entries.index(upcoming)] = replace(upcoming, status="current", activated=moment)
    change.activated = upcoming.key.kid


def _remove_expired(change: Change, moment: float, policy: RotationPolicy) -> None:
    gone = tuple(
        e.key.kid or ""
        for e in change.entries
        if e.status == "retired"
        and e.deactivated is not None
        and moment >= e.deactivated + _keep(e, policy)
    )
    change.entries = [e for e in change.entries if e.key.kid not in gone]
    change.removed = change.removed + gone


def advance(
    entries: list[Entry], moment: float, policy: RotationPolicy, fresh: Callable[[], Key]
) -> Change:
    """The scheduled step at ``moment``: first key, publish next, promote, remove retired."""
    change = Change(list(entries))
    current, upcoming = _find(change.entries, "current"), _find(change.entries, "next")
    rotate_every = policy.rotate_every.total_seconds()
    ahead = policy.publish_ahead.total_seconds()
    if current is None and upcoming is None:
        first = _fresh(fresh(), "current", moment, policy)
        change.entries.append(first)
        change.created = change.activated = first.key.kid
    elif current is None and upcoming is not None:
        _swap(change, moment, None, upcoming)
    elif current is not None:
        started = current.activated if current.activated is not None else current.created
        if upcoming is None and moment >= started + rotate_every - ahead:
            upcoming = _fresh(fresh(), "next", moment, policy)
            change.entries.append(upcoming)
            change.created = upcoming.key.kid
        if (
            upcoming is not None
            and moment >= started + rotate_every
            and moment >= upcoming.created + ahead
        ):
            _swap(change, moment, current, upcoming)
    _remove_expired(change, moment, policy)
    return change


def promote(
    entries: list[Entry], moment: float, policy: RotationPolicy, fresh: Callable[[], Key]
) -> Change:
    """Emergency rotation: the next key (or a new one) signs from ``moment``."""
    change = Change(list(entries))
    current, upcoming = _find(change.entries, "current"), _find(change.entries, "next")
    if upcoming is None:
        upcoming = _fresh(fresh(), "next", moment, policy)
        change.entries.append(upcoming)
        change.created = upcoming.key.kid
    _swap(change, moment, current, upcoming)
    _remove_expired(change, moment, policy)
    return change


def revoke(
    entries: list[Entry], kid: str, moment: float, policy: RotationPolicy, fresh: Callable[[], Key]
) -> Change:
    """Drop ``kid`` at once; if it was signing, the next key (or a new one) signs."""
    change = Change([e for e in entries if e.key.kid != kid], revoked=kid, removed=(kid,))
    was_current = any(e.key.kid == kid and e.status == "current" for e in entries)
    if was_current:
        upcoming = _find(change.entries, "next")
        if upcoming is None:
            upcoming = _fresh(fresh(), "next", moment, policy)
            change.entries.append(upcoming)
            change.created = upcoming.key.kid
        _swap(change, moment, None, upcoming)
    return change


def next_due(entries: list[Entry], policy: RotationPolicy) -> float | None:
    """When :func:`advance` would next change something (None if never, e.g. no keys)."""
    current, upcoming = _find(entries, "current"), _find(entries, "next")
    rotate_every = policy.rotate_every.total_seconds()
    ahead = policy.publish_ahead.total_seconds()
    times = [
        e.deactivated + _keep(e, policy)
        for e in entries
        if e.status == "retired" and e.deactivated is not None
    ]
    if current is not None:
        started = current.activated if current.activated is not None else current.created
        if upcoming is None:
            times.append(started + rotate_every - ahead)
        else:
            times.append(max(started + rotate_every, upcoming.created + ahead))
    elif upcoming is not None:
        times.append(upcoming.created)
    return min(times) if times else None


def next_steps(entries: list[Entry], policy: RotationPolicy) -> dict[str, tuple[str, float]]:
    """kid -> (the next thing :func:`advance` does to that key, when)."""
    current, upcoming = _find(entries, "current"), _find(entries, "next")
    rotate_every = policy.rotate_every.total_seconds()
    ahead = policy.publish_ahead.total_seconds()
    steps: dict[str, tuple[str, float]] = {}
    swap = None
    if current is not None:
        started = current.activated if current.activated is not None else current.created
        if upcoming is None:
            steps[current.key.kid or ""] = ("publish the next key", started + rotate_every - ahead)
        else:
            swap = max(started + rotate_every, upcoming.created + ahead)
            steps[current.key.kid or ""] = ("retire", swap)
    if upcoming is not None:
        steps[upcoming.key.kid or ""] = ("activate", upcoming.created if swap is None else swap)
    for e in entries:
        if e.status == "retired" and e.deactivated is not None:
            steps[e.key.kid or ""] = ("remove", e.deactivated + _keep(e, policy))
    return steps
