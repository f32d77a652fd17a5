"""JSON Web Encryption (RFC 7516): encrypt and decrypt in compact and JSON serializations.

>>> from josekit import jwe, jwk
>>> key = jwk.generate("EC", crv="P-256")
>>> token = jwe.encrypt(b"hello", key.public(), "ECDH-ES+A256KW", "A256GCM")
>>> jwe.decrypt(token, key, algorithms=["ECDH-ES+A256KW"]).plaintext
b'hello'

The algorithms are those of RFC 7518 §4 and §5 and RFC 8037 §3.2. ``RSA1_5`` and the
``PBES2-*`` family are never accepted unless the caller lists them. Every failure after
parsing raises :class:`~josekit.errors.DecryptionError` with one fixed message.
"""

from __future__ import annotations

from ._async import decrypt_async, decrypt_json_async
from ._common import DecryptedJWE, Recipient
from ._compact import decrypt, encrypt
from ._json import decrypt_json, encrypt_json
from ._unverified import unverified_header

__all__ = [
    "DecryptedJWE",
    "Recipient",
    "decrypt",
    "decrypt_async",
    "decrypt_json",
    "decrypt_json_async",
    "encrypt",
    "encrypt_json",
    "unverified_header",
]
