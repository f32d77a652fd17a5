"""Private keys sealed at rest under a KEK: what is stored, what opens, what is refused.

The rows of SECURITY-NOTES-2 §4 each have a negative test here: keys readable in storage
(1), ciphertext moved to another row or issuer (2), plaintext fallback (3), rollback (4),
KEK handling and rotation (8).
"""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

import psycopg
import pytest
from store_helpers import MIN, POLICY

from josekit import jwe, jwk
from josekit.errors import JoseError, KeyStoreError
from josekit.jwk import Key
from josekit.jwks import (
    FileKeyStorage,
    KeyStorage,
    KeyStore,
    MemoryKeyStorage,
    PostgresKeyStorage,
    RotationPolicy,
)

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k", "priv")
OCT_KEK = jwk.generate("oct", size=256)
KEKS = {
    "oct": OCT_KEK,
    "EC": jwk.generate("EC", crv="P-256"),
    "RSA": jwk.generate("RSA", size=2048),
}


def _encodings(value: str) -> list[bytes]:
    """A private member as stored in a JWK, and the other ways it could be written."""
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    std = base64.b64encode(raw)
    return [
        value.encode(),
        std,
        std.rstrip(b"="),
        raw.hex().encode(),
        raw.hex().upper().encode(),
    ] + ([raw] if len(raw) >= 8 else [])


def _private_values(keys: list[Key]) -> list[str]:
    values = []
    for key in keys:
        private = key.to_dict(private=True)
        values += [private[m] for m in PRIVATE_MEMBERS if m in private]
    return values


def _rotated_keys(store: KeyStore) -> list[Key]:
    """Rotate through three keys, keeping each private key as it was while current."""
    seen = []
    for now in (0, 8 * MIN, 10 * MIN, 18 * MIN, 20 * MIN):
        store.rotate(now=now)
        seen.append(store.signing_key())
    assert len({k.kid for k in seen}) == 3
    return seen


def test_no_private_member_is_stored_in_the_file(tmp_path: Path) -> None:
    for alg in ("ES256", "RS256", "EdDSA", "ML-DSA-44"):
        policy = RotationPolicy(alg, POLICY.rotate_every, POLICY.publish_ahead, POLICY.retire_after)
        directory = tmp_path / alg
        keys = _rotated_keys(KeyStore(directory, policy, kek=OCT_KEK))
        stored = (directory / "keys.json").read_bytes()
        values = _private_values(keys)
        assert values
        for value in values:
            for encoded in _encodings(value):
                assert encoded not in stored, alg
        # the public members stay readable for audits
        assert all(k.public().to_dict()["kid"].encode() in stored for k in keys)
        assert b'"status": "current"' in stored


@pytest.mark.parametrize("kty", sorted(KEKS))
def test_no_private_member_is_stored_in_the_table(
    postgres_dsn: str, pg_table: str, kty: str
) -> None:
    store = KeyStore(PostgresKeyStorage(postgres_dsn, table=pg_table), POLICY, kek=KEKS[kty])
    keys = _rotated_keys(store)
    with psycopg.connect(postgres_dsn) as conn:
        rows = conn.execute(f"SELECT t::text, document::text FROM {pg_table} t").fetchall()
    stored = "".join(a + b for a, b in rows).encode()
    for value in _private_values(keys):
        for encoded in _encodings(value):
            assert encoded not in stored
    reader = KeyStore(PostgresKeyStorage(postgres_dsn, table=pg_table), POLICY, kek=KEKS[kty])
    assert reader.signing_key().to_dict(private=True) == keys[-1].to_dict(private=True)


def _swap_documents(dsn: str, table: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(
            f"UPDATE {table} SET document = (SELECT document FROM {table} WHERE name = 'a') "
            "WHERE name = 'b'"
        )


def test_a_row_copied_to_another_issuer_does_not_open(postgres_dsn: str, pg_table: str) -> None:
    stores = {
        name: KeyStore(
            PostgresKeyStorage(postgres_dsn, name=name, table=pg_table), POLICY, kek=OCT_KEK
        )
        for name in ("a", "b")
    }
    for store in stores.values():
        store.rotate(now=0)
    _swap_documents(postgres_dsn, pg_table)
    fresh_b = KeyStore(
        PostgresKeyStorage(postgres_dsn, name="b", table=pg_table), POLICY, kek=OCT_KEK
    )
    with pytest.raises(KeyStoreError, match="belongs to key store 'a'"):
        fresh_b.signing_key()
    # Renaming the copied document does not help: the name is bound into each sealed key.
    with psycopg.connect(postgres_dsn) as conn:
        conn.execute(
            f"UPDATE {pg_table} SET document = jsonb_set(document, '{{name}}', '\"b\"') "
            "WHERE name = 'b'"
        )
    with pytest.raises(KeyStoreError, match="does not open"):
        fresh_b.signing_key()


def _file_store(tmp_path: Path, **options: Any) -> tuple[KeyStore, Path]:
    store = KeyStore(tmp_path / "keys", POLICY, **options)
    return store, tmp_path / "keys" / "keys.json"


def _edit(path: Path, change: Any) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d["keys"][0].update(status="retired", deactivated=1.0), id="status"),
        pytest.param(lambda d: d["keys"][0].update(created=5.0), id="times"),
        pytest.param(lambda d: d.update(version=d["version"] + 5), id="version"),
        pytest.param(lambda d: d["keys"].pop(1), id="key-dropped"),
        pytest.param(lambda d: d.update(revoked=["x"]), id="revoked-list"),
        pytest.param(
            lambda d: d["keys"][0].update(sealed=d["keys"][1]["sealed"]), id="sealed-swapped"
        ),
    ],
)
def test_public_fields_are_bound_to_the_sealed_keys(tmp_path: Path, change: Any) -> None:
    store, path = _file_store(tmp_path, kek=OCT_KEK)
    store.rotate(now=0)
    store.rotate(now=8 * MIN)
    _edit(path, change)
    with pytest.raises(KeyStoreError):
        KeyStore(tmp_path / "keys", POLICY, kek=OCT_KEK).signing_key()


def test_a_planted_plaintext_key_is_refused(tmp_path: Path) -> None:
    store, path = _file_store(tmp_path, kek=OCT_KEK)
    store.rotate(now=0)
    planted = jwk.generate("EC", crv="P-256")
    planted = Key.import_key(planted, kid=planted.thumbprint(), alg="ES256", use="sig")

    def plant(document: dict[str, Any]) -> None:
        entry = document["keys"][0]
        entry.pop("sealed")
        entry.update(kid=planted.kid, jwk=planted.to_dict(private=True))

    _edit(path, plant)
    with pytest.raises(KeyStoreError, match="plaintext"):
        KeyStore(tmp_path / "keys", POLICY, kek=OCT_KEK).signing_key()


def test_an_unknown_envelope_version_is_refused(tmp_path: Path) -> None:
    store, path = _file_store(tmp_path, kek=OCT_KEK)
    store.rotate(now=0)

    def reseal(document: dict[str, Any]) -> None:
        entry = document["keys"][0]
        header = jwe.decrypt(entry["sealed"], OCT_KEK, algorithms=["A256KW"]).header
        binding = {**header["josekit-sealed"], "v": 99}
        entry["sealed"] = jwe.encrypt(
            b"{}",
            OCT_KEK,
            "A256KW",
            "A256GCM",
            header={"josekit-sealed": binding, "kid": header["kid"]},
        )

    _edit(path, reseal)
    with pytest.raises(KeyStoreError, match="envelope version 99"):
        KeyStore(tmp_path / "keys", POLICY, kek=OCT_KEK).signing_key()


def test_missing_or_wrong_kek_loads_nothing(tmp_path: Path) -> None:
    store, _ = _file_store(tmp_path, kek=KEKS["EC"])
    store.rotate(now=0)
    with pytest.raises(KeyStoreError, match="the key store is encrypted; pass the key-encryption"):
        KeyStore(tmp_path / "keys", POLICY).signing_key()
    with pytest.raises(KeyStoreError, match="the key store is encrypted"):
        KeyStore(tmp_path / "keys", POLICY).public_key_set()
    for wrong in (jwk.generate("EC", crv="P-256"), OCT_KEK, KEKS["EC"].public()):
        with pytest.raises(KeyStoreError, match="does not open"):
            KeyStore(tmp_path / "keys", POLICY, kek=wrong).signing_key()
        with pytest.raises(KeyStoreError):
            KeyStore(tmp_path / "keys", POLICY, kek=wrong).rotate(now=8 * MIN)


@pytest.mark.parametrize(
    "kek",
    [jwk.generate("oct", size=128), jwk.generate("OKP", crv="Ed25519"), "secret", []],
    ids=["oct-128", "ed25519", "str", "empty"],
)
def test_weak_or_invalid_keks_are_refused(kek: Any) -> None:
    with pytest.raises(JoseError):
        KeyStore(MemoryKeyStorage(), POLICY, kek=kek)


@pytest.mark.parametrize("storage_kind", ["file", "postgres"])
def test_kek_rotation_rewraps_everything_in_one_write(
    tmp_path: Path, request: pytest.FixtureRequest, storage_kind: str
) -> None:
    def storage() -> KeyStorage:
        if storage_kind == "file":
            return FileKeyStorage(tmp_path / "keys")
        dsn = request.getfixturevalue("postgres_dsn")
        return PostgresKeyStorage(dsn, table=request.getfixturevalue("pg_table"))

    old, new = OCT_KEK, KEKS["RSA"]
    store = KeyStore(storage(), POLICY, kek=old)
    store.rotate(now=0)
    store.rotate(now=8 * MIN)
    kids = [k.kid for k in store.public_key_set()]
    before = storage().load()
    store.rewrap(new)
    after = storage().load()
    assert before is not None
    assert after is not None
    assert after["version"] == before["version"] + 1
    assert all(
        e["sealed"] != b["sealed"] for e, b in zip(after["keys"], before["keys"], strict=True)
    )
    assert store.rotate(now=10 * MIN).activated == kids[1]  # keeps working
    assert [k.kid for k in KeyStore(storage(), POLICY, kek=new).public_key_set()][:2] == kids[::-1]
    assert KeyStore(storage(), POLICY, kek=[new, old]).signing_key().kid == kids[1]
    with pytest.raises(KeyStoreError, match="does not open"):
        KeyStore(storage(), POLICY, kek=old).signing_key()


def test_rewrap_encrypts_a_plaintext_store(tmp_path: Path) -> None:
    store, path = _file_store(tmp_path)
    store.rotate(now=0)
    secret = store.signing_key().to_dict(private=True)["d"]
    assert secret.encode() in path.read_bytes()
    store.rewrap(OCT_KEK)
    assert secret.encode() not in path.read_bytes()
    reopened = KeyStore(tmp_path / "keys", POLICY, kek=OCT_KEK).signing_key()
    assert reopened.to_dict(private=True)["d"] == secret


def test_an_older_state_is_refused_and_the_last_good_one_served(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, path = _file_store(tmp_path, kek=OCT_KEK)
    store.rotate(now=0)
    old_state = path.read_text()
    store.rotate(now=8 * MIN)
    store.rotate(now=10 * MIN)
    current = store.signing_key().kid
    path.write_text(old_state)  # a restored backup: validly sealed, but older
    with caplog.at_level(logging.WARNING, logger="josekit.jwks"):
        assert store.signing_key().kid == current  # the last good state, not the old one
    assert "older than version" in caplog.text
    with pytest.raises(KeyStoreError, match="older than version"):
        store.rotate(now=11 * MIN)
