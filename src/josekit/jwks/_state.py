"""The state document of a key store: its entries, parsed strictly, and the derived key sets."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..errors import JoseError, KeyStoreError
from ..jwk import Key, KeySet

__all__ = ["ORDER", "Entry", "Snapshot", "document", "moment", "parse_document"]

_FORMAT = 1
_STATUSES = ("current", "next", "retired")


@dataclass(frozen=True, slots=True)
class Entry:
    key: Key
    status: str
    created: float
    activated: float | None = None
    deactivated: float | None = None

    def to_document(self) -> dict[str, Any]:
        return {
            "kid": self.key.kid,
            "status": self.status,
            "created": self.created,
            "activated": self.activated,
            "deactivated": self.deactivated,
            "jwk": self.key.to_dict(private=True),
        }


def _stamp(entry: Mapping[str, Any], name: str, where: str, required: bool) -> float | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise KeyStoreError(f"{where}: '{name}' must be a number of seconds, not {value!r}")
    return float(value)


def _parse_entry(item: object, where: str) -> Entry:
    if not isinstance(item, dict):
        raise KeyStoreError(f"{where} is not an object")
    status = item.get("status")
    if status not in _STATUSES:
        raise KeyStoreError(f"{where}: unknown status {status!r}")
    jwk = item.get("jwk")
    if not isinstance(jwk, dict):
        raise KeyStoreError(f"{where}: 'jwk' must be an object")
    try:
        key = Key.import_key(jwk)
    except JoseError as exc:
        raise KeyStoreError(f"{where}: invalid key: {exc}") from None
    if not key.is_private or key.kid is None or key.alg is None:
        raise KeyStoreError(f"{where}: the key must be a private key with 'kid' and 'alg'")
    if item.get("kid") != key.kid or key.kid != key.thumbprint():
        raise KeyStoreError(f"{where}: 'kid' is not the RFC 7638 thumbprint of the key")
    created = _stamp(item, "created", where, True)
    assert created is not None
    return Entry(
        key,
        status,
        created,
        _stamp(item, "activated", where, status != "next"),
        _stamp(item, "deactivated", where, status == "retired"),
    )


def parse_document(document: Mapping[str, Any] | None, origin: str) -> tuple[Entry, ...]:
    if document is None:
        return ()
    if document.get("format") != _FORMAT or not isinstance(document.get("keys"), list):
        raise KeyStoreError(
            f"the key store state in {origin} is not a josekit key store document "
            f"(format {_FORMAT} with a 'keys' list)"
        )
    entries = tuple(
        _parse_entry(item, f"key {index} in {origin}")
        for index, item in enumerate(document["keys"])
    )
    for status in ("current", "next"):
        if sum(e.status == status for e in entries) > 1:
            raise KeyStoreError(f"the key store state in {origin} has more than one {status} key")
    if len({e.key.kid for e in entries}) != len(entries):
        raise KeyStoreError(f"the key store state in {origin} has two keys with the same kid")
    return entries


def document(entries: tuple[Entry, ...]) -> dict[str, Any]:
    return {"format": _FORMAT, "keys": [e.to_document() for e in entries]}


def moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


ORDER = {"current": 0, "next": 1, "retired": 2}


class Snapshot:
    """Entries as loaded for one storage revision, with the derived keys computed once."""

    __slots__ = ("entries", "public_set", "signing")

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.entries = entries
        ordered = sorted(entries, key=lambda e: (ORDER[e.status], -e.created))
        self.public_set = KeySet(e.key.public() for e in ordered)
        self.signing = next((e.key for e in entries if e.status == "current"), None)
