"""The storage a :class:`~josekit.jwks.KeyStore`'s ``storage`` argument names."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from ..errors import JoseError
from ._storage import KeyStorage
from ._storage_file import FileKeyStorage
from ._storage_postgres import PostgresKeyStorage

__all__ = ["open_storage"]

# URI scheme of a storage string -> the storage it names; anything else is a directory path.
_SCHEMES: Mapping[str, Callable[[str], KeyStorage]] = {
    "postgresql": PostgresKeyStorage,
    "postgres": PostgresKeyStorage,
}


def open_storage(storage: str | os.PathLike[str] | KeyStorage) -> KeyStorage:
    """``storage`` itself, the storage its ``postgresql://`` URI names, or a directory's."""
    if isinstance(storage, KeyStorage):
        return storage
    text = os.fspath(storage)
    scheme = text.split("://", 1)[0].lower() if "://" in text else None
    opener = _SCHEMES.get(scheme or "")
    if opener is not None:
        return opener(text)
    if scheme is not None:
        raise JoseError(f"unknown key storage scheme {scheme!r}: use a directory or postgresql://")
    return FileKeyStorage(text)
