"""The storage interface of a key store, and its in-memory implementation.

A storage keeps one JSON-compatible document and knows nothing of what is in it: the
rotation rules live in :class:`~josekit.jwks.KeyStore`.
"""

from __future__ import annotations

import contextlib
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any

from .._json import loads_object

__all__ = ["MAX_STATE_SIZE", "KeyStorage", "MemoryKeyStorage"]

MAX_STATE_SIZE = 16_000_000
"""The largest state document a storage reads, in bytes."""


class KeyStorage(ABC):
    """Where a :class:`KeyStore` keeps its state: one JSON-compatible document.

    The document holds private keys; a backend must keep it confidential. :meth:`lock` gives
    exclusive access across processes for the load-modify-save of a rotation; :meth:`save`
    must be atomic (a reader sees the old or the new document, never a mix). :attr:`name`
    tells key stores apart (it is bound into sealed keys, so a state copied to another
    storage name does not open there).
    """

    refresh_interval: float = 0.0
    """Seconds a :class:`~josekit.jwks.KeyStore` may reuse a state before asking again."""

    @property
    def name(self) -> str:
        """The name of this key store (default ``"default"``)."""
        return "default"

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


class MemoryKeyStorage(KeyStorage):
    """The state document in memory (one process only): for tests and short-lived issuers."""

    def __init__(self, *, name: str = "default") -> None:
        self._name = name
        self._lock = threading.RLock()
        self._data: bytes | None = None
        self._revision = 0

    @property
    def name(self) -> str:
        """The name given (default ``"default"``)."""
        return self._name

    def __repr__(self) -> str:
        return f"MemoryKeyStorage(name={self._name!r})"

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
