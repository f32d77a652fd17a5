"""What every key management family shares: the :class:`KeyManagement` row interface and
the checks and helpers several families use."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from cryptography.hazmat.primitives import hashes

from ..._b64 import b64d
from ..._text import a_an
from ...errors import DecryptionError, InvalidHeaderError, InvalidKeyError
from ...jwk import Key
from ...jwk._secret import not_a_key_message
from ...policy import Limits
from ..content import DECRYPTION_FAILED, ContentEncryption

__all__ = [
    "HASHES",
    "KeyManagement",
    "Wrapped",
    "check_cek",
    "check_kek",
    "fail",
    "header_bytes",
    "key_label",
]

HASHES: dict[int, type[hashes.HashAlgorithm]] = {
    256: hashes.SHA256,
    384: hashes.SHA384,
    512: hashes.SHA512,
}

Wrapped = tuple[bytes, bytes, dict[str, Any]]
"""What :meth:`KeyManagement.wrap` returns: ``(cek, encrypted_key, header_parameters)``."""


def fail() -> DecryptionError:
    """The one error of every failure to recover a content encryption key."""
    return DecryptionError(DECRYPTION_FAILED)


class KeyManagement(ABC):
    """One JWE ``alg``: which keys fit it, and how it delivers the content encryption key.

    Class attributes shared by a family: ``family`` (its name), ``key_types`` (the ``kty``
    values it takes), ``direct`` (True when the key itself determines the CEK, so the JWE can
    have only this one recipient), and the ``key_ops`` operations it needs to encrypt
    (``encrypt_op``) and to decrypt (``decrypt_op``). ``accepts_password`` is True for PBES2,
    whose key may be given as a password (``str`` or ``bytes``).
    """

    __slots__ = ()

    name: str
    """The ``alg`` identifier."""
    description: str
    """What RFC 7518 calls it."""
    family: ClassVar[str]
    key_types: ClassVar[frozenset[str]]
    direct: ClassVar[bool] = False
    accepts_password: ClassVar[bool] = False
    integrated: ClassVar[bool] = False
    """True for HPKE Integrated Encryption (no ``enc``, no CEK): see
    :mod:`josekit.algorithms.hpke`."""
    encrypt_op: ClassVar[str]
    decrypt_op: ClassVar[str]

    def check_key(self, key: Key, operation: str, enc: ContentEncryption) -> None:
        """Refuse a key that does not fit this ``alg`` (and ``enc``) or this operation.

        ``operation`` is ``"encrypt"`` or ``"decrypt"``. Checked: the key type, curve and
        size, that a private key is there to decrypt, and the key's ``alg``, ``use`` and
        ``key_ops`` (:meth:`Key.check_usage <josekit.jwk.Key.check_usage>`).
        """
        if not isinstance(key, Key):
            raise InvalidKeyError(not_a_key_message(key))
        if key.kty not in self.key_types:
            raise InvalidKeyError(
                f"alg {self.name} needs {a_an(' or '.join(sorted(self.key_types)))} key, not "
                f"{a_an(key.kty)} key"
            )
        self._check_material(key, enc)
        decrypting = operation == "decrypt"
        if decrypting and not key.is_private:
            raise InvalidKeyError(f"decrypting with {self.name} needs the private key")
        if key.use is not None or key.key_ops is not None:
            key.check_usage(self.decrypt_op if decrypting else self.encrypt_op)
        if key.alg is not None:
            self._check_key_alg(key, enc)

    def _check_key_alg(self, key: Key, enc: ContentEncryption) -> None:
        if key.alg is not None and key.alg != self.name:
            raise InvalidKeyError(f"key {key_label(key)} is for alg {key.alg!r}, not {self.name!r}")

    def check_header_key(self, key: Key, header: Mapping[str, Any]) -> None:
        """Refuse, as not fitting, a candidate of a key set that the header rules out.

        Most families have nothing to check; ECDH-ES refuses a key on another curve than the
        ``epk``'s, so a set with keys on several curves finds the one that fits.

        Raises:
            InvalidKeyError: the key cannot be the recipient of this header.
        """
        return None

    @abstractmethod
    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        """Family check of the key material (size, curve)."""

    @abstractmethod
    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        """Deliver a CEK to the key's holder; return ``(cek, encrypted_key, header_params)``.

        ``cek`` is the content key to wrap, or None for a ``direct`` family (which derives
        it). ``params`` holds the caller's header (``apu``, ``apv``, ``p2c``). ``pinned`` is
        empty except when replaying test vectors.
        """

    @abstractmethod
    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        """Recover the CEK; raise :class:`DecryptionError` when it cannot be recovered."""

    def cipher(self, key: Key, enc: ContentEncryption) -> Any:
        """A reusable ``enc`` cipher when ``key`` fixes the CEK of every message, else None.

        Call it only after :meth:`check_key` accepted ``key``, and to decrypt only after
        :meth:`unwrap` succeeded with it. To encrypt, a cipher stands for the whole of
        :meth:`wrap`: the key is the CEK, and nothing is wrapped or added to the header.
        """
        return None

    def __repr__(self) -> str:
        return f"<KeyManagement {self.name} ({self.family})>"


def key_label(key: Key) -> str:
    """How a message names a key: its ``kid``, or its key type."""
    return repr(key.kid) if key.kid is not None else f"({key.kty})"


def check_cek(cek: bytes, enc: ContentEncryption) -> bytes:
    """``cek`` if it has the size ``enc`` needs, else the one decryption error."""
    if len(cek) != enc.key_size:
        raise fail()
    return cek


def check_kek(name: str, key: Key, size: int) -> None:
    """Refuse an AES key-encryption key that is not ``size`` bytes."""
    if len(key.crypto_key) != size:
        raise InvalidKeyError(
            f"alg {name} needs {a_an(f'{size * 8}-bit')} key; this one has {key.size} bits"
        )


def header_bytes(header: Mapping[str, Any], name: str, required: bool = True) -> bytes:
    """A base64url header parameter, decoded (``b""`` when optional and absent)."""
    value = header.get(name)
    if value is None and not required and name not in header:
        return b""
    if not isinstance(value, str):
        raise InvalidHeaderError(f"header parameter {name!r} must be a base64url string")
    return b64d(value, f"header parameter {name!r}")
