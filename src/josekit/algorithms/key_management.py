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
HPKE key encryption            ``HPKE-0-KE`` .. ``HPKE-17-KE`` (:mod:`.hpke`)
HPKE integrated encryption     ``HPKE-0`` .. ``HPKE-17``: no ``enc``, no CEK (:mod:`.hpke`)
=============================  ==========================================================

``RSA1_5`` and the PBES2 family are in :attr:`KEY_MANAGEMENT.opt_in
<josekit.algorithms.Registry.opt_in>`: a caller gets them only by naming them.

Every row checks a key before any cryptography (:meth:`KeyManagement.check_key`), and every
failure while recovering the content encryption key is a
:class:`~josekit.errors.DecryptionError` with one fixed message.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from .._b64 import b64d, b64e_str
from ..errors import (
    DecryptionError,
    InvalidHeaderError,
    InvalidKeyError,
    LimitExceededError,
    MalformedError,
)
from ..jwk import Key
from ..jwk._curves import EC_CURVES, OKP_CURVES
from ..policy import Limits
from ._registry import Registry
from .content import DECRYPTION_FAILED, ContentEncryption

__all__ = ["KEY_MANAGEMENT", "KeyManagement", "Wrapped", "ecdh_shared_secret"]

_HASHES: dict[int, type[hashes.HashAlgorithm]] = {
    256: hashes.SHA256,
    384: hashes.SHA384,
    512: hashes.SHA512,
}
_ECDH_EC_CURVES = frozenset({"P-256", "P-384", "P-521"})
_ECDH_OKP_CURVES = frozenset({"X25519", "X448"})
_SALT_SIZE = 16  # p2s generated on encrypt
_MIN_SALT = 8  # RFC 7518 §4.8.1.1

Wrapped = tuple[bytes, bytes, dict[str, Any]]
"""What :meth:`KeyManagement.wrap` returns: ``(cek, encrypted_key, header_parameters)``."""


def _fail() -> DecryptionError:
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
    """True for HPKE Integrated Encryption (no ``enc``, no CEK): see :mod:`.hpke`."""
    encrypt_op: ClassVar[str]
    decrypt_op: ClassVar[str]

    def check_key(self, key: Key, operation: str, enc: ContentEncryption) -> None:
        """Refuse a key that does not fit this ``alg`` (and ``enc``) or this operation.

        ``operation`` is ``"encrypt"`` or ``"decrypt"``. Checked: the key type, curve and
        size, that a private key is there to decrypt, and the key's ``alg``, ``use`` and
        ``key_ops`` (:meth:`Key.check_usage <josekit.jwk.Key.check_usage>`).
        """
        if not isinstance(key, Key):
            raise InvalidKeyError(
                f"expected a josekit Key, not {type(key).__name__}; "
                "import it with Key.import_key(...)"
            )
        if key.kty not in self.key_types:
            raise InvalidKeyError(
                f"alg {self.name} needs a {' or '.join(sorted(self.key_types))} key, not {key.kty}"
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
            raise InvalidKeyError(f"key {_label(key)} is for alg {key.alg!r}, not {self.name!r}")

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

        Call it only after :meth:`wrap` or :meth:`unwrap` succeeded with ``key``.
        """
        return None

    def __repr__(self) -> str:
        return f"<KeyManagement {self.name} ({self.family})>"


def _label(key: Key) -> str:
    return repr(key.kid) if key.kid is not None else f"({key.kty})"


def _check_cek(cek: bytes, enc: ContentEncryption) -> bytes:
    if len(cek) != enc.key_size:
        raise _fail()
    return cek


def _header_bytes(header: Mapping[str, Any], name: str, required: bool = True) -> bytes:
    value = header.get(name)
    if value is None and not required and name not in header:
        return b""
    if not isinstance(value, str):
        raise InvalidHeaderError(f"header parameter {name!r} must be a base64url string")
    return b64d(value, f"header parameter {name!r}")


# -- direct encryption ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Direct(KeyManagement):
    name: str
    description: str

    family: ClassVar[str] = "direct encryption"
    key_types: ClassVar[frozenset[str]] = frozenset({"oct"})
    direct: ClassVar[bool] = True
    encrypt_op: ClassVar[str] = "encrypt"
    decrypt_op: ClassVar[str] = "decrypt"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        if len(key.crypto_key) != enc.key_size:
            raise InvalidKeyError(
                f"alg dir with enc {enc.name} needs a {enc.key_size * 8}-bit key; "
                f"this one has {key.size} bits"
            )

    def _check_key_alg(self, key: Key, enc: ContentEncryption) -> None:
        # A direct key names either "dir" or the content encryption it is for (RFC 7520 §5.6).
        if key.alg is not None and key.alg not in (self.name, enc.name):
            raise InvalidKeyError(
                f"key {_label(key)} is for alg {key.alg!r}, not dir with enc {enc.name}"
            )

    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        return bytes(key.crypto_key), b"", {}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        if encrypted_key:
            raise _fail()
        return _check_cek(key.crypto_key, enc)

    def cipher(self, key: Key, enc: ContentEncryption) -> Any:
        # The CEK is the key's own bytes in every message: its cipher is prepared once.
        return key._derive(enc.name, enc.cipher)


# -- key encryption (RSA) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RsaEncryption(KeyManagement):
    name: str
    description: str
    padding: padding.AsymmetricPadding

    family: ClassVar[str] = "key encryption"
    key_types: ClassVar[frozenset[str]] = frozenset({"RSA"})
    encrypt_op: ClassVar[str] = "encrypt"
    decrypt_op: ClassVar[str] = "decrypt"
    min_key_bits: ClassVar[int] = 2048

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        if key.size < self.min_key_bits:
            raise InvalidKeyError(
                f"alg {self.name} needs an RSA key of at least {self.min_key_bits} bits; "
                f"this one has {key.size}"
            )

    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        assert cek is not None
        return cek, bytes(key.public_crypto_key.encrypt(cek, self.padding)), {}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        if isinstance(self.padding, padding.PKCS1v15):
            # RFC 7516 §11.5 (Bleichenbacher): never reveal whether the padding or the
            # length was wrong; go on with a random CEK so that decryption fails later,
            # exactly as with a wrong key.
            substitute = os.urandom(enc.key_size)
            try:
                cek = key.crypto_key.decrypt(encrypted_key, self.padding)
            except ValueError:
                return substitute
            return bytes(cek) if len(cek) == enc.key_size else substitute
        try:
            cek = key.crypto_key.decrypt(encrypted_key, self.padding)
        except ValueError:
            raise _fail() from None
        return _check_cek(bytes(cek), enc)


def _oaep(name: str, bits: int | None) -> _RsaEncryption:
    algo: hashes.HashAlgorithm = hashes.SHA1() if bits is None else _HASHES[bits]()  # noqa: S303
    label = "SHA-1" if bits is None else f"SHA-{bits}"
    return _RsaEncryption(
        name,
        f"RSAES OAEP using {label} and MGF1 with {label}",
        padding.OAEP(mgf=padding.MGF1(algo), algorithm=algo, label=None),
    )


# -- AES key wrap --------------------------------------------------------------------------


def _check_kek(name: str, key: Key, size: int) -> None:
    if len(key.crypto_key) != size:
        raise InvalidKeyError(
            f"alg {name} needs a {size * 8}-bit key; this one has {key.size} bits"
        )


@dataclass(frozen=True, slots=True)
class _AesKeyWrap(KeyManagement):
    name: str
    description: str
    size: int

    family: ClassVar[str] = "key wrapping"
    key_types: ClassVar[frozenset[str]] = frozenset({"oct"})
    encrypt_op: ClassVar[str] = "wrapKey"
    decrypt_op: ClassVar[str] = "unwrapKey"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        _check_kek(self.name, key, self.size)

    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        assert cek is not None
        return cek, aes_key_wrap(key.crypto_key, cek), {}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        return _unwrap(key.crypto_key, encrypted_key, enc)


def _unwrap(kek: bytes, encrypted_key: bytes, enc: ContentEncryption) -> bytes:
    if len(encrypted_key) != enc.key_size + 8:
        raise _fail()
    try:
        return _check_cek(aes_key_unwrap(kek, encrypted_key), enc)
    except (InvalidUnwrap, ValueError):
        raise _fail() from None


# -- AES-GCM key wrap ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _AesGcmKeyWrap(KeyManagement):
    name: str
    description: str
    size: int

    family: ClassVar[str] = "key wrapping with AES-GCM"
    key_types: ClassVar[frozenset[str]] = frozenset({"oct"})
    encrypt_op: ClassVar[str] = "wrapKey"
    decrypt_op: ClassVar[str] = "unwrapKey"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        _check_kek(self.name, key, self.size)

    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        assert cek is not None
        iv = pinned.get("iv") or os.urandom(12)
        sealed = AESGCM(key.crypto_key).encrypt(iv, cek, b"")
        return cek, sealed[:-16], {"iv": b64e_str(iv), "tag": b64e_str(sealed[-16:])}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        iv = _header_bytes(header, "iv")
        tag = _header_bytes(header, "tag")
        if len(iv) != 12 or len(tag) != 16 or len(encrypted_key) != enc.key_size:
            raise _fail()
        try:
            return AESGCM(key.crypto_key).decrypt(iv, encrypted_key + tag, b"")
        except InvalidTag:
            raise _fail() from None


# -- PBES2 ---------------------------------------------------------------------------------


def _check_p2c(value: object, limits: Limits) -> int:
    """Validate a ``p2c`` from a header to decrypt: a positive int within ``limits.max_p2c``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidHeaderError("header parameter 'p2c' must be an integer")
    if value < 1:
        raise InvalidHeaderError("header parameter 'p2c' must be positive")
    if value > limits.max_p2c:
        raise LimitExceededError(
            f"PBES2 iteration count p2c={value} is above the limit of {limits.max_p2c}; "
            "raise Limits.max_p2c only if you trust the sender"
        )
    return value


@dataclass(frozen=True, slots=True)
class _Pbes2(KeyManagement):
    name: str
    description: str
    sha: int
    size: int

    family: ClassVar[str] = "key wrapping with PBES2"
    key_types: ClassVar[frozenset[str]] = frozenset({"oct"})
    accepts_password: ClassVar[bool] = True
    encrypt_op: ClassVar[str] = "wrapKey"
    decrypt_op: ClassVar[str] = "unwrapKey"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        return  # any non-empty password (an empty 'oct' key cannot be imported)

    def _kek(self, password: bytes, salt: bytes, count: int) -> bytes:
        kdf = PBKDF2HMAC(
            _HASHES[self.sha](), self.size, self.name.encode("ascii") + b"\x00" + salt, count
        )
        return kdf.derive(password)

    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        assert cek is not None
        count = params.get("p2c", limits.default_p2c)
        if not isinstance(count, int) or isinstance(count, bool):
            raise InvalidHeaderError("header parameter 'p2c' must be an integer")
        if count < limits.min_p2c:
            raise InvalidHeaderError(
                f"PBES2 iteration count p2c={count} is below the minimum of {limits.min_p2c}"
            )
        if count > limits.max_p2c:
            raise InvalidHeaderError(
                f"PBES2 iteration count p2c={count} is above Limits.max_p2c={limits.max_p2c}: "
                "recipients would refuse the token"
            )
        salt = pinned.get("p2s") or os.urandom(_SALT_SIZE)
        kek = self._kek(key.crypto_key, salt, count)
        return cek, aes_key_wrap(kek, cek), {"p2s": b64e_str(salt), "p2c": count}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        # Both parameters are checked before any key derivation.
        if "p2c" not in header:
            raise InvalidHeaderError(f"alg {self.name} needs a 'p2c' header parameter")
        count = _check_p2c(header["p2c"], limits)
        salt = _header_bytes(header, "p2s")
        if len(salt) < _MIN_SALT:
            raise InvalidHeaderError(f"header parameter 'p2s' must be at least {_MIN_SALT} bytes")
        if len(encrypted_key) != enc.key_size + 8:
            raise _fail()
        return _unwrap(self._kek(key.crypto_key, salt, count), encrypted_key, enc)


# -- ECDH-ES -------------------------------------------------------------------------------


def _length_prefixed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _public_from_epk(epk: object, key: Key) -> Any:
    """Parse the ``epk`` header: a public JWK on the recipient's own curve."""
    if not isinstance(epk, dict):
        raise InvalidHeaderError("ECDH-ES needs an 'epk' header parameter: a public JWK")
    if epk.get("kty") != key.kty or epk.get("crv") != key.crv:
        raise InvalidHeaderError(
            f"the 'epk' must be a {key.kty} key on {key.crv}, the recipient key's curve"
        )
    if "d" in epk:
        raise InvalidHeaderError("the 'epk' must be a public key")
    x = epk.get("x")
    if not isinstance(x, str):
        raise InvalidHeaderError("the 'epk' has no 'x' string")
    try:
        xb = b64d(x, "epk 'x'")
        if key.kty == "EC":
            curve = EC_CURVES[key.crv or ""]
            y = epk.get("y")
            if not isinstance(y, str):
                raise InvalidHeaderError("the 'epk' has no 'y' string")
            yb = b64d(y, "epk 'y'")
            if len(xb) != curve.size or len(yb) != curve.size:
                raise InvalidHeaderError(f"the 'epk' coordinates must be {curve.size} bytes")
            # from_encoded_point checks that the point is on the curve (and so not the
            # point at infinity, which has no affine coordinates).
            return ec.EllipticCurvePublicKey.from_encoded_point(curve.curve(), b"\x04" + xb + yb)
        okp = OKP_CURVES[key.crv or ""]
        if len(xb) != okp.size:
            raise InvalidHeaderError(f"the 'epk' 'x' must be {okp.size} bytes")
        return okp.public_cls.from_public_bytes(xb)
    except MalformedError as exc:
        raise InvalidHeaderError(f"the 'epk' is malformed: {exc}") from None
    except ValueError:
        raise InvalidHeaderError(f"the 'epk' is not a valid point on {key.crv}") from None


def _exchange(private: Any, public: Any) -> bytes:
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return private.exchange(ec.ECDH(), public)
    return bytes(private.exchange(public))  # X25519/X448: ValueError on an all-zero result


def ecdh_shared_secret(key: Key, epk: Mapping[str, Any]) -> bytes:
    """The ECDH shared secret Z of a private ``key`` and a peer's public JWK ``epk``.

    The peer must be a valid public key on the same curve as ``key``. An all-zero X25519/X448
    result (a small-order peer) raises :class:`DecryptionError`.
    """
    if key.kty not in ("EC", "OKP") or not key.is_private:
        raise InvalidKeyError("ECDH needs a private EC or OKP key")
    peer = _public_from_epk(dict(epk), key)
    try:
        return _exchange(key.crypto_key, peer)
    except ValueError:
        raise _fail() from None


def _epk_jwk(private: Any) -> dict[str, Any]:
    public = private.public_key()
    if isinstance(private, ec.EllipticCurvePrivateKey):
        curve = next(c for c in EC_CURVES.values() if isinstance(private.curve, c.curve))
        numbers = public.public_numbers()
        return {
            "kty": "EC",
            "crv": curve.name,
            "x": b64e_str(numbers.x.to_bytes(curve.size, "big")),
            "y": b64e_str(numbers.y.to_bytes(curve.size, "big")),
        }
    okp = next(c for c in OKP_CURVES.values() if isinstance(private, c.private_cls))
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": okp.name, "x": b64e_str(raw)}


@dataclass(frozen=True, slots=True)
class _EcdhEs(KeyManagement):
    name: str
    description: str
    wrap_size: int | None  # None: the derived key is the CEK

    family: ClassVar[str] = "key agreement"
    key_types: ClassVar[frozenset[str]] = frozenset({"EC", "OKP"})
    direct: ClassVar[bool] = True
    encrypt_op: ClassVar[str] = "deriveKey"
    decrypt_op: ClassVar[str] = "deriveKey"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        curves = _ECDH_EC_CURVES if key.kty == "EC" else _ECDH_OKP_CURVES
        if key.crv not in curves:
            raise InvalidKeyError(
                f"alg {self.name} needs a key on {', '.join(sorted(_ECDH_EC_CURVES))}, "
                f"X25519 or X448, not {key.crv}"
            )

    def _derive(self, z: bytes, enc: ContentEncryption, header: Mapping[str, Any]) -> bytes:
        apu = _header_bytes(header, "apu", required=False)
        apv = _header_bytes(header, "apv", required=False)
        if self.wrap_size is None:
            algorithm_id, size = enc.name, enc.key_size
        else:
            algorithm_id, size = self.name, self.wrap_size
        other_info = (
            _length_prefixed(algorithm_id.encode("ascii"))
            + _length_prefixed(apu)
            + _length_prefixed(apv)
            + (size * 8).to_bytes(4, "big")
        )
        return ConcatKDFHash(hashes.SHA256(), size, other_info).derive(z)

    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        recipient = key.public_crypto_key
        ephemeral = pinned.get("epk")
        if isinstance(ephemeral, Key):
            ephemeral = ephemeral.crypto_key
        if ephemeral is None:
            if key.kty == "EC":
                ephemeral = ec.generate_private_key(EC_CURVES[key.crv or ""].curve())
            else:
                ephemeral = OKP_CURVES[key.crv or ""].private_cls.generate()
        try:
            z = _exchange(ephemeral, recipient)
        except ValueError:
            raise InvalidKeyError(f"recipient key {_label(key)} is not usable for ECDH") from None
        header = {"epk": _epk_jwk(ephemeral)}
        derived = self._derive(z, enc, params)
        if self.wrap_size is None:
            return derived, b"", header
        assert cek is not None
        return cek, aes_key_wrap(derived, cek), header

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        peer = _public_from_epk(header.get("epk"), key)
        try:
            z = _exchange(key.crypto_key, peer)
        except ValueError:
            raise _fail() from None
        derived = self._derive(z, enc, header)
        if self.wrap_size is None:
            if encrypted_key:
                raise _fail()
            return derived
        return _unwrap(derived, encrypted_key, enc)


@dataclass(frozen=True, slots=True)
class _EcdhEsKeyWrap(_EcdhEs):
    """ECDH-ES+A*KW: the same agreement, the derived key wraps a random CEK."""

    family: ClassVar[str] = "key agreement with key wrapping"
    direct: ClassVar[bool] = False


def _hpke_rows() -> tuple[KeyManagement, ...]:
    from .hpke import hpke_rows  # its rows subclass KeyManagement, defined above

    return hpke_rows()


KEY_MANAGEMENT: Registry[KeyManagement] = Registry(
    "JWE key management",
    [
        _RsaEncryption("RSA1_5", "RSAES-PKCS1-v1_5", padding.PKCS1v15()),
        _oaep("RSA-OAEP", None),
        _oaep("RSA-OAEP-256", 256),
        _oaep("RSA-OAEP-384", 384),
        _oaep("RSA-OAEP-512", 512),
        _AesKeyWrap("A128KW", "AES Key Wrap using 128-bit key", 16),
        _AesKeyWrap("A192KW", "AES Key Wrap using 192-bit key", 24),
        _AesKeyWrap("A256KW", "AES Key Wrap using 256-bit key", 32),
        _Direct("dir", "Direct use of a shared symmetric key as the CEK"),
        _EcdhEs("ECDH-ES", "ECDH-ES using Concat KDF", None),
        _EcdhEsKeyWrap("ECDH-ES+A128KW", "ECDH-ES using Concat KDF, CEK wrapped with A128KW", 16),
        _EcdhEsKeyWrap("ECDH-ES+A192KW", "ECDH-ES using Concat KDF, CEK wrapped with A192KW", 24),
        _EcdhEsKeyWrap("ECDH-ES+A256KW", "ECDH-ES using Concat KDF, CEK wrapped with A256KW", 32),
        _AesGcmKeyWrap("A128GCMKW", "Key wrapping with AES GCM using 128-bit key", 16),
        _AesGcmKeyWrap("A192GCMKW", "Key wrapping with AES GCM using 192-bit key", 24),
        _AesGcmKeyWrap("A256GCMKW", "Key wrapping with AES GCM using 256-bit key", 32),
        _Pbes2("PBES2-HS256+A128KW", "PBES2 with HMAC SHA-256 and A128KW wrapping", 256, 16),
        _Pbes2("PBES2-HS384+A192KW", "PBES2 with HMAC SHA-384 and A192KW wrapping", 384, 24),
        _Pbes2("PBES2-HS512+A256KW", "PBES2 with HMAC SHA-512 and A256KW wrapping", 512, 32),
        *_hpke_rows(),
    ],
    opt_in={"RSA1_5", "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"},
)
"""Every JWE key management ``alg`` josekit implements, by name."""
