"""Helpers shared by the JWE tests: keys for any (alg, enc), vector loading."""

from __future__ import annotations

import os
from typing import Any

from josekit import Key, jwk
from josekit._b64 import b64e_str
from josekit.algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT, KeyManagement

PASSWORD = "correct horse battery staple"

RFC_ALGS = (
    "RSA1_5",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "RSA-OAEP-384",
    "RSA-OAEP-512",
    "A128KW",
    "A192KW",
    "A256KW",
    "dir",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    "PBES2-HS256+A128KW",
    "PBES2-HS384+A192KW",
    "PBES2-HS512+A256KW",
)
"""The key management algorithms of RFC 7518 §4 (RFC 8037 §3.2 adds curves, not names)."""
RFC_ENCS = ("A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM")
"""The content encryption algorithms of RFC 7518 §5."""


def oct_key(size: int, **meta: str) -> Key:
    """A random symmetric key of ``size`` bytes."""
    return Key.import_key({"kty": "oct", "k": b64e_str(os.urandom(size)), **meta})


class KeyFactory:
    """The right key pair for any (alg, enc) combination."""

    def __init__(self) -> None:
        self.rsa = jwk.generate("RSA", size=2048)
        self.ec = {crv: jwk.generate("EC", crv=crv) for crv in ("P-256", "P-384", "P-521")}
        self.okp = {crv: jwk.generate("OKP", crv=crv) for crv in ("X25519", "X448")}

    def pair(self, alg: str, enc: str, crv: str = "P-256") -> tuple[Any, Any]:
        """(encryption key, decryption key) for ``alg`` with ``enc``."""
        km: KeyManagement = KEY_MANAGEMENT[alg]
        if km.family == "direct encryption":
            key = oct_key(CONTENT_ENCRYPTION[enc].key_size)
            return key, key
        if km.accepts_password:
            return PASSWORD, PASSWORD
        if km.key_types == frozenset({"RSA"}):
            return self.rsa.public(), self.rsa
        if km.key_types == frozenset({"oct"}):
            key = oct_key(km.size)  # type: ignore[attr-defined]
            return key, key
        private = self.ec[crv] if crv in self.ec else self.okp[crv]
        return private.public(), private
