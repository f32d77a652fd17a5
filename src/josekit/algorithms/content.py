"""JWE content encryption algorithms (RFC 7518 §5): AES-CBC with HMAC-SHA2, and AES-GCM.

One :class:`ContentEncryption` row per ``enc``, built by a family builder. Decryption checks
every length (CEK, IV, tag) before any cryptography and collapses every failure into one
:class:`~josekit.errors.DecryptionError` with the fixed message :data:`DECRYPTION_FAILED`.
"""

from __future__ import annotations

import hmac as std_hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.padding import PKCS7

from ..errors import DecryptionError
from ._registry import Registry

__all__ = ["CONTENT_ENCRYPTION", "DECRYPTION_FAILED", "ContentEncryption"]

DECRYPTION_FAILED = "JWE decryption failed"
"""The one message of every :class:`DecryptionError` (RFC 7516 §11.5: no oracle)."""

_HASHES: dict[int, type[hashes.HashAlgorithm]] = {
    256: hashes.SHA256,
    384: hashes.SHA384,
    512: hashes.SHA512,
}


@dataclass(frozen=True, slots=True)
class ContentEncryption:
    """One JWE ``enc``: its key, IV and tag sizes, and how it encrypts and decrypts.

    Attributes:
        name: the ``enc`` identifier.
        family: ``"AES-CBC-HMAC-SHA2"`` or ``"AES-GCM"``.
        key_size: content encryption key (CEK) length in bytes.
        iv_size: initialization vector length in bytes.
        tag_size: authentication tag length in bytes.
        description: what RFC 7518 calls it.

    A *cipher* is a CEK prepared for use (an ``AESGCM`` object for AES-GCM, the CEK itself
    for AES-CBC-HMAC-SHA2): :meth:`cipher` builds one, and a caller that uses the same CEK
    for many messages (``dir``) may keep it and pass it to :meth:`encrypt`, :meth:`seal` or
    :meth:`decrypt`.
    """

    name: str
    family: str
    key_size: int
    iv_size: int
    tag_size: int
    description: str
    _cipher: Callable[[bytes], Any]
    _seal: Callable[[Any, bytes, bytes, bytes], bytes]
    _decrypt: Callable[[Any, bytes, bytes, bytes, bytes], bytes]

    def generate_cek(self) -> bytes:
        """A fresh random content encryption key from the operating system's CSPRNG."""
        return os.urandom(self.key_size)

    def generate_iv(self) -> bytes:
        """A fresh random IV from the operating system's CSPRNG."""
        return os.urandom(self.iv_size)

    def cipher(self, cek: bytes) -> Any:
        """The cipher for ``cek``: a pure function of the key bytes, safe to reuse.

        Raises:
            ValueError: ``cek`` is not :attr:`key_size` bytes.
        """
        if len(cek) != self.key_size:
            raise ValueError(f"{self.name}: wrong CEK length")
        return self._cipher(cek)

    def encrypt(
        self, cek: bytes, iv: bytes, plaintext: bytes, aad: bytes, cipher: Any = None
    ) -> tuple[bytes, bytes]:
        """Encrypt and authenticate; return ``(ciphertext, tag)``.

        ``cipher``, when given, is ``self.cipher(cek)`` kept from an earlier call.
        """
        if len(cek) != self.key_size or len(iv) != self.iv_size:
            raise ValueError(f"{self.name}: wrong CEK or IV length")
        sealed = self._seal(self._cipher(cek) if cipher is None else cipher, iv, plaintext, aad)
        cut = len(sealed) - self.tag_size
        return sealed[:cut], sealed[cut:]

    def seal(self, cipher: Any, iv: bytes, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt and authenticate with a prepared ``cipher``; return ciphertext ``||`` tag.

        ``cipher`` is ``self.cipher(cek)`` (which checked the CEK's length); the tag is the
        last :attr:`tag_size` bytes.

        Raises:
            ValueError: ``iv`` is not :attr:`iv_size` bytes.
        """
        if len(iv) != self.iv_size:
            raise ValueError(f"{self.name}: wrong IV length")
        return self._seal(cipher, iv, plaintext, aad)

    def decrypt(
        self, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, cipher: Any = None
    ) -> bytes:
        """Authenticate and decrypt; raise :class:`DecryptionError` on any failure.

        ``cipher``, when given, is ``self.cipher(cek)`` kept from an earlier call.
        """
        if len(cek) != self.key_size or len(iv) != self.iv_size or len(tag) != self.tag_size:
            raise DecryptionError(DECRYPTION_FAILED)
        if cipher is None:
            cipher = self._cipher(cek)
        return self._decrypt(cipher, iv, ciphertext, tag, aad)


def _aes_gcm(bits: int) -> ContentEncryption:
    def decrypt(aead: AESGCM, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
        try:
            return aead.decrypt(iv, ciphertext + tag, aad)
        except InvalidTag:
            raise DecryptionError(DECRYPTION_FAILED) from None

    return ContentEncryption(
        f"A{bits}GCM",
        "AES-GCM",
        bits // 8,
        12,
        16,
        f"AES GCM using {bits}-bit key",
        AESGCM,
        # The method itself, unbound: sealing is one call into cryptography, no Python between.
        AESGCM.encrypt,
        decrypt,
    )


def _aes_cbc_hmac(bits: int, sha: int) -> ContentEncryption:
    """RFC 7518 §5.2: MAC_KEY || ENC_KEY, tag = HMAC(A || IV || E || AL) truncated to half."""
    half = bits // 8
    tag_size = half
    algo = _HASHES[sha]()

    def mac(mac_key: bytes, aad: bytes, iv: bytes, ciphertext: bytes) -> bytes:
        h = crypto_hmac.HMAC(mac_key, algo)
        h.update(aad)
        h.update(iv)
        h.update(ciphertext)
        h.update((len(aad) * 8).to_bytes(8, "big"))
        return h.finalize()[:tag_size]

    def seal(cek: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> bytes:
        padder = PKCS7(128).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = Cipher(algorithms.AES(cek[half:]), modes.CBC(iv)).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        return ciphertext + mac(cek[:half], aad, iv, ciphertext)

    def decrypt(cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
        # The MAC is checked, in constant time, before anything is decrypted.
        if not std_hmac.compare_digest(mac(cek[:half], aad, iv, ciphertext), tag):
            raise DecryptionError(DECRYPTION_FAILED)
        if not ciphertext or len(ciphertext) % 16:
            raise DecryptionError(DECRYPTION_FAILED)
        decryptor = Cipher(algorithms.AES(cek[half:]), modes.CBC(iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = PKCS7(128).unpadder()
        try:
            return unpadder.update(padded) + unpadder.finalize()
        except ValueError:
            raise DecryptionError(DECRYPTION_FAILED) from None

    return ContentEncryption(
        f"A{bits}CBC-HS{sha}",
        "AES-CBC-HMAC-SHA2",
        2 * half,
        16,
        tag_size,
        f"AES_{bits}_CBC_HMAC_SHA_{sha} authenticated encryption",
        bytes,
        seal,
        decrypt,
    )


CONTENT_ENCRYPTION: Registry[ContentEncryption] = Registry(
    "JWE content encryption",
    [
        _aes_cbc_hmac(128, 256),
        _aes_cbc_hmac(192, 384),
        _aes_cbc_hmac(256, 512),
        _aes_gcm(128),
        _aes_gcm(192),
        _aes_gcm(256),
    ],
)
"""Every JWE ``enc`` josekit implements, by name."""
