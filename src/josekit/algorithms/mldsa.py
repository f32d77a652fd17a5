"""JWS ML-DSA signatures (RFC 9964): ``ML-DSA-44``, ``ML-DSA-65`` and ``ML-DSA-87``.

One row per parameter set, all built by :func:`mldsa_rows` into the JWS table
(:data:`josekit.algorithms.SIGNATURE_ALGORITHMS`). The key is an AKP key whose ``alg`` names
the same parameter set (RFC 9964 §3, §7.4); pure ML-DSA (FIPS 204 Algorithm 2) is used with
the empty context string (RFC 9964 §5), and a signature must be exactly the FIPS 204 size
before it reaches the verifier.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature

from ..jwk._akp import AKP_ALGORITHMS, AkpAlgorithm
from ._signature import SignatureAlgorithm

__all__ = ["mldsa_rows"]


def _mldsa(row: AkpAlgorithm) -> SignatureAlgorithm:
    private_cls, public_cls, size = row.private_cls, row.public_cls, row.signature_size

    def sign(private: Any, data: bytes) -> bytes:
        if not isinstance(private, private_cls):  # pragma: no cover - check_key ran before
            raise TypeError(f"{row.name} needs an {row.name} private key")
        return bytes(private.sign(data))  # context: the empty string (RFC 9964 §5)

    def verify(public: Any, data: bytes, signature: bytes) -> bool:
        if not isinstance(public, public_cls) or len(signature) != size:
            return False
        try:
            public.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    return SignatureAlgorithm(
        row.name, "ML-DSA", "AKP", f"{row.name} (FIPS 204, RFC 9964)", None, 0, sign, verify
    )


def mldsa_rows() -> tuple[SignatureAlgorithm, ...]:
    """The ML-DSA rows of the JWS table (none if the installed cryptography lacks ML-DSA)."""
    return tuple(_mldsa(row) for row in AKP_ALGORITHMS.values() if row.family == "ML-DSA")
