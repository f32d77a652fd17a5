"""PostgresKeyStorage against a real PostgreSQL server: lifecycle, table, failures, locking."""

from __future__ import annotations

import threading
from datetime import timedelta

import psycopg
import pytest
from store_helpers import MIN, POLICY

from _pg import TcpProxy
from josekit.errors import JoseError, KeyStoreError
from josekit.jwks import KeyStore, PostgresKeyStorage


def _row(dsn: str, table: str, name: str = "default") -> tuple[int, str | None] | None:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            f"SELECT version, document::text FROM {table} WHERE name = %s", [name]
        ).fetchone()
    return None if row is None else (row[0], row[1])


def test_a_dsn_picks_postgres_and_the_lifecycle_runs(postgres_dsn: str, pg_table: str) -> None:
    storage = PostgresKeyStorage(postgres_dsn, table=pg_table)
    store = KeyStore(storage, POLICY)
    assert isinstance(KeyStore(postgres_dsn, POLICY).storage, PostgresKeyStorage)
    first = store.rotate(now=0)
    upcoming = store.rotate(now=8 * MIN)
    promoted = store.rotate(now=10 * MIN)
    assert (promoted.retired, promoted.activated) == (first.current, upcoming.created)
    other = KeyStore(PostgresKeyStorage(postgres_dsn, table=pg_table), POLICY)
    assert other.signing_key().kid == upcoming.created
    assert [k.kid for k in other.public_key_set()] == [upcoming.created, first.current]
    assert store.rotate(now=30 * MIN).removed == (first.current,)
    row = _row(postgres_dsn, pg_table)
    assert row is not None
    assert row[0] == 4


def test_issuers_share_a_table_by_name(postgres_dsn: str, pg_table: str) -> None:
    a = KeyStore(PostgresKeyStorage(postgres_dsn, name="a", table=pg_table), POLICY)
    b = KeyStore(PostgresKeyStorage(postgres_dsn, name="b", table=pg_table), POLICY)
    assert a.rotate(now=0).current != b.rotate(now=0).current
    assert a.signing_key().kid != b.signing_key().kid


def test_replicas_starting_together_create_the_table_once(postgres_dsn: str, pg_table: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def start() -> None:
        barrier.wait()
        try:
            KeyStore(PostgresKeyStorage(postgres_dsn, table=pg_table), POLICY).rotate(now=0)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    store = KeyStore(PostgresKeyStorage(postgres_dsn, table=pg_table), POLICY)
    assert len(store.public_key_set()) == 1


def test_a_table_created_by_the_user_is_used(postgres_dsn: str, pg_table: str) -> None:
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(PostgresKeyStorage.SCHEMA_SQL.format(table=pg_table))
    store = KeyStore(PostgresKeyStorage(postgres_dsn, table=pg_table), POLICY)
    kid = store.rotate(now=0).current
    row = _row(postgres_dsn, pg_table)
    assert row is not None
    assert row[1] is not None
    assert kid in row[1]


@pytest.mark.parametrize("table", ["x; DROP TABLE y", "a.b.c", "1abc", "", "a-b"])
def test_table_names_are_identifiers(postgres_dsn: str, table: str) -> None:
    with pytest.raises(JoseError, match="identifier"):
        PostgresKeyStorage(postgres_dsn, table=table)


def test_the_password_stays_out_of_the_repr_and_messages() -> None:
    storage = PostgresKeyStorage(
        "postgresql://issuer:s3cret-pw@127.0.0.1:1/keys", table="t", name="n"
    )
    assert "s3cret" not in repr(storage)
    assert "s3cret" not in repr(KeyStore(storage, POLICY))
    with pytest.raises(KeyStoreError) as caught:
        KeyStore(storage, POLICY).rotate(now=0)
    assert "s3cret" not in str(caught.value)
    assert "cannot connect" in str(caught.value)


def test_save_outside_the_lock_is_refused(postgres_dsn: str, pg_table: str) -> None:
    storage = PostgresKeyStorage(postgres_dsn, table=pg_table)
    with pytest.raises(KeyStoreError, match="inside lock"):
        storage.save({"format": 2})


def test_the_row_is_locked_and_a_stale_version_writes_nothing(
    postgres_dsn: str, pg_table: str
) -> None:
    storage = PostgresKeyStorage(postgres_dsn, table=pg_table)
    KeyStore(storage, POLICY).rotate(now=0)
    before = _row(postgres_dsn, pg_table)
    assert before is not None
    with storage.lock():
        # Another writer (not josekit) cannot touch the row while it is locked.
        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '100ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                conn.execute(f"UPDATE {pg_table} SET version = version + 1")
        # A save that does not find the version it read (the fence) writes nothing.
        held = storage._local.held
        storage._local.held = (held[0], before[0] - 1, held[2])
        with pytest.raises(KeyStoreError, match="changed while locked"):
            storage.save({"format": 2})
    assert _row(postgres_dsn, pg_table) == before


def test_unreachable_database_serves_the_last_state_then_fails(
    postgres_dsn: str, pg_table: str
) -> None:
    host, port = postgres_dsn.split("@")[1].split("/")[0].split(":")
    proxy = TcpProxy(host, int(port))
    ticks = [1000.0]
    try:
        store = KeyStore(
            PostgresKeyStorage(proxy.dsn(), table=pg_table),
            POLICY,
            clock=lambda: ticks[0],
            max_stale=timedelta(minutes=5),
            refresh=0,
        )
        store.rotate(now=0)
        kid = store.signing_key().kid
        proxy.stop()
        ticks[0] += 4 * MIN
        assert store.signing_key().kid == kid  # within max_stale: the last state read
        assert [k.kid for k in store.public_key_set()] == [kid]
        with pytest.raises(KeyStoreError, match="cannot connect"):
            store.rotate(now=8 * MIN)
        ticks[0] += 2 * MIN
        with pytest.raises(KeyStoreError, match="cannot connect"):
            store.signing_key()  # older than max_stale: no longer served
        proxy.start()
        assert store.signing_key().kid == kid
        assert store.rotate(now=8 * MIN).created is not None
    finally:
        proxy.stop()


def test_a_connection_dropped_mid_transaction_leaves_the_state(
    postgres_dsn: str, pg_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, port = postgres_dsn.split("@")[1].split("/")[0].split(":")
    proxy = TcpProxy(host, int(port))
    try:
        storage = PostgresKeyStorage(proxy.dsn(), table=pg_table)
        store = KeyStore(storage, POLICY)
        store.rotate(now=0)
        before = _row(postgres_dsn, pg_table)
        real_save = PostgresKeyStorage.save

        def dropping_save(self: PostgresKeyStorage, document: object) -> None:
            proxy.cut()  # after the lock was taken and the state read, before the write
            real_save(self, document)  # type: ignore[arg-type]

        monkeypatch.setattr(PostgresKeyStorage, "save", dropping_save)
        with pytest.raises(KeyStoreError):
            store.rotate(now=8 * MIN)
        assert _row(postgres_dsn, pg_table) == before
        monkeypatch.undo()
        assert store.rotate(now=8 * MIN).created is not None  # the row lock was released
    finally:
        proxy.stop()


def test_a_missing_server_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import _pg

    monkeypatch.setattr(_pg, "find_bindir", lambda: None)
    with pytest.raises(_pg.PostgresUnavailable, match="apt-get install -y postgresql"):  # noqa: SIM117
        with _pg.postgres_server():
            pass
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="not found"):
        _pg.unavailable("PostgreSQL server binaries not found")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        _pg.unavailable("PostgreSQL server binaries not found")
