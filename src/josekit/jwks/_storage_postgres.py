"""PostgresKeyStorage: the key store state in one PostgreSQL row per issuer (psycopg 3).

The row is locked (``SELECT … FOR UPDATE``) and written in one transaction, and every write is
also a compare-and-swap on the ``version`` column, the fencing token: a write that does not
find the version it read changes nothing. The storage knows nothing of rotation; it keeps an
opaque JSON document, as every :class:`~josekit.jwks.KeyStorage` does.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from .._json import loads_object
from ..errors import JoseError, KeyStoreError
from ._storage import MAX_STATE_SIZE, KeyStorage

__all__ = ["PostgresKeyStorage"]

_SCHEMA_SQL = """\
CREATE TABLE IF NOT EXISTS {table} (
    name       text        PRIMARY KEY,
    version    bigint      NOT NULL DEFAULT 0,
    document   jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
)"""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_CONNECT_TIMEOUT = 5
_IDLE = 4  # idle connections kept per storage


def _import_psycopg() -> Any:
    try:
        import psycopg
        import psycopg.sql
    except ImportError as exc:
        raise ImportError(
            "josekit.jwks.PostgresKeyStorage needs psycopg 3, which is not installed: "
            "pip install 'josekit[postgres]'"
        ) from exc
    return psycopg


def _table_identifier(psycopg: Any, table: str) -> Any:
    parts = table.split(".")
    if len(parts) > 2 or not all(_IDENTIFIER.fullmatch(p) for p in parts):
        raise JoseError(
            f"table must be a PostgreSQL identifier, optionally schema-qualified "
            f"(letters, digits, _), not {table!r}"
        )
    return psycopg.sql.Identifier(*parts)


class PostgresKeyStorage(KeyStorage):
    """A :class:`~josekit.jwks.KeyStorage` on PostgreSQL: one row of ``table`` per ``name``.

    Several issuers (or tenants) can share one table under different names. The table is
    created when missing, under a transaction-level advisory lock so that replicas starting
    together do not collide; users who create it themselves (and give the issuer's role only
    ``SELECT, INSERT, UPDATE`` on it) use :attr:`SCHEMA_SQL`::

        CREATE TABLE IF NOT EXISTS josekit_key_state (
            name       text        PRIMARY KEY,
            version    bigint      NOT NULL DEFAULT 0,
            document   jsonb,
            updated_at timestamptz NOT NULL DEFAULT now()
        );

    :meth:`lock` opens a transaction and locks the row (``SELECT … FOR UPDATE``, after
    inserting an empty row if there is none); :meth:`load` and :meth:`save` inside it use that
    transaction, and the lock is released by its commit, so a process that dies or loses its
    connection mid-way leaves the previous state intact. :meth:`save` is also a
    compare-and-swap on ``version``. Connections (connect timeout 5 s) come from a small
    pool of up to 4 idle ones per storage, one per operation; a connection that failed is
    closed, and a forked child opens its own.

    Args:
        dsn: a libpq connection string or ``postgresql://`` URI. It may hold a password; it
            never appears in messages or the repr.
        name: the row: one key store per name.
        table: the table name, optionally schema-qualified.

    Raises:
        ImportError: psycopg is not installed (``pip install 'josekit[postgres]'``).
        JoseError: an invalid table name or DSN.
    """

    SCHEMA_SQL = _SCHEMA_SQL
    """The ``CREATE TABLE`` statement run when the table is missing (``{table}``: its name)."""

    refresh_interval = 1.0
    """Seconds a :class:`~josekit.jwks.KeyStore` may reuse a state before asking again."""

    def __init__(
        self, dsn: str, *, name: str = "default", table: str = "josekit_key_state"
    ) -> None:
        psycopg = _import_psycopg()
        if not isinstance(dsn, str) or not dsn:
            raise JoseError("dsn must be a non-empty PostgreSQL connection string")
        if not isinstance(name, str) or not name or len(name) > 200:
            raise JoseError("name must be a non-empty string of at most 200 characters")
        try:
            info = psycopg.conninfo.conninfo_to_dict(dsn)
        except psycopg.Error:
            raise JoseError("dsn is not a valid PostgreSQL connection string") from None
        self._psycopg = psycopg
        self._dsn = dsn
        self._name = name
        self._table_name = table
        self._table = _table_identifier(psycopg, table)
        self._where = f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/" + str(
            info.get("dbname", "")
        )
        self._ready = False
        self._local = threading.local()
        self._pool_lock = threading.Lock()
        self._pool: list[Any] = []
        self._pool_pid = os.getpid()

    @property
    def name(self) -> str:
        """The row name (the issuer or tenant)."""
        return self._name

    @property
    def table(self) -> str:
        """The table name."""
        return self._table_name

    def __repr__(self) -> str:
        return (
            f"PostgresKeyStorage({self._where!r}, name={self._name!r}, table={self._table_name!r})"
        )

    def _sql(self, text: str) -> Any:
        return self._psycopg.sql.SQL(text).format(table=self._table)

    def _fail(self, action: str, exc: BaseException) -> KeyStoreError:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return KeyStoreError(f"{self!r}: cannot {action}: {detail}")

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        """A connection from the small idle pool (or a new one); dropped after any error."""
        with self._pool_lock:
            if self._pool_pid != os.getpid():  # a forked child never uses its parent's sockets
                self._pool, self._pool_pid = [], os.getpid()
            conn = self._pool.pop() if self._pool else None
        if conn is None:
            try:
                conn = self._psycopg.connect(
                    self._dsn, autocommit=True, connect_timeout=_CONNECT_TIMEOUT
                )
            except self._psycopg.Error as exc:
                raise self._fail("connect to PostgreSQL", exc) from None
        healthy = False
        try:
            yield conn
            healthy = conn.info.transaction_status == self._psycopg.pq.TransactionStatus.IDLE
        finally:
            stale: list[Any] = []
            with self._pool_lock:
                keep = healthy and len(self._pool) < _IDLE and self._pool_pid == os.getpid()
                if keep:
                    self._pool.append(conn)
                elif not healthy:  # the others are likely as dead (a restart, a cut network)
                    stale, self._pool = self._pool, []
            for dead in ([] if keep else [conn]) + stale:
                with contextlib.suppress(Exception):
                    dead.close()

    def _ensure_table(self, conn: Any) -> None:
        if self._ready:
            return
        with conn.transaction():
            (exists,) = conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL", [self._table_name]
            ).fetchone()
            if not exists:
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 7638))", [self._table_name]
                )
                conn.execute(self._sql(_SCHEMA_SQL))
        self._ready = True

    def _parse(self, text: str | None) -> dict[str, Any] | None:
        if text is None:
            return None
        if len(text) > MAX_STATE_SIZE:
            raise KeyStoreError(f"{self!r}: the state is larger than {MAX_STATE_SIZE} bytes")
        try:
            return loads_object(text.encode("utf-8"), "key store state")
        except JoseError as exc:
            raise KeyStoreError(f"{self!r}: the state is corrupt: {exc}") from None

    def _select(self, conn: Any, lock: bool) -> tuple[int, str | None] | None:
        query = "SELECT version, document::text FROM {table} WHERE name = %s"
        row = conn.execute(
            self._sql(query + (" FOR UPDATE" if lock else "")), [self._name]
        ).fetchone()
        return None if row is None else (int(row[0]), row[1])

    def load(self) -> dict[str, Any] | None:
        """The saved document (None if none); inside :meth:`lock`, as read under the lock."""
        held = getattr(self._local, "held", None)
        if held is not None:
            return self._parse(held[2])
        try:
            with self._connection() as conn:
                self._ensure_table(conn)
                row = self._select(conn, lock=False)
        except self._psycopg.Error as exc:
            raise self._fail("read the key store state", exc) from None
        return None if row is None else self._parse(row[1])

    def save(self, document: Mapping[str, Any]) -> None:
        """Write the document in the transaction of :meth:`lock` (compare-and-swap on version).

        Raises:
            KeyStoreError: called outside :meth:`lock`, the version changed meanwhile, or the
                write failed (then nothing is written).
        """
        held = getattr(self._local, "held", None)
        if held is None:
            raise KeyStoreError(f"{self!r}: save() must be called inside lock()")
        conn, version, _ = held
        data = json.dumps(document, sort_keys=True)
        if len(data) > MAX_STATE_SIZE:
            raise KeyStoreError(f"{self!r}: the state is larger than {MAX_STATE_SIZE} bytes")
        try:
            updated = conn.execute(
                self._sql(
                    "UPDATE {table} SET document = %s::jsonb, version = version + 1, "
                    "updated_at = now() WHERE name = %s AND version = %s"
                ),
                [data, self._name, version],
            ).rowcount
        except self._psycopg.Error as exc:
            raise self._fail("write the key store state", exc) from None
        if updated != 1:
            raise KeyStoreError(
                f"{self!r}: the state changed while locked (version {version}); nothing written"
            )
        self._local.held = (conn, version + 1, data)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """A transaction holding the row lock; committed when the block ends without error."""
        if getattr(self._local, "held", None) is not None:
            raise KeyStoreError(f"{self!r}: lock() is already held by this thread")
        try:
            with self._connection() as conn:
                self._ensure_table(conn)
                with conn.transaction():
                    conn.execute(
                        self._sql(
                            "INSERT INTO {table} (name, version) VALUES (%s, 0) "
                            "ON CONFLICT (name) DO NOTHING"
                        ),
                        [self._name],
                    )
                    row = self._select(conn, lock=True)
                    assert row is not None
                    self._local.held = (conn, row[0], row[1])
                    try:
                        yield
                    finally:
                        self._local.held = None
        except self._psycopg.Error as exc:
            raise self._fail("lock and update the key store state", exc) from None

    def revision(self) -> object | None:
        """The ``version`` column (one indexed read)."""
        try:
            with self._connection() as conn:
                self._ensure_table(conn)
                row = conn.execute(
                    self._sql("SELECT version FROM {table} WHERE name = %s"), [self._name]
                ).fetchone()
        except self._psycopg.Error as exc:
            raise self._fail("read the key store version", exc) from None
        return None if row is None else ("pg", int(row[0]))
