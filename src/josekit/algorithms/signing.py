"""JWS signature and MAC algorithms (RFC 7518 §3, RFC 8037, RFC 8812, RFC 9864).

One :class:`SignatureAlgorithm` row per ``alg``, built by a small family builder; everything
above this module is handed a resolved row and never enumerates algorithm names.
"""

from __future__ import annotations

import hmac as std_hmac
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ..jwk._curves import EC_CURVES
from ._registry import Registry
from ._signature import SignatureAlgorithm
from .mldsa import mldsa_rows

__all__ = ["SIGNATURE_ALGORITHMS", "SignatureAlgorithm"]

_HASHES: dict[int, type[hashes.HashAlgorithm]] = {
    256: hashes.SHA256,
    384: hashes.SHA384,
    512: hashes.SHA512,
}


def _hmac(bits: int) -> SignatureAlgorithm:
    algo = _HASHES[bits]()

    def sign(secret: bytes, data: bytes) -> bytes:
        h = crypto_hmac.HMAC(secret, algo)
        h.update(data)
        return h.finalize()

    def verify(secret: bytes, data: bytes, signature: bytes) -> bool:
        h = crypto_hmac.HMAC(secret, algo)
        h.update(data)
        return std_hmac.compare_digest(h.finalize(), signature)

    return SignatureAlgorithm(
        f"HS{bits}", "HMAC", "oct", f"HMAC using SHA-{bits}", None, bits, sign, verify
    )


def _rsa(prefix: str, bits: int) -> SignatureAlgorithm:
    algo = _HASHES[bits]()
    pad: padding.AsymmetricPadding
    if prefix == "PS":
        pad = padding.PSS(mgf=padding.MGF1(algo), salt_length=algo.digest_size)
        description = f"RSASSA-PSS using SHA-{bits} and MGF1 with SHA-{bits}"
    else:
        pad = padding.PKCS1v15()
        description = f"RSASSA-PKCS1-v1_5 using SHA-{bits}"

    def sign(private: Any, data: bytes) -> bytes:
        return bytes(private.sign(data, pad, algo))

    def verify(public: Any, data: bytes, signature: bytes) -> bool:
        if len(signature) != (public.key_size + 7) // 8:
            return False
        try:
            public.verify(signature, data, pad, algo)
        except InvalidSignature:
            return False
        return True

    family = "RSASSA-PSS" if prefix == "PS" else "RSASSA-PKCS1-v1_5"
    return SignatureAlgorithm(
        f"{prefix}{bits}", family, "RSA", description, None, 2048, sign, verify
    )


def _ecdsa(name: str, crv: str, bits: int) -> SignatureAlgorithm:
    curve = EC_CURVES[crv]
    size, order = curve.size, curve.order
    sig_alg = ec.ECDSA(_HASHES[bits]())

    def sign(private: Any, data: bytes) -> bytes:
        r, s = decode_dss_signature(private.sign(data, sig_alg))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def verify(public: Any, data: bytes, signature: bytes) -> bool:
        # Raw R || S only, each exactly the coordinate size, each in [1, n-1].
        if len(signature) != 2 * size:
            return False
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        if not (0 < r < order and 0 < s < order):
            return False
        try:
            public.verify(encode_dss_signature(r, s), data, sig_alg)
        except InvalidSignature:
            return False
        return True

    return SignatureAlgorithm(
        name, "ECDSA", "EC", f"ECDSA using {crv} and SHA-{bits}", frozenset({crv}), 0, sign, verify
    )


def _eddsa(name: str, curves: frozenset[str], description: str) -> SignatureAlgorithm:
    def sign(private: Any, data: bytes) -> bytes:
        return bytes(private.sign(data))

    def verify(public: Any, data: bytes, signature: bytes) -> bool:
        try:
            public.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    return SignatureAlgorithm(name, "EdDSA", "OKP", description, curves, 0, sign, verify)


SIGNATURE_ALGORITHMS: Registry[SignatureAlgorithm] = Registry(
    "JWS",
    [
        _hmac(256),
        _hmac(384),
        _hmac(512),
        _rsa("RS", 256),
        _rsa("RS", 384),
        _rsa("RS", 512),
        _rsa("PS", 256),
        _rsa("PS", 384),
        _rsa("PS", 512),
        _ecdsa("ES256", "P-256", 256),
        _ecdsa("ES384", "P-384", 384),
        _ecdsa("ES512", "P-521", 512),
        _ecdsa("ES256K", "secp256k1", 256),
        _eddsa("EdDSA", frozenset({"Ed25519", "Ed448"}), "EdDSA (RFC 8037), Ed25519 or Ed448 key"),
        _eddsa("Ed25519", frozenset({"Ed25519"}), "EdDSA using Ed25519 (RFC 9864)"),
        _eddsa("Ed448", frozenset({"Ed448"}), "EdDSA using Ed448 (RFC 9864)"),
        *mldsa_rows(),
    ],
)
"""Every JWS algorithm josekit implements, by ``alg`` name."""
