"""The key lifecycle: the saved policy, emergency rotation, revocation and next_due."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from store_helpers import MIN, POLICY

from josekit.errors import KeyNotFoundError, KeyStoreError
from josekit.jwks import KeyStore, MemoryKeyStorage, RotationPolicy


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def _published(store: KeyStore) -> list[str]:
    return [k.kid or "" for k in store.public_key_set()]


def test_next_due_says_when_to_call_again() -> None:
    store = KeyStore(MemoryKeyStorage(), POLICY)
    assert store.rotate(now=0).next_due == _at(8 * MIN)  # publish the next key
    assert store.rotate(now=3 * MIN).next_due == _at(8 * MIN)
    assert store.rotate(now=8 * MIN).next_due == _at(10 * MIN)  # promote it
    assert store.rotate(now=10 * MIN).next_due == _at(18 * MIN)
    assert store.next_due() == _at(18 * MIN)
    store.rotate(now=18 * MIN)
    assert store.rotate(now=20 * MIN).next_due == _at(28 * MIN)
    # the first retired key goes at 10 + 20 = 30, after the next publication at 28
    assert store.rotate(now=28 * MIN).next_due == _at(30 * MIN)


def test_the_policy_is_saved_and_a_different_one_refused() -> None:
    storage = MemoryKeyStorage()
    KeyStore(storage, POLICY).rotate(now=0)
    longer = RotationPolicy("ES256", timedelta(hours=1), timedelta(minutes=2), timedelta(hours=1))
    with pytest.raises(KeyStoreError) as caught:
        KeyStore(storage, longer).rotate(now=MIN)
    assert "rotate every 10min" in str(caught.value)  # names both policies
    assert "rotate every 1h" in str(caught.value)
    assert "policy_change=True" in str(caught.value)
    changed = KeyStore(storage, longer).rotate(now=MIN, policy_change=True)
    assert not changed.created
    assert KeyStore(storage, longer).rotate(now=2 * MIN).next_due == _at(58 * MIN)
    assert KeyStore(storage).policy == longer  # no policy given: the saved one


def test_a_changed_policy_keeps_keys_until_their_published_retire_time() -> None:
    storage = MemoryKeyStorage()
    store = KeyStore(storage, POLICY)
    first = store.rotate(now=0).current
    store.rotate(now=8 * MIN)
    store.rotate(now=10 * MIN)  # first retired at 10 min, published to stay until 30 min
    short = RotationPolicy("ES256", POLICY.rotate_every, POLICY.publish_ahead, timedelta(minutes=1))
    hasty = KeyStore(storage, short)
    assert hasty.rotate(now=12 * MIN, policy_change=True).removed == ()
    assert first in _published(hasty)
    assert hasty.rotate(now=29 * MIN).removed == ()
    assert first in hasty.rotate(now=30 * MIN).removed


def test_rotate_now_promotes_the_next_key_or_a_new_one() -> None:
    store = KeyStore(MemoryKeyStorage(), POLICY)
    first = store.rotate(now=0).current
    emergency = store.rotate_now(now=MIN)
    assert emergency.created == emergency.activated == emergency.current != first
    assert emergency.retired == first
    assert store.signing_key().kid == emergency.current
    assert [e.status for e in store.entries()] == ["current", "retired"]
    upcoming = store.rotate(now=9 * MIN).created  # 1 + 10 - 2
    assert upcoming is not None
    again = store.rotate_now(now=9.5 * MIN)
    assert (again.created, again.activated) == (None, upcoming)
    assert first in _published(store)  # retired as usual, not removed


def test_revoke_removes_at_once_and_replaces_a_signing_key() -> None:
    store = KeyStore(MemoryKeyStorage(), POLICY)
    first = store.rotate(now=0).current
    upcoming = store.rotate(now=8 * MIN).created
    revoked = store.revoke(first, now=9 * MIN)
    assert revoked.revoked == first
    assert revoked.activated == upcoming == store.signing_key().kid
    assert _published(store) == [upcoming]
    replacement = store.revoke(upcoming or "", now=9.5 * MIN)
    assert replacement.created == replacement.current == store.signing_key().kid
    assert upcoming not in _published(store)
    with pytest.raises(KeyNotFoundError):
        store.revoke(first, now=10 * MIN)  # already gone
    with pytest.raises(KeyNotFoundError):
        store.revoke("no-such-kid", now=10 * MIN)


def test_a_revoked_key_cannot_come_back_in_a_later_state() -> None:
    storage = MemoryKeyStorage()
    store = KeyStore(storage, POLICY)
    first = store.rotate(now=0).current
    store.rotate(now=8 * MIN)
    saved = storage.load()
    store.revoke(first, now=9 * MIN)
    after = storage.load()
    assert saved is not None
    assert after is not None
    old = dict(saved["keys"][0], status="retired", deactivated=9 * MIN)
    resurrected = dict(after, keys=[*after["keys"], old], version=after["version"] + 1)
    storage.save(resurrected)
    with pytest.raises(KeyStoreError, match="revoked"):
        KeyStore(storage, POLICY).signing_key()


def test_the_first_rotation_needs_a_policy() -> None:
    with pytest.raises(KeyStoreError, match="no saved rotation policy"):
        KeyStore(MemoryKeyStorage()).rotate(now=0)
