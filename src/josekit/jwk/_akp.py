"""Algorithm Key Pair (``kty: "AKP"``) keys for ML-DSA, as RFC 9964 defines them.

An AKP JWK is ``{"kty": "AKP", "alg": ..., "pub": ..., "priv": ...}``:

* ``alg`` is REQUIRED on every AKP key (RFC 9964 §3) and fixes the parameter set; josekit
  implements ``ML-DSA-44``, ``ML-DSA-65`` and ``ML-DSA-87`` (RFC 9964 §5).
* ``pub`` is the FIPS 204 encoded public key, of exactly the size the parameter set gives.
* ``priv`` is the 32-byte FIPS 204 seed (RFC 9964 §4); the expanded private key form is not
  accepted. When both are present, ``pub`` must be the public key the seed derives (§7.4).
* The RFC 7638 thumbprint members are ``alg``, ``kty`` and ``pub`` (RFC 9964 §6).

An AKP key whose ``alg`` josekit does not implement raises
:class:`~josekit.errors.UnsupportedAlgorithmError`, so a JWK Set holding one still imports
with that key skipped (RFC 7517 §5).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._b64 import b64e_str
from ..errors import InvalidKeyError, UnsupportedAlgorithmError

try:  # ML-DSA arrived in pyca/cryptography 47; josekit supports older releases without it.
    from cryptography.hazmat.primitives.asymmetric import mldsa as _mldsa
except ImportError:  # pragma: no cover - depends on the installed cryptography
    _mldsa = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from ._key import Key

__all__ = [
    "AKP_ALGORITHMS",
    "AkpAlgorithm",
    "akp_from_crypto",
    "akp_from_jwk",
    "akp_generate",
    "akp_types",
]

SEED_SIZE = 32
"""Bytes of an ML-DSA private key seed (RFC 9964 §4)."""


@dataclass(frozen=True, slots=True)
class AkpAlgorithm:
    """One AKP ``alg``: its key classes and the FIPS 204 sizes (RFC 9964 Table 1)."""

    name: str
    private_cls: Any
    public_cls: Any
    public_size: int
    signature_size: int


def _table() -> dict[str, AkpAlgorithm]:
    if _mldsa is None:  # pragma: no cover - depends on the installed cryptography
        return {}
    rows = (
        AkpAlgorithm("ML-DSA-44", _mldsa.MLDSA44PrivateKey, _mldsa.MLDSA44PublicKey, 1312, 2420),
        AkpAlgorithm("ML-DSA-65", _mldsa.MLDSA65PrivateKey, _mldsa.MLDSA65PublicKey, 1952, 3309),
        AkpAlgorithm("ML-DSA-87", _mldsa.MLDSA87PrivateKey, _mldsa.MLDSA87PublicKey, 2592, 4627),
    )
    return {row.name: row for row in rows}


AKP_ALGORITHMS: Mapping[str, AkpAlgorithm] = _table()
"""The AKP algorithms josekit implements, by ``alg`` (empty if cryptography lacks ML-DSA)."""


def akp_types() -> tuple[type, ...]:
    """The ``cryptography`` key classes :meth:`Key.import_key` accepts as AKP keys."""
    out: list[type] = []
    for row in AKP_ALGORITHMS.values():
        out.extend((row.private_cls, row.public_cls))
    return tuple(out)


def _algorithm(alg: object) -> AkpAlgorithm:
    if not isinstance(alg, str):
        raise InvalidKeyError(
            "an AKP JWK must have an 'alg' string member (RFC 9964 §3), e.g. 'ML-DSA-65'"
        )
    row = AKP_ALGORITHMS.get(alg)
    if row is None:
        known = ", ".join(AKP_ALGORITHMS) or "none: this cryptography release lacks ML-DSA"
        raise UnsupportedAlgorithmError(
            f"AKP key alg {alg!r} is not supported (josekit implements {known})"
        )
    return row


def _b64_member(jwk: Mapping[str, Any], name: str) -> bytes:
    from ._key import _member_bytes  # the one strict JWK member decoder

    return _member_bytes(jwk, name)


def akp_from_jwk(jwk: Mapping[str, Any], meta: Mapping[str, Any]) -> Key:
    """Build a :class:`Key` from an AKP JWK (``meta`` holds its non-key members)."""
    row = _algorithm(jwk.get("alg"))
    pub = _b64_member(jwk, "pub")
    if len(pub) != row.public_size:
        raise InvalidKeyError(
            f"AKP {row.name} public key 'pub' must be {row.public_size} bytes, not {len(pub)}"
        )
    try:
        public = row.public_cls.from_public_bytes(pub)
    except ValueError as exc:
        raise InvalidKeyError(f"invalid {row.name} public key 'pub': {exc}") from None
    private = None
    if "priv" in jwk:
        seed = _b64_member(jwk, "priv")
        if len(seed) != SEED_SIZE:
            raise InvalidKeyError(
                f"AKP {row.name} private key 'priv' must be the {SEED_SIZE}-byte seed "
                f"(RFC 9964 §4), not {len(seed)} bytes"
            )
        private = row.private_cls.from_seed_bytes(seed)
        if not hmac.compare_digest(private.public_key().public_bytes_raw(), pub):
            raise InvalidKeyError(
                f"AKP {row.name} private seed 'priv' does not match the public key 'pub'"
            )
    return _akp_key(row, public, private, {**meta, "alg": row.name})


def akp_from_crypto(obj: Any, meta: Mapping[str, Any]) -> Key | None:
    """Build a :class:`Key` from a ``cryptography`` ML-DSA key object; ``None`` if not one."""
    for row in AKP_ALGORITHMS.values():
        if isinstance(obj, row.private_cls):
            return _akp_key(row, obj.public_key(), obj, _with_alg(row, meta))
        if isinstance(obj, row.public_cls):
            return _akp_key(row, obj, None, _with_alg(row, meta))
    return None


def akp_generate(alg: str | None, meta: Mapping[str, Any]) -> Key:
    """Generate a new AKP private key for ``alg`` (``ML-DSA-44``, ``-65`` or ``-87``)."""
    if alg is None:
        raise InvalidKeyError(
            "AKP keys need alg=: one of " + ", ".join(AKP_ALGORITHMS) + " (RFC 9964 §3)"
        )
    row = _algorithm(alg)
    private = row.private_cls.generate()
    return _akp_key(row, private.public_key(), private, {**meta, "alg": row.name})


def _with_alg(row: AkpAlgorithm, meta: Mapping[str, Any]) -> dict[str, Any]:
    given = meta.get("alg")
    if given is not None and given != row.name:
        raise InvalidKeyError(f"this is an {row.name} key: it cannot have alg {given!r}")
    return {**meta, "alg": row.name}


def _akp_key(row: AkpAlgorithm, public: Any, private: Any, meta: Mapping[str, Any]) -> Key:
    from ._key import Key

    public_members = {"kty": "AKP", "alg": row.name, "pub": b64e_str(public.public_bytes_raw())}
    private_members = None
    if private is not None:
        private_members = {"priv": b64e_str(private.private_bytes_raw())}
    return Key._build("AKP", None, public_members, private_members, private or public, public, meta)
