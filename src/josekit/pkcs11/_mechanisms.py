"""The table from JOSE ``alg`` to a PKCS#11 mechanism with explicit parameters.

Nothing is left to a module's defaults (python-pkcs11 and many tokens default OAEP and PSS
to SHA-1): every row names its hash, its MGF and its salt length, and a mechanism the token
refuses is "not supported", never retried with other parameters. ECDSA is hashed here with
pyca/cryptography and the digest is passed to ``CKM_ECDSA`` (exactly equivalent to a hashing
ECDSA mechanism, which SoftHSM2 lacks); the token's raw ``R || S`` must have exactly twice the
coordinate size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes

__all__ = ["DECRYPTION", "EC_PARAMS", "SIGNING", "Decryption", "Signing"]

_HASH = {256: hashes.SHA256, 384: hashes.SHA384, 512: hashes.SHA512}

# DER of the named-curve OIDs (CKA_EC_PARAMS) by JWK curve, and back.
EC_PARAMS: dict[str, bytes] = {
    "P-256": bytes.fromhex("06082a8648ce3d030107"),
    "P-384": bytes.fromhex("06052b81040022"),
    "P-521": bytes.fromhex("06052b81040023"),
    "Ed25519": bytes.fromhex("06032b6570"),
}


@dataclass(frozen=True, slots=True)
class Signing:
    """How one ``alg`` signs: the mechanism, its parameters, a local pre-hash if any."""

    mechanism: str
    params: Callable[[Any], Any] | None  # the pkcs11 module -> mechanism parameters
    prehash: type[hashes.HashAlgorithm] | None
    kty: str


@dataclass(frozen=True, slots=True)
class Decryption:
    """How one RSA key-encryption ``alg`` decrypts: the mechanism and its parameters."""

    mechanism: str
    params: Callable[[Any], Any] | None
    description: str


def _pss(bits: int) -> Callable[[Any], Any]:
    return lambda p11: (
        getattr(p11.Mechanism, f"SHA{bits}"),
        getattr(p11.MGF, f"SHA{bits}"),
        bits // 8,
    )


def _oaep(bits: int | None) -> Callable[[Any], Any]:
    if bits is None:
        return lambda p11: (p11.Mechanism.SHA_1, p11.MGF.SHA1, None)
    return lambda p11: (getattr(p11.Mechanism, f"SHA{bits}"), getattr(p11.MGF, f"SHA{bits}"), None)


SIGNING: dict[str, Signing] = {
    **{f"RS{b}": Signing(f"SHA{b}_RSA_PKCS", None, None, "RSA") for b in _HASH},
    **{f"PS{b}": Signing(f"SHA{b}_RSA_PKCS_PSS", _pss(b), None, "RSA") for b in _HASH},
    **{f"ES{b}": Signing("ECDSA", None, h, "EC") for b, h in _HASH.items()},
    "EdDSA": Signing("EDDSA", None, None, "OKP"),
    "Ed25519": Signing("EDDSA", None, None, "OKP"),
}
"""Every signature ``alg`` a PKCS#11 key can make, by name."""

DECRYPTION: dict[str, Decryption] = {
    "RSA1_5": Decryption("RSA_PKCS", None, "CKM_RSA_PKCS"),
    "RSA-OAEP": Decryption("RSA_PKCS_OAEP", _oaep(None), "CKM_RSA_PKCS_OAEP with SHA-1/MGF1-SHA1"),
    **{
        f"RSA-OAEP-{b}": Decryption(
            "RSA_PKCS_OAEP", _oaep(b), f"CKM_RSA_PKCS_OAEP with SHA-{b}/MGF1-SHA{b}"
        )
        for b in _HASH
    },
}
"""Every RSA key-encryption ``alg`` a PKCS#11 key can decrypt, by name."""
