"""Key store keys on the token are labelled ``josekit-<kid>``, with no stray objects ever.

Failures of ``C_CopyObject`` are injected by replacing ``josekit.pkcs11._labels._copy``
(the one place that calls it); everything else runs on the real SoftHSM2 token.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from josekit import jws
from josekit._b64 import b64d
from josekit.errors import KeyStoreError
from josekit.jwk import Key
from josekit.jwks import KeyStore, MemoryKeyStorage, RotationPolicy
from josekit.pkcs11 import Pkcs11Token

HOUR = 3600
POLICY = RotationPolicy(
    "ES256",
    rotate_every=timedelta(hours=4),
    publish_ahead=timedelta(hours=1),
    retire_after=timedelta(hours=2),
)


def _objects(session: Any, **attrs: Any) -> list[dict[str, Any]]:
    """Every object on the token (and the process's session objects) matching ``attrs``."""
    import pkcs11

    a = pkcs11.Attribute
    template = {getattr(a, name.upper()): value for name, value in attrs.items()}
    names = [a.CLASS, a.LABEL, a.ID, a.TOKEN]
    return [
        {"class": o[a.CLASS], "label": o[a.LABEL], "id": bytes(o[a.ID]), "token": o[a.TOKEN]}
        for o in session.get_objects(template)
        for o in [o.get_attributes(names)]
    ]


def _count(session: Any) -> int:
    return len(_objects(session))


def _assert_strong_pair(session: Any, label: str, cka_id: bytes) -> None:
    """One private and one public key object with this label and id, flags as made."""
    import pkcs11

    a = pkcs11.Attribute
    template = {a.LABEL: label, a.ID: cka_id}
    found = {o.object_class: o for o in session.get_objects(template)}
    assert len(list(session.get_objects(template))) == 2
    flags = {
        pkcs11.ObjectClass.PRIVATE_KEY: (
            [a.TOKEN, a.PRIVATE, a.SENSITIVE, a.ALWAYS_SENSITIVE, a.NEVER_EXTRACTABLE, a.SIGN],
            [a.EXTRACTABLE, a.MODIFIABLE, a.DECRYPT, a.DERIVE, a.UNWRAP, a.SIGN_RECOVER],
        ),
        pkcs11.ObjectClass.PUBLIC_KEY: ([a.TOKEN, a.VERIFY], [a.MODIFIABLE, a.ENCRYPT, a.WRAP]),
    }
    for object_class, (on, off) in flags.items():
        got = found[object_class].get_attributes([*on, *off])
        assert {f.name: bool(got[f]) for f in on + off} == {f.name: f in on for f in on + off}


def test_store_keys_are_labelled_from_the_kids_of_the_published_set(
    token: Pkcs11Token, raw_session: Any
) -> None:
    before = _count(raw_session)
    store = KeyStore(MemoryKeyStorage(), POLICY, keys=token)
    now = 1_800_000_000
    used: dict[str, Key] = {}
    for _ in range(14):  # the first key, three rotations, two retirements
        store.rotate(now=now)
        key = store.signing_key()
        used[key.kid or ""] = key
        now += HOUR
    published = [k.kid or "" for k in store.public_key_set()]
    assert len(used) >= 4
    assert len(published) >= 2
    for kid in published:
        _assert_strong_pair(raw_session, f"josekit-{kid}", b64d(kid))
        by_label, by_id = token.key(f"josekit-{kid}"), token.key(id=b64d(kid))
        assert by_label.thumbprint() == by_id.thumbprint() == kid
    for kid in set(used) - set(published):  # retired and destroyed: nothing left of them
        assert _objects(raw_session, label=f"josekit-{kid}") == []
        assert _objects(raw_session, id=b64d(kid)) == []
    assert _count(raw_session) == before + 2 * len(published)
    assert _objects(raw_session, token=False) == []  # no staged session object left


@pytest.mark.parametrize("alg", ["ES384", "RS256", "EdDSA"])
def test_every_store_key_type_is_labelled_from_its_kid(
    token: Pkcs11Token, raw_session: Any, alg: str
) -> None:
    before = _count(raw_session)
    key = token.new_signing_key(alg)
    kid = key.kid or ""
    assert kid == key.thumbprint()
    _assert_strong_pair(raw_session, f"josekit-{kid}", b64d(kid))
    assert jws.verify(jws.sign(b"x", key, alg=alg), key.public(), algorithms=[alg])
    assert _count(raw_session) == before + 2
    token.destroy(key)
    assert _count(raw_session) == before


def _refusing(which: int, error: Callable[[], BaseException]) -> Callable[[Any, Any], Any]:
    """A ``_copy`` that copies for real except the ``which``-th call (0: private key)."""
    from josekit.pkcs11 import _labels

    real, calls = _labels._copy, []

    def copy(original: Any, template: dict[Any, Any]) -> Any:
        calls.append(template)
        if len(calls) - 1 == which:
            raise error()
        return real(original, template)

    return copy


def _action_prohibited() -> BaseException:
    import pkcs11

    return pkcs11.PKCS11Error("Unmapped error code 0x1b")  # CKR_ACTION_PROHIBITED


def _read_only() -> BaseException:
    import pkcs11

    return pkcs11.AttributeReadOnly()


@pytest.mark.parametrize(
    ("which", "error", "shown"),
    [(0, _read_only, "AttributeReadOnly"), (1, _action_prohibited, "0x1b")],
)
def test_a_token_refusing_the_copy_gets_the_pair_generated_directly(
    token: Pkcs11Token,
    raw_session: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    which: int,
    error: Callable[[], BaseException],
    shown: str,
) -> None:
    monkeypatch.setattr("josekit.pkcs11._labels._copy", _refusing(which, error))
    before = _count(raw_session)
    with caplog.at_level(logging.WARNING, logger="josekit.pkcs11"):
        key = token.new_signing_key("ES256")
    label, cka_id = key.external.label, key.external.cka_id
    assert label.startswith("josekit-ES256-")
    assert len(cka_id) == 16
    assert _count(raw_session) == before + 2  # the pair, and nothing copied before the refusal
    assert _objects(raw_session, label=f"josekit-{key.kid}") == []
    assert _objects(raw_session, token=False) == []
    _assert_strong_pair(raw_session, label, cka_id)
    (record,) = [r for r in caplog.records if r.name == "josekit.pkcs11"]
    assert shown in record.getMessage()
    assert label in record.getMessage()
    assert jws.verify(jws.sign(b"x", key, alg="ES256"), key.public(), algorithms=["ES256"])


def test_a_weaker_copy_is_destroyed_and_the_pair_generated_directly(
    token: Pkcs11Token,
    raw_session: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import pkcs11
    from josekit.pkcs11 import _labels

    real = _labels._copy

    def still_modifiable(original: Any, template: dict[Any, Any]) -> Any:
        # a token that ignores CKA_MODIFIABLE in a copy: the copy stays modifiable
        return real(
            original, {k: v for k, v in template.items() if k != pkcs11.Attribute.MODIFIABLE}
        )

    monkeypatch.setattr(_labels, "_copy", still_modifiable)
    before = _count(raw_session)
    with caplog.at_level(logging.WARNING, logger="josekit.pkcs11"):
        key = token.new_signing_key("ES256")
    assert key.external.label.startswith("josekit-ES256-")
    assert _objects(raw_session, label=f"josekit-{key.kid}") == []  # the weak copy is gone
    assert _count(raw_session) == before + 2
    _assert_strong_pair(raw_session, key.external.label, key.external.cka_id)
    assert "MODIFIABLE" in caplog.text


@pytest.mark.parametrize("which", [0, 1])
def test_any_other_failure_leaves_no_key_object_behind(
    token: Pkcs11Token, raw_session: Any, monkeypatch: pytest.MonkeyPatch, which: int
) -> None:
    def crash() -> BaseException:
        return RuntimeError("injected failure")

    monkeypatch.setattr("josekit.pkcs11._labels._copy", _refusing(which, crash))
    before = _count(raw_session)
    with pytest.raises(RuntimeError, match="injected failure"):
        token.new_signing_key("ES256")
    assert _count(raw_session) == before
    assert _objects(raw_session, token=False) == []


def test_staged_session_objects_are_visible_to_the_count(
    token: Pkcs11Token, raw_session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The counts above would miss a staged object only if this process could not see it.
    from josekit.pkcs11 import _labels

    real, seen = _labels._copy, []

    def copy(original: Any, template: dict[Any, Any]) -> Any:
        seen.append(len(_objects(raw_session, token=False)))
        return real(original, template)

    monkeypatch.setattr(_labels, "_copy", copy)
    token.new_signing_key("ES256")
    assert seen == [2, 2]
    assert _objects(raw_session, token=False) == []


def test_keys_with_random_labels_and_old_references_still_open(
    token: Pkcs11Token, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first key is made as before this change (random label, random 16-byte CKA_ID),
    # the later ones labelled from their kid; a new store on the same state opens both.
    storage = MemoryKeyStorage()
    with monkeypatch.context() as patched:
        patched.setattr("josekit.pkcs11._labels._copy", _refusing(0, _read_only))
        KeyStore(storage, POLICY, keys=token).rotate(now=1_800_000_000)
    store = KeyStore(storage, POLICY, keys=token)
    result = store.rotate(now=1_800_000_000 + 3 * HOUR + 1)  # publishes the next key
    assert result.created
    document = storage.load()
    assert document is not None
    ids = [bytes.fromhex(item["held"]["id"]) for item in document["keys"]]
    assert sorted(len(i) for i in ids) == [16, 32]
    again = KeyStore(storage, POLICY, keys=token)
    old = again.signing_key()
    assert old.external.label.startswith("josekit-ES256-")
    assert jws.verify(jws.sign(b"o", old, alg="ES256"), old.public(), algorithms=["ES256"])
    again.rotate(now=1_800_000_000 + 4 * HOUR + 1)  # the kid-labelled key becomes current
    new = again.signing_key()
    assert new.external.label == f"josekit-{new.kid}"
    assert jws.verify(jws.sign(b"n", new, alg="ES256"), new.public(), algorithms=["ES256"])


class _UnreachableLock(MemoryKeyStorage):
    """Reads work, but the lock (a database's, say) cannot be taken: no rotation is written."""

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        raise KeyStoreError("the key store database is unreachable")
        yield


def test_a_rotation_that_is_never_written_leaves_no_key_in_the_token(
    token: Pkcs11Token, raw_session: Any
) -> None:
    before = _count(raw_session)
    store = KeyStore(_UnreachableLock(), POLICY, keys=token)
    for attempt in range(3):  # e.g. a background rotation retrying during an outage
        with pytest.raises(KeyStoreError, match="unreachable"):
            store.rotate(now=1_800_000_000 + attempt)
    assert _count(raw_session) == before
