"""The state document of a key store: its entries, parsed strictly, sealed or not.

Format 2::

    {"format": 2, "name": "<storage name>", "version": <int, +1 per write>,
     "policy": {...} | null, "revoked": [kid, ...],
     "keys": [{"kid", "alg", "status", "created", "activated", "deactivated",
               "retire_after", "jwk": {...}, "sealed": "<JWE>"?}]}

Without a KEK, ``jwk`` holds the private key. With one, ``jwk`` holds only the public members
and ``sealed`` the private ones (see ``_kek``), bound to the storage name, the kid and a
digest of everything else in the document, so no public field can be edited either.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .._b64 import b64e_str
from ..errors import JoseError, KeyStoreError
from ..jwk import Key, KeySet
from ._kek import Keks, seal, unseal
from ._keysource import KeySource

__all__ = ["ORDER", "Entry", "Snapshot", "State", "encode_state", "decode_state", "moment"]

_FORMAT = 2
_STATUSES = ("current", "next", "retired")
_MAX_REVOKED = 10_000
ORDER = {"current": 0, "next": 1, "retired": 2}


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored key with its schedule (times in seconds since the epoch)."""

    key: Key
    status: str
    created: float
    activated: float | None = None
    deactivated: float | None = None
    retire_after: float | None = None  # from the policy the key was published with

    def public_document(self) -> dict[str, Any]:
        return {
            "kid": self.key.kid,
            "alg": self.key.alg,
            "status": self.status,
            "created": self.created,
            "activated": self.activated,
            "deactivated": self.deactivated,
            "retire_after": self.retire_after,
            "jwk": self.key.public().to_dict(),
        }


@dataclass(frozen=True, slots=True)
class State:
    """A decoded state document."""

    version: int = 0
    policy: Mapping[str, Any] | None = None
    entries: tuple[Entry, ...] = ()
    revoked: tuple[str, ...] = ()


def _digest(public: Mapping[str, Any]) -> str:
    data = json.dumps(public, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return b64e_str(hashlib.sha256(data).digest())


def _binding(name: str, kid: str, digest: str) -> dict[str, Any]:
    return {"store": name, "kid": kid, "state": digest}


def encode_state(
    state: State, name: str, keks: Keks | None, keys: KeySource | None = None
) -> dict[str, Any]:
    """The document to save for ``state`` (private keys sealed when there are KEKs).

    A key held by ``keys`` (a token) is saved as its public JWK and its ``held`` reference.
    """
    public: dict[str, Any] = {
        "format": _FORMAT,
        "name": name,
        "version": state.version,
        "policy": None if state.policy is None else dict(state.policy),
        "revoked": list(state.revoked),
        "keys": [e.public_document() for e in state.entries],
    }
    held = {e.key.kid for e in state.entries if e.key.external is not None}
    for item, entry in zip(public["keys"], state.entries, strict=True):
        if entry.key.kid in held:
            if keys is None:
                raise KeyStoreError(f"key {entry.key.kid!r} is held elsewhere: pass keys=")
            item["held"] = keys.reference(entry.key)
    if keks is None:
        for item, entry in zip(public["keys"], state.entries, strict=True):
            if entry.key.kid not in held:
                item["jwk"] = entry.key.to_dict(private=True)
        return public
    digest = _digest(public)
    for item, entry in zip(public["keys"], state.entries, strict=True):
        if entry.key.kid in held:
            continue
        private = entry.key.to_dict(private=True)
        members = {k: v for k, v in private.items() if k not in item["jwk"]}
        item["sealed"] = seal(keks, members, _binding(name, entry.key.kid or "", digest))
    return public


def _stamp(entry: Mapping[str, Any], name: str, where: str, required: bool) -> float | None:
    value = entry.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise KeyStoreError(f"{where}: '{name}' must be a number of seconds, not {value!r}")
    return float(value)


def _private_jwk(
    item: dict[str, Any], where: str, name: str, keks: Keks | None, digest: str | None
) -> dict[str, Any]:
    jwk = item.get("jwk")
    if not isinstance(jwk, dict):
        raise KeyStoreError(f"{where}: 'jwk' must be an object")
    if "held" in item:
        return jwk  # a key held by a token: opened by _held_key
    sealed = item.get("sealed")
    if keks is None:
        if sealed is not None:
            raise KeyStoreError(
                "the key store is encrypted; pass the key-encryption key (kek=..., "
                "or --kek FILE|env:NAME on the command line)"
            )
        return jwk
    if sealed is None:
        raise KeyStoreError(
            f"{where}: the key is stored in plaintext but this key store is encrypted (a KEK "
            "was given); refusing it. To encrypt a plaintext store, open it without kek= "
            "and call rewrap(kek)"
        )
    assert digest is not None
    members = unseal(keks, sealed, _binding(name, str(item.get("kid")), digest), where)
    clash = set(members) & set(jwk)
    if clash:
        raise KeyStoreError(f"{where}: sealed members {sorted(clash)} repeat public ones")
    return {**jwk, **members}


def _held_key(item: dict[str, Any], jwk: dict[str, Any], where: str, keys: KeySource | None) -> Key:
    held = item["held"]
    if keys is None or not isinstance(held, dict) or "d" in jwk:
        raise KeyStoreError(
            f"{where}: the key is held by a token ({held!r}); open the store with keys=<token>"
        )
    return keys.open_key(held, jwk)


def _parse_entry(
    item: object,
    where: str,
    name: str,
    keks: Keks | None,
    digest: str | None,
    keys: KeySource | None = None,
) -> Entry:
    if not isinstance(item, dict):
        raise KeyStoreError(f"{where} is not an object")
    status = item.get("status")
    if status not in _STATUSES:
        raise KeyStoreError(f"{where}: unknown status {status!r}")
    jwk = _private_jwk(item, where, name, keks, digest)
    try:
        key = _held_key(item, jwk, where, keys) if "held" in item else Key.import_key(jwk)
    except JoseError as exc:
        raise KeyStoreError(f"{where}: invalid key: {exc}") from None
    if not key.is_private or key.kid is None or key.alg is None:
        raise KeyStoreError(f"{where}: the key must be a private key with 'kid' and 'alg'")
    if item.get("kid") != key.kid or key.kid != key.thumbprint() or item.get("alg") != key.alg:
        raise KeyStoreError(f"{where}: 'kid' is not the RFC 7638 thumbprint of the key")
    created = _stamp(item, "created", where, True)
    assert created is not None
    return Entry(
        key,
        status,
        created,
        _stamp(item, "activated", where, status != "next"),
        _stamp(item, "deactivated", where, status == "retired"),
        _stamp(item, "retire_after", where, False),
    )


def _public_part(document: Mapping[str, Any]) -> dict[str, Any]:
    keys = document["keys"]
    return {
        **document,
        "keys": [
            {k: v for k, v in item.items() if k != "sealed"} if isinstance(item, dict) else item
            for item in keys
        ],
    }


def decode_state(
    document: Mapping[str, Any] | None,
    name: str,
    keks: Keks | None,
    origin: str,
    keys: KeySource | None = None,
) -> State:
    """Parse and check a saved document (every key opened, or nothing returned)."""
    if document is None:
        return State()
    if document.get("format") != _FORMAT or not isinstance(document.get("keys"), list):
        raise KeyStoreError(
            f"the key store state in {origin} is not a josekit key store document "
            f"(format {_FORMAT} with a 'keys' list)"
        )
    if document.get("name") != name:
        raise KeyStoreError(
            f"the key store state in {origin} belongs to key store {document.get('name')!r}, "
            f"not {name!r}"
        )
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise KeyStoreError(f"the key store state in {origin} has no valid 'version'")
    policy = document.get("policy")
    revoked = document.get("revoked", [])
    if policy is not None and not isinstance(policy, dict):
        raise KeyStoreError(f"the key store state in {origin} has an invalid 'policy'")
    if not isinstance(revoked, list) or not all(isinstance(k, str) for k in revoked):
        raise KeyStoreError(f"the key store state in {origin} has an invalid 'revoked' list")
    if len(revoked) > _MAX_REVOKED or len(document["keys"]) > 1000:
        raise KeyStoreError(f"the key store state in {origin} has too many keys")
    digest = None if keks is None else _digest(_public_part(document))
    entries = tuple(
        _parse_entry(item, f"key {index} in {origin}", name, keks, digest, keys)
        for index, item in enumerate(document["keys"])
    )
    for status in ("current", "next"):
        if sum(e.status == status for e in entries) > 1:
            raise KeyStoreError(f"the key store state in {origin} has more than one {status} key")
    if len({e.key.kid for e in entries}) != len(entries):
        raise KeyStoreError(f"the key store state in {origin} has two keys with the same kid")
    if {e.key.kid for e in entries} & set(revoked):
        raise KeyStoreError(f"the key store state in {origin} publishes a revoked key")
    return State(version, policy, entries, tuple(revoked))


def moment(seconds: float | None) -> datetime | None:
    """A UTC datetime, or None."""
    return None if seconds is None else datetime.fromtimestamp(seconds, timezone.utc)


class Snapshot:
    """A state as loaded for one storage revision, with the derived keys computed once."""

    __slots__ = ("document", "loaded_at", "public_set", "signing", "state")

    def __init__(self, state: State, loaded_at: float, document: Mapping[str, Any] | None) -> None:
        self.state = state
        self.document = document
        self.loaded_at = loaded_at
        ordered = sorted(state.entries, key=lambda e: (ORDER[e.status], -e.created))
        self.public_set = KeySet(e.key.public() for e in ordered)
        self.signing = next((e.key for e in state.entries if e.status == "current"), None)
