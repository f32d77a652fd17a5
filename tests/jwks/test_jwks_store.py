"""KeyStore: rotation schedule, key types, file permissions, atomic writes and locking."""

from __future__ import annotations

import json
import os
import stat
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from josekit import jws
from josekit.errors import JoseError, KeyNotFoundError, KeyStoreError
from josekit.jwks import (
    FileKeyStorage,
    KeyStorage,
    KeyStore,
    MemoryKeyStorage,
    RotationPolicy,
)

MIN = 60.0
POLICY = RotationPolicy(
    alg="ES256",
    rotate_every=timedelta(minutes=10),
    publish_ahead=timedelta(minutes=2),
    retire_after=timedelta(minutes=20),
)


@pytest.fixture(params=["file", "memory"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> KeyStorage:
    if request.param == "file":
        return FileKeyStorage(tmp_path / "keys")
    return MemoryKeyStorage()


def _published(store: KeyStore) -> list[str]:
    return [k.kid or "" for k in store.public_key_set()]


def test_full_key_lifecycle(storage: KeyStorage) -> None:
    store = KeyStore(storage, POLICY)
    with pytest.raises(KeyNotFoundError, match="rotate"):
        store.signing_key()

    first = store.rotate(now=0)
    assert first.created == first.activated == first.current
    key1 = store.signing_key()
    assert key1.kid == key1.thumbprint()
    assert (key1.alg, key1.use, key1.is_private) == ("ES256", "sig", True)
    assert _published(store) == [key1.kid]
    assert not store.rotate(now=0).changed  # idempotent at one moment

    assert not store.rotate(now=7 * MIN).changed
    upcoming = store.rotate(now=8 * MIN)  # rotate_every - publish_ahead: publish "next"
    assert upcoming.created is not None
    assert upcoming.activated is None
    assert store.signing_key().kid == key1.kid  # the new key signs nothing yet
    assert _published(store) == [key1.kid, upcoming.created]

    promoted = store.rotate(now=10 * MIN)
    assert (promoted.retired, promoted.activated) == (key1.kid, upcoming.created)
    assert store.signing_key().kid == upcoming.created
    assert _published(store) == [upcoming.created, key1.kid]
    assert [e.status for e in store.entries()] == ["current", "retired"]

    assert key1.kid not in store.rotate(now=29 * MIN).removed
    gone = store.rotate(now=30 * MIN)  # deactivated at 10 + retire_after 20
    assert gone.removed == (key1.kid,)
    assert key1.kid not in _published(store)


def test_a_late_rotation_still_publishes_ahead(storage: KeyStorage) -> None:
    store = KeyStore(storage, POLICY)
    store.rotate(now=0)
    late = store.rotate(now=60 * MIN)  # nobody called rotate for an hour
    assert late.created is not None
    assert late.activated is None  # published now, promoted only publish_ahead later
    assert store.rotate(now=61 * MIN).activated is None
    assert store.rotate(now=62 * MIN).activated == late.created


def test_public_key_set_has_no_private_material(storage: KeyStorage) -> None:
    store = KeyStore(storage, POLICY)
    store.rotate(now=0)
    store.rotate(now=8 * MIN)
    published = store.public_key_set()
    assert len(published) == 2
    assert all(not k.is_private for k in published)
    assert all("d" not in k.to_dict(private=True) for k in published)


def test_now_accepts_datetimes_and_clock(storage: KeyStorage) -> None:
    ticks = [0.0]
    store = KeyStore(storage, POLICY, clock=lambda: ticks[0])
    store.rotate()
    start = datetime.fromtimestamp(0, timezone.utc)
    assert store.rotate(now=start + timedelta(minutes=8)).created is not None
    assert store.entries()[0].activated == start
    with pytest.raises(JoseError, match="aware"):
        store.rotate(now=datetime(2030, 1, 1))
    with pytest.raises(JoseError):
        store.rotate(now=True)


@pytest.mark.parametrize(
    ("alg", "kty", "crv"),
    [
        ("RS256", "RSA", None),
        ("ES256", "EC", "P-256"),
        ("ES384", "EC", "P-384"),
        ("ES512", "EC", "P-521"),
        ("EdDSA", "OKP", "Ed25519"),
        ("Ed448", "OKP", "Ed448"),
        ("ML-DSA-44", "AKP", None),
    ],
)
def test_alg_decides_key_type(alg: str, kty: str, crv: str | None) -> None:
    policy = RotationPolicy(alg, timedelta(hours=1), timedelta(minutes=5), timedelta(hours=1))
    store = KeyStore(MemoryKeyStorage(), policy)
    store.rotate(now=0)
    key = store.signing_key()
    assert (key.kty, key.crv, key.alg, key.kid) == (kty, crv, alg, key.thumbprint())
    if kty == "RSA":
        assert key.size == 2048
    token = jws.sign(b"x", key, alg)
    assert jws.verify(token, store.public_key_set(), algorithms=[alg]).payload == b"x"


@pytest.mark.parametrize(
    "arguments",
    [
        ("HS256", timedelta(hours=1), timedelta(minutes=5), timedelta(hours=1)),
        ("none", timedelta(hours=1), timedelta(minutes=5), timedelta(hours=1)),
        ("ES256", timedelta(0), timedelta(minutes=5), timedelta(hours=1)),
        ("ES256", timedelta(hours=1), timedelta(minutes=-5), timedelta(hours=1)),
        ("ES256", timedelta(hours=1), timedelta(hours=2), timedelta(hours=1)),
        ("ES256", 3600, timedelta(minutes=5), timedelta(hours=1)),
    ],
)
def test_bad_policies_are_refused(arguments: tuple[object, ...]) -> None:
    with pytest.raises(JoseError):
        RotationPolicy(*arguments)  # type: ignore[arg-type]


# -- the file backend --------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "a" / "keys", POLICY)
    store.rotate(now=0)
    directory = tmp_path / "a" / "keys"
    assert _mode(directory) == 0o700
    assert _mode(directory / "keys.json") == 0o600
    assert _mode(directory / "keys.lock") == 0o600
    assert sorted(p.name for p in directory.iterdir()) == ["keys.json", "keys.lock"]
    document = json.loads((directory / "keys.json").read_text())
    assert document["keys"][0]["jwk"]["d"]  # the private key is in the 0600 file


def test_shared_directory_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    with pytest.raises(KeyStoreError, match="chmod 700"):
        KeyStore(shared, POLICY)


def test_readable_state_file_is_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", POLICY)
    store.rotate(now=0)
    (tmp_path / "keys" / "keys.json").chmod(0o644)
    with pytest.raises(KeyStoreError, match="chmod 600"):
        KeyStore(tmp_path / "keys", POLICY).signing_key()


def test_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("")
    with pytest.raises(KeyStoreError):
        KeyStore(target, POLICY)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda doc: "not json",
        lambda doc: json.dumps({"format": 99, "keys": []}),
        lambda doc: json.dumps({**doc, "keys": [{**doc["keys"][0], "kid": "chosen"}]}),
        lambda doc: json.dumps({**doc, "keys": [{**doc["keys"][0], "status": "boss"}]}),
        lambda doc: json.dumps({**doc, "keys": [{**doc["keys"][0], "created": "yesterday"}]}),
        lambda doc: json.dumps({**doc, "keys": [doc["keys"][0], doc["keys"][0]]}),
        lambda doc: json.dumps(
            {**doc, "keys": [{**doc["keys"][0], "jwk": {**doc["keys"][0]["jwk"], "x": "AA"}}]}
        ),
    ],
)
def test_corrupt_state_is_reported(tmp_path: Path, mutate: object) -> None:
    store = KeyStore(tmp_path / "keys", POLICY)
    store.rotate(now=0)
    state = tmp_path / "keys" / "keys.json"
    document = json.loads(state.read_text())
    state.write_text(mutate(document))  # type: ignore[operator]
    with pytest.raises(KeyStoreError):
        KeyStore(tmp_path / "keys", POLICY).signing_key()
    with pytest.raises(KeyStoreError):
        store.rotate(now=1)


def test_another_store_instance_sees_rotations(tmp_path: Path) -> None:
    rotator = KeyStore(tmp_path / "keys", POLICY)
    server = KeyStore(tmp_path / "keys", POLICY)
    rotator.rotate(now=0)
    first = server.signing_key().kid
    assert server.signing_key() is server.signing_key()  # parsed once per revision
    rotator.rotate(now=8 * MIN)
    rotator.rotate(now=10 * MIN)
    assert server.signing_key().kid != first
    assert len(server.public_key_set()) == 2


def test_concurrent_rotations_do_not_interleave(tmp_path: Path) -> None:
    # Each thread has its own KeyStore (its own lock file descriptor), like separate processes.
    results = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def rotate() -> None:
        store = KeyStore(tmp_path / "keys", POLICY)
        barrier.wait()
        outcome = store.rotate(now=0)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=rotate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 8
    assert sum(r.created is not None for r in results) == 1
    assert len({r.current for r in results}) == 1
    assert len(KeyStore(tmp_path / "keys", POLICY).public_key_set()) == 1


def test_rotation_waits_for_the_lock(tmp_path: Path) -> None:
    storage = FileKeyStorage(tmp_path / "keys")
    store = KeyStore(storage, POLICY)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (store.rotate(now=0), done.set()))
    with storage.lock():
        worker.start()
        assert not done.wait(0.2)  # blocked while another holder has the lock
    worker.join(10)
    assert done.is_set()


def test_failed_write_leaves_the_old_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = KeyStore(tmp_path / "keys", POLICY)
    store.rotate(now=0)
    before = (tmp_path / "keys" / "keys.json").read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KeyStoreError, match="disk full"):
        store.rotate(now=8 * MIN)
    monkeypatch.undo()
    assert (tmp_path / "keys" / "keys.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["keys.json", "keys.lock"]
