"""Which key each algorithm takes: the key type, curves and size, by ``alg``.

The key's side of the algorithm tables, kept here (below them) so that key generation and
``Key.from_secret`` can follow an ``alg`` without importing the algorithms: ``generate(
alg="ES384")`` is a P-384 key, ``"HS512"`` a 512-bit secret. A test checks every row
against the algorithm tables (each key made from a row passes its algorithm's key check).
Absent on purpose: ``dir`` (its size follows ``enc``) and PBES2 (a passphrase, no key).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ._akp import AKP_ALGORITHMS

__all__ = ["ALG_KEYS", "AlgKey"]


@dataclass(frozen=True, slots=True)
class AlgKey:
    """The keys one ``alg`` takes.

    Attributes:
        kty: the key type.
        curves: the curves it takes, the default first (None: no curve).
        bits: the default size in bits, for RSA and oct (None: no size).
        exact: True when ``bits`` is the only size (AES key wrapping), False when it is the
            least (HMAC: the hash output, RFC 7518 §3.2; RSA: 2048).
    """

    kty: str
    curves: tuple[str, ...] | None = None
    bits: int | None = None
    exact: bool = False


_ECDH_CURVES = ("P-256", "P-384", "P-521", "X25519", "X448")
_HPKE_CURVES = ("P-256", "P-384", "P-521", "X25519", "X25519", "X448", "X448", "P-256")
"""The curve of HPKE suites 0 to 7 (draft-ietf-jose-hpke-encrypt)."""


def _rows() -> Iterator[tuple[str, AlgKey]]:
    for bits in (256, 384, 512):
        yield f"HS{bits}", AlgKey("oct", bits=bits)
        for prefix in ("RS", "PS"):
            yield f"{prefix}{bits}", AlgKey("RSA", bits=2048)
    for name, curve in (("ES256", "P-256"), ("ES384", "P-384"), ("ES512", "P-521")):
        yield name, AlgKey("EC", (curve,))
    yield "ES256K", AlgKey("EC", ("secp256k1",))
    yield "EdDSA", AlgKey("OKP", ("Ed25519", "Ed448"))
    yield "Ed25519", AlgKey("OKP", ("Ed25519",))
    yield "Ed448", AlgKey("OKP", ("Ed448",))
    for name in ("RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"):
        yield name, AlgKey("RSA", bits=2048)
    for bits in (128, 192, 256):
        yield f"A{bits}KW", AlgKey("oct", bits=bits, exact=True)
        yield f"A{bits}GCMKW", AlgKey("oct", bits=bits, exact=True)
        yield f"ECDH-ES+A{bits}KW", AlgKey("EC", _ECDH_CURVES)
    yield "ECDH-ES", AlgKey("EC", _ECDH_CURVES)
    for number, curve in enumerate(_HPKE_CURVES):
        row = AlgKey("OKP" if curve.startswith("X") else "EC", (curve,))
        yield f"HPKE-{number}", row
        yield f"HPKE-{number}-KE", row
    for name in AKP_ALGORITHMS:  # ML-DSA and the post-quantum HPKE suites cryptography runs
        yield name, AlgKey("AKP")


ALG_KEYS: Mapping[str, AlgKey] = MappingProxyType(dict(_rows()))
"""The key each ``alg`` takes, for the algorithms whose ``alg`` decides the key."""
