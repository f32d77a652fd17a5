"""FileKeyStorage: the key store state in a private directory, with a file lock."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .._json import loads_object
from ..errors import JoseError, KeyStoreError
from ._storage import MAX_STATE_SIZE, KeyStorage

__all__ = ["FileKeyStorage"]


class FileKeyStorage(KeyStorage):
    """The state document in a private directory: ``keys.json`` (0600) and ``keys.lock``.

    The directory is created with mode 0700, and refused if it (or ``keys.json``) can be
    read by anyone but its owner. Writes go to a temporary file that is fsynced, renamed over
    ``keys.json``, after which the directory is fsynced. ``fcntl.flock`` on ``keys.lock``
    serialises rotations across processes (POSIX only).

    Raises:
        KeyStoreError: the directory cannot be created, is not private, or is not a directory.
    """

    def __init__(self, path: str | os.PathLike[str], *, name: str = "default") -> None:
        self._name = name
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
    def name(self) -> str:
        """The name given (default ``"default"``)."""
        return self._name

    @property
    def path(self) -> Path:
        """The directory."""
        return self._dir

    def __repr__(self) -> str:
        named = "" if self._name == "default" else f", name={self._name!r}"
        return f"FileKeyStorage({str(self._dir)!r}{named})"

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
                data = handle.read(MAX_STATE_SIZE + 1)
        except OSError as exc:
            raise KeyStoreError(f"cannot read {self._file}: {exc}") from None
        if len(data) > MAX_STATE_SIZE:
            raise KeyStoreError(f"{self._file} is larger than {MAX_STATE_SIZE} bytes")
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
