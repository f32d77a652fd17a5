"""Curve and key-type tables shared by key import, generation and the algorithms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, x448, x25519

from ..errors import UnsupportedAlgorithmError

__all__ = ["EC_CURVES", "OKP_CURVES", "EcCurve", "OkpCurve", "curve_of"]

C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class EcCurve:
    """A NIST or SECG short-Weierstrass curve usable in an ``EC`` JWK."""

    name: str
    curve: type[ec.EllipticCurve]
    size: int  # bytes of one coordinate
    order: int


@dataclass(frozen=True, slots=True)
class OkpCurve:
    """An RFC 8037 octet-key-pair curve."""

    name: str
    private_cls: Any
    public_cls: Any
    size: int  # bytes of the public key (and of the private key)
    use: str  # "sig" or "enc"


EC_CURVES: dict[str, EcCurve] = {
    c.name: c
    for c in (
        EcCurve(
            "P-256",
            ec.SECP256R1,
            32,
            0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
        ),
        EcCurve(
            "P-384",
            ec.SECP384R1,
            48,
            int(
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                "581A0DB248B0A77AECEC196ACCC52973",
                16,
            ),
        ),
        EcCurve(
            "P-521",
            ec.SECP521R1,
            66,
            int(
                "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA"
                "51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
                16,
            ),
        ),
        EcCurve(
            "secp256k1",
            ec.SECP256K1,
            32,
            0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
        ),
    )
}

EC_CURVE_BY_OID_NAME: dict[str, EcCurve] = {c.curve().name: c for c in EC_CURVES.values()}

OKP_CURVES: dict[str, OkpCurve] = {
    c.name: c
    for c in (
        OkpCurve("Ed25519", ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey, 32, "sig"),
        OkpCurve("Ed448", ed448.Ed448PrivateKey, ed448.Ed448PublicKey, 57, "sig"),
        OkpCurve("X25519", x25519.X25519PrivateKey, x25519.X25519PublicKey, 32, "enc"),
        OkpCurve("X448", x448.X448PrivateKey, x448.X448PublicKey, 56, "enc"),
    )
}


def curve_of(curves: Mapping[str, C], crv: object, kty: str) -> C:
    """The curve of a JWK's ``crv`` member in ``curves`` (the ``kty``'s table).

    Raises:
        UnsupportedAlgorithmError: ``crv`` is not one of ``curves``.
    """
    curve = curves.get(crv) if isinstance(crv, str) else None
    if curve is None:
        raise UnsupportedAlgorithmError(
            f"{kty} curve {crv!r} is not supported (josekit supports {sorted(curves)})"
        )
    return curve
