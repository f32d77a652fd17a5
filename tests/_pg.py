"""A throwaway PostgreSQL server for the tests: initdb + pg_ctl in a temporary directory.

``tests/conftest.py`` imports the fixtures :func:`postgres_dsn` (session-scoped: one server
for the whole run, started when a test first asks for it) and :func:`pg_table` (a table name
of its own for each test); :func:`postgres_server` starts a server of your own::

    with postgres_server() as server:
        psycopg.connect(server.dsn)

The server listens on a free loopback port and on a unix socket inside the temporary
directory, trusts local connections (user ``josekit``), and is stopped (immediate mode) and
deleted when the block ends. PostgreSQL refuses to run as root, so under root the server runs
as the ``postgres`` system user (``runuser -u postgres --``) with the directory chowned to it.
Missing binaries raise :class:`PostgresUnavailable`; the conftest turns that into a failure
under ``CI=true`` and a skip elsewhere (see :func:`unavailable`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = [
    "PostgresServer",
    "pg_table",
    "postgres_dsn",
    "PostgresUnavailable",
    "TcpProxy",
    "find_bindir",
    "postgres_server",
    "unavailable",
]

_INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install them "
    "(Debian: apt-get install -y postgresql, or run 'make services'), "
    "or point PG_BINDIR at their directory"
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be started on this machine."""


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway server."""

    host: str
    port: int
    socket_dir: Path
    user: str

    @property
    def dsn(self) -> str:
        """A libpq connection URI for the ``postgres`` database over loopback TCP."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/postgres"


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: ``$PG_BINDIR``, Debian's newest, or PATH."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted(
            (p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: int(p.name)
        )
        candidates.extend(p / "bin" for p in reversed(versions))
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).parent)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def unavailable(reason: str) -> None:
    """Fail under ``CI=true`` (a missing service must break CI), skip elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _runner() -> tuple[list[str], int | None]:
    """The command prefix that drops root, and the uid to chown the directory to."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            "running as root, and there is no 'postgres' user to run the server as"
        ) from None
    tool = shutil.which("runuser")
    if tool:
        return [tool, "-u", "postgres", "--"], user.pw_uid
    tool = shutil.which("setpriv")
    if tool:
        return [
            tool,
            f"--reuid={user.pw_uid}",
            f"--regid={user.pw_gid}",
            "--init-groups",
        ], user.pw_uid
    raise PostgresUnavailable("running as root, and neither runuser nor setpriv is installed")


@contextlib.contextmanager
def postgres_server(user: str = "josekit") -> Iterator[PostgresServer]:
    """Start a server for the duration of the block (see the module docstring)."""
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(_INSTALL_HINT)
    prefix, uid = _runner()
    base = Path(tempfile.mkdtemp(prefix="josekit-pg-"))
    data, sockets, log = base / "data", base / "run", base / "server.log"
    sockets.mkdir()
    if uid is not None:
        for path in (base, sockets):
            os.chown(path, uid, -1)
    port = _free_port()

    def run(*args: str) -> None:
        completed = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if completed.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{Path(args[0]).name} failed ({completed.returncode}): "
                f"{completed.stderr.strip() or completed.stdout.strip()}\n{tail}"
            )

    started = False
    try:
        run(
            str(bindir / "initdb"),
            "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        started = True
        yield PostgresServer("127.0.0.1", port, sockets, user)
    finally:
        if started:
            with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
                run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


class TcpProxy:
    """A loopback TCP forwarder to ``(host, port)`` that a test can cut, to play an outage.

    :meth:`cut` closes every forwarded connection (a connection dropping mid-transaction);
    :meth:`stop` also stops accepting (the server is unreachable); :meth:`start` resumes.
    """

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.port = _free_port()
        self.start()

    def dsn(self, user: str = "josekit") -> str:
        """A connection URI through the proxy."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Listen (again) on the proxy port."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every open connection."""
        with self._lock:
            sockets, self._open = self._open, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def stop(self) -> None:
        """Refuse new connections and drop the open ones."""
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        self.cut()


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A throwaway PostgreSQL server for the session (fails under CI=true if none can start)."""
    try:
        server = postgres_server()
        running = server.__enter__()
    except PostgresUnavailable as exc:
        unavailable(str(exc))
        raise  # unreachable: unavailable() fails or skips
    try:
        yield running.dsn
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def pg_table(postgres_dsn: str, request: pytest.FixtureRequest) -> str:
    """A table name of its own for each test (the storage creates it)."""
    return "ks_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
