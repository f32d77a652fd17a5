"""The rotation schedule of a key store and the reports it gives (no storage, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Union

from ..errors import JoseError
from ..jwk import Key, generate

__all__ = ["Instant", "KeyStatus", "RotationPolicy", "RotationResult", "new_key"]

Instant = Union[int, float, datetime]

# alg -> the arguments of jwk.generate() for a new signing key of that algorithm.
_KEY_SPECS: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        **{alg: {"kty": "RSA", "size": 2048} for alg in ("RS256", "RS384", "RS512")},
        **{alg: {"kty": "RSA", "size": 2048} for alg in ("PS256", "PS384", "PS512")},
        "ES256": {"kty": "EC", "crv": "P-256"},
        "ES384": {"kty": "EC", "crv": "P-384"},
        "ES512": {"kty": "EC", "crv": "P-521"},
        "ES256K": {"kty": "EC", "crv": "secp256k1"},
        "EdDSA": {"kty": "OKP", "crv": "Ed25519"},
        "Ed25519": {"kty": "OKP", "crv": "Ed25519"},
        "Ed448": {"kty": "OKP", "crv": "Ed448"},
        **{alg: {"kty": "AKP", "alg": alg} for alg in ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87")},
    }
)


@dataclass(frozen=True, slots=True)
class RotationPolicy:
    """When keys are created, start signing, stop signing and disappear.

    Each key goes through three published states: **next** (published, signs nothing),
    **current** (the one signing key), **retired** (published, signs nothing), then it is
    removed. :meth:`KeyStore.rotate` moves keys along:

    * ``rotate_every``: how long a key is current.
    * ``publish_ahead``: how long a new key is published as *next* before it signs. Make it
      at least the verifiers' cache lifetime (the endpoint's ``max-age``; :func:`create_app`
      uses half of ``publish_ahead`` by default), so every verifier has the key before the
      first token it signed arrives.
    * ``retire_after``: how long a key stays published after it stopped signing. Make it at
      least the longest token lifetime plus the verifiers' cache lifetime, so every token it
      signed has expired before it disappears.

    ``alg`` decides the key type: RS*/PS* RSA 2048 bits, ES256 P-256, ES384 P-384,
    ES512 P-521, ES256K secp256k1, EdDSA/Ed25519 Ed25519, Ed448 Ed448, ML-DSA-* AKP.
    Call :meth:`KeyStore.rotate` regularly, at least every ``publish_ahead / 2``.

    Raises:
        JoseError: an unsupported ``alg``, a non-positive duration, or ``publish_ahead``
            longer than ``rotate_every``.
    """

    alg: str
    rotate_every: timedelta
    publish_ahead: timedelta
    retire_after: timedelta

    def __post_init__(self) -> None:
        if self.alg not in _KEY_SPECS:
            raise JoseError(
                f"a key store cannot rotate alg {self.alg!r}: use one of {sorted(_KEY_SPECS)} "
                "(published key sets hold public keys, so HS* is not possible)"
            )
        for name in ("rotate_every", "publish_ahead", "retire_after"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value <= timedelta(0):
                raise JoseError(f"{name} must be a positive timedelta, not {value!r}")
        if self.publish_ahead > self.rotate_every:
            raise JoseError(
                f"publish_ahead ({self.publish_ahead}) must not exceed rotate_every "
                f"({self.rotate_every})"
            )

    def to_document(self) -> dict[str, Any]:
        """The policy as saved in the state document (durations in seconds)."""
        return {
            "alg": self.alg,
            "rotate_every": self.rotate_every.total_seconds(),
            "publish_ahead": self.publish_ahead.total_seconds(),
            "retire_after": self.retire_after.total_seconds(),
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> RotationPolicy:
        """The policy saved by :meth:`to_document`.

        Raises:
            JoseError: the document is not a valid policy.
        """
        try:
            spans = {
                name: timedelta(seconds=float(document[name]))
                for name in ("rotate_every", "publish_ahead", "retire_after")
            }
            return cls(alg=str(document["alg"]), **spans)
        except (KeyError, TypeError, ValueError, OverflowError):
            raise JoseError(f"not a saved rotation policy: {dict(document)!r}") from None

    def describe(self) -> str:
        """One line naming the algorithm and the three durations, e.g. ``rotate every 7d``."""
        return (
            f"{self.alg}, rotate every {_span(self.rotate_every)}, publish ahead "
            f"{_span(self.publish_ahead)}, retire after {_span(self.retire_after)}"
        )


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """One stored key as reported by :meth:`KeyStore.entries` (no private material).

    Attributes:
        kid: the RFC 7638 thumbprint of the key.
        alg: its algorithm.
        status: ``"next"``, ``"current"`` or ``"retired"``.
        created: when it was generated and published.
        activated: when it became the signing key (None while next).
        deactivated: when it stopped signing (None unless retired).
        next_step: what the schedule does to it next (``"activate"``, ``"publish the next
            key"``, ``"retire"``, ``"remove"``), None if nothing is scheduled.
        due: when that step is due.
    """

    kid: str
    alg: str
    status: str
    created: datetime
    activated: datetime | None
    deactivated: datetime | None
    next_step: str | None = None
    due: datetime | None = None


@dataclass(frozen=True, slots=True)
class RotationResult:
    """What one :meth:`KeyStore.rotate` call changed (kids of the keys concerned).

    Attributes:
        created: the key generated (published as next, or current for the very first key).
        activated: the key that became current.
        retired: the key that stopped signing.
        removed: keys no longer published (retired long enough, or revoked).
        current: the signing key after the call.
        next_due: when the next change of the schedule is due: call :meth:`KeyStore.rotate`
            then (None when nothing is scheduled).
        revoked: the key revoked by :meth:`KeyStore.revoke`.
    """

    created: str | None
    activated: str | None
    retired: str | None
    removed: tuple[str, ...]
    current: str
    next_due: datetime | None = None
    revoked: str | None = None

    @property
    def changed(self) -> bool:
        """Whether the call changed anything."""
        return bool(self.created or self.activated or self.retired or self.removed or self.revoked)


def _span(value: timedelta) -> str:
    seconds = value.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def new_key(alg: str) -> Key:
    """A fresh private signing key for ``alg``, with its thumbprint as ``kid`` and ``use: sig``."""
    spec = dict(_KEY_SPECS[alg])
    key = generate(spec.pop("kty"), **spec)
    return Key.import_key(key, kid=key.thumbprint(), alg=None if key.alg == alg else alg, use="sig")
