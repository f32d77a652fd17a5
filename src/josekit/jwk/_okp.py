"""Octet key pairs (``kty: "OKP"``, RFC 8037): Ed25519 and Ed448 sign, X25519 and X448 agree.

Each curve does one job, so a key's material names the ``use`` its curve allows.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization

from .._b64 import b64e_str
from ..errors import InvalidKeyError, UnsupportedAlgorithmError
from ._curves import OKP_CURVES, OkpCurve, curve_of
from ._members import fail, member_bytes, reject_option
from ._row import KeyMaterial, KeyType

__all__ = ["KEY_TYPE"]


def _from_jwk(jwk: Mapping[str, Any]) -> KeyMaterial:
    curve = curve_of(OKP_CURVES, jwk.get("crv"), "OKP")
    xb = member_bytes(jwk, "x")
    if len(xb) != curve.size:
        fail(f"OKP {curve.name} public key 'x' must be {curve.size} bytes")
    try:
        pub = curve.public_cls.from_public_bytes(xb)
    except ValueError as exc:
        raise InvalidKeyError(f"invalid {curve.name} public key: {exc}") from None
    priv = None
    if "d" in jwk:
        db = member_bytes(jwk, "d")
        if len(db) != curve.size:
            fail(f"OKP {curve.name} private key 'd' must be {curve.size} bytes")
        priv = curve.private_cls.from_private_bytes(db)
        if not hmac.compare_digest(_raw_public(priv.public_key()), xb):
            fail(f"OKP {curve.name} private key 'd' does not match the public key 'x'")
    return _material(curve, pub, priv)


def _from_crypto(obj: Any) -> KeyMaterial:
    for curve in OKP_CURVES.values():
        if isinstance(obj, curve.private_cls):
            return _material(curve, obj.public_key(), obj)
        if isinstance(obj, curve.public_cls):
            return _material(curve, obj, None)
    raise UnsupportedAlgorithmError(  # pragma: no cover - crypto_types lists the classes above
        f"{type(obj).__name__} is not an OKP key"
    )


def _raw_public(pub: Any) -> bytes:
    return bytes(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _material(curve: OkpCurve, pub: Any, priv: Any) -> KeyMaterial:
    public_members = {"kty": "OKP", "crv": curve.name, "x": b64e_str(_raw_public(pub))}
    private_members = None
    if priv is not None:
        raw = priv.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        private_members = {"d": b64e_str(raw)}
    return ("OKP", curve.name, public_members, private_members, priv or pub, pub, curve.use, None)


def _generate(size: int | None, crv: str | None, alg: str | None) -> KeyMaterial:
    reject_option(size, "size", "OKP")
    curve = OKP_CURVES.get(crv or "Ed25519")
    if curve is None:
        raise UnsupportedAlgorithmError(
            f"OKP curve {crv!r} is not supported: use {sorted(OKP_CURVES)}"
        )
    priv = curve.private_cls.generate()
    return _material(curve, priv.public_key(), priv)


def _size(crypto: Any, crv: str | None, alg: str | None) -> int:
    return OKP_CURVES[crv or ""].size * 8


KEY_TYPE = KeyType(
    kty="OKP",
    required=("crv", "kty", "x"),
    private=("d",),
    crypto_types=tuple(
        cls for curve in OKP_CURVES.values() for cls in (curve.private_cls, curve.public_cls)
    ),
    from_jwk=_from_jwk,
    from_crypto=_from_crypto,
    generate=_generate,
    size=_size,
)
"""The OKP row of the ``kty`` table."""
