"""JWE key management algorithms (RFC 7518 §4, RFC 8037 §3.2).

One row per ``alg``, one class (one code path) per family:

=============================  ==========================================================
family                         algorithms
=============================  ==========================================================
direct encryption              ``dir``
key encryption                 ``RSA1_5``, ``RSA-OAEP``, ``RSA-OAEP-256/384/512``
key wrapping                   ``A128KW``, ``A192KW``, ``A256KW``
key wrapping with AES-GCM      ``A128GCMKW``, ``A192GCMKW``, ``A256GCMKW``
key wrapping with PBES2        ``PBES2-HS256+A128KW``, ``-HS384+A192KW``, ``-HS512+A256KW``
key agreement                  ``ECDH-ES`` (P-256, P-384, P-521, X25519, X448)
key agreement with key wrap    ``ECDH-ES+A128KW``, ``ECDH-ES+A192KW``, ``ECDH-ES+A256KW``
HPKE key encryption            ``HPKE-0-KE`` .. ``HPKE-10-KE``, ``HPKE-12-KE``, ``HPKE-13-KE``
HPKE integrated encryption     ``HPKE-0`` .. ``HPKE-10``, ``HPKE-12``, ``HPKE-13``: no ``enc``
=============================  ==========================================================

Each family is one module of this package (``_dir``, ``_rsa``, ``_aeskw``, ``_gcmkw``,
``_pbes2``, ``_ecdh``, on the :class:`KeyManagement` interface of ``_base``); the HPKE rows
come from :mod:`josekit.algorithms.hpke`. This module only assembles the table.

``RSA1_5`` and the PBES2 family are in :attr:`KEY_MANAGEMENT.opt_in
<josekit.algorithms.Registry.opt_in>`: a caller gets them only by naming them.

Every row checks a key before any cryptography (:meth:`KeyManagement.check_key`), and every
failure while recovering the content encryption key is a
:class:`~josekit.errors.DecryptionError` with one fixed message.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import padding

from .._registry import Registry
from ..hpke import hpke_rows
from ._aeskw import AesKeyWrap
from ._base import KeyManagement, Wrapped
from ._dir import Direct
from ._ecdh import EcdhEs, EcdhEsKeyWrap, ecdh_shared_secret
from ._gcmkw import AesGcmKeyWrap
from ._pbes2 import Pbes2
from ._rsa import RsaEncryption, oaep

__all__ = ["KEY_MANAGEMENT", "KeyManagement", "Wrapped", "ecdh_shared_secret"]

KEY_MANAGEMENT: Registry[KeyManagement] = Registry(
    "JWE key management",
    [
        RsaEncryption("RSA1_5", "RSAES-PKCS1-v1_5", padding.PKCS1v15()),
        oaep("RSA-OAEP", None),
        oaep("RSA-OAEP-256", 256),
        oaep("RSA-OAEP-384", 384),
        oaep("RSA-OAEP-512", 512),
        AesKeyWrap("A128KW", "AES Key Wrap using 128-bit key", 16),
        AesKeyWrap("A192KW", "AES Key Wrap using 192-bit key", 24),
        AesKeyWrap("A256KW", "AES Key Wrap using 256-bit key", 32),
        Direct("dir", "Direct use of a shared symmetric key as the CEK"),
        EcdhEs("ECDH-ES", "ECDH-ES using Concat KDF", None),
        EcdhEsKeyWrap("ECDH-ES+A128KW", "ECDH-ES using Concat KDF, CEK wrapped with A128KW", 16),
        EcdhEsKeyWrap("ECDH-ES+A192KW", "ECDH-ES using Concat KDF, CEK wrapped with A192KW", 24),
        EcdhEsKeyWrap("ECDH-ES+A256KW", "ECDH-ES using Concat KDF, CEK wrapped with A256KW", 32),
        AesGcmKeyWrap("A128GCMKW", "Key wrapping with AES GCM using 128-bit key", 16),
        AesGcmKeyWrap("A192GCMKW", "Key wrapping with AES GCM using 192-bit key", 24),
        AesGcmKeyWrap("A256GCMKW", "Key wrapping with AES GCM using 256-bit key", 32),
        Pbes2("PBES2-HS256+A128KW", "PBES2 with HMAC SHA-256 and A128KW wrapping", 256, 16),
        Pbes2("PBES2-HS384+A192KW", "PBES2 with HMAC SHA-384 and A192KW wrapping", 384, 24),
        Pbes2("PBES2-HS512+A256KW", "PBES2 with HMAC SHA-512 and A256KW wrapping", 512, 32),
        *hpke_rows(),
    ],
    opt_in={"RSA1_5", "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"},
)
"""Every JWE key management ``alg`` josekit implements, by name."""
