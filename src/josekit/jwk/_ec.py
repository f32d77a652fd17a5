"""Elliptic-curve keys (``kty: "EC"``, RFC 7518 §6.2): P-256, P-384, P-521, secp256k1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from .._b64 import b64e_str
from ..errors import UnsupportedAlgorithmError
from ._curves import EC_CURVE_BY_OID_NAME, EC_CURVES, EcCurve, curve_of
from ._members import fail, int_to_b64, member_bytes, reject_option
from ._row import KeyMaterial, KeyType

__all__ = ["KEY_TYPE"]


def _text(value: str, raw: bytes) -> str:
    return value if type(value) is str else b64e_str(raw)


def _from_jwk(jwk: Mapping[str, Any]) -> KeyMaterial:
    curve = curve_of(EC_CURVES, jwk.get("crv"), "EC")
    xb, yb = member_bytes(jwk, "x"), member_bytes(jwk, "y")
    if len(xb) != curve.size or len(yb) != curve.size:
        fail(f"EC {curve.name} coordinates 'x' and 'y' must be {curve.size} bytes each")
    try:
        # The uncompressed point: OpenSSL refuses it unless it is on the curve.
        pub = ec.EllipticCurvePublicKey.from_encoded_point(curve.curve(), b"\x04" + xb + yb)
    except ValueError:
        fail(f"EC point (x, y) is not on curve {curve.name}")
    if "d" not in jwk:
        # The members are the checked coordinates (b64d takes only canonical base64url).
        members = {
            "kty": "EC",
            "crv": curve.name,
            "x": _text(jwk["x"], xb),
            "y": _text(jwk["y"], yb),
        }
        return ("EC", curve.name, members, None, pub, pub, None, None)
    db = member_bytes(jwk, "d")
    if len(db) != curve.size:
        fail(f"EC {curve.name} private key 'd' must be {curve.size} bytes")
    d = int.from_bytes(db, "big")
    if not 0 < d < curve.order:
        fail(f"EC private key 'd' is out of range for {curve.name}")
    priv = ec.derive_private_key(d, curve.curve())
    if priv.public_key().public_numbers() != pub.public_numbers():
        fail("EC private key 'd' does not match the public point (x, y)")
    return _material(curve, pub, priv)


def _from_crypto(obj: Any) -> KeyMaterial:
    curve = EC_CURVE_BY_OID_NAME.get(obj.curve.name)
    if curve is None:
        raise UnsupportedAlgorithmError(
            f"EC curve {obj.curve.name!r} is not supported: josekit supports {sorted(EC_CURVES)}"
        )
    if isinstance(obj, ec.EllipticCurvePrivateKey):
        return _material(curve, obj.public_key(), obj)
    return _material(curve, obj, None)


def _material(
    curve: EcCurve, pub: ec.EllipticCurvePublicKey, priv: ec.EllipticCurvePrivateKey | None
) -> KeyMaterial:
    pn = pub.public_numbers()
    public_members = {
        "kty": "EC",
        "crv": curve.name,
        "x": int_to_b64(pn.x, curve.size),
        "y": int_to_b64(pn.y, curve.size),
    }
    private_members = None
    if priv is not None:
        private_members = {"d": int_to_b64(priv.private_numbers().private_value, curve.size)}
    return ("EC", curve.name, public_members, private_members, priv or pub, pub, None, None)


def _generate(size: int | None, crv: str | None, alg: str | None) -> KeyMaterial:
    reject_option(size, "size", "EC")
    curve = EC_CURVES.get(crv or "P-256")
    if curve is None:
        raise UnsupportedAlgorithmError(
            f"EC curve {crv!r} is not supported: use {sorted(EC_CURVES)}"
        )
    priv = ec.generate_private_key(curve.curve())
    return _material(curve, priv.public_key(), priv)


def _size(crypto: Any, crv: str | None, alg: str | None) -> int:
    return EC_CURVES[crv or ""].curve().key_size


KEY_TYPE = KeyType(
    kty="EC",
    required=("crv", "kty", "x", "y"),
    private=("d",),
    crypto_types=(ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey),
    from_jwk=_from_jwk,
    from_crypto=_from_crypto,
    generate=_generate,
    size=_size,
)
"""The EC row of the ``kty`` table."""
