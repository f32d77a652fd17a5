"""HPKE for JWE: Integrated Encryption and Key Encryption rows of the key management table.

Specifications followed (the drafts are not final):

* draft-ietf-jose-hpke-encrypt-20 (15 June 2026): ``HPKE-0`` .. ``HPKE-7`` (Integrated
  Encryption, §5) and ``HPKE-0-KE`` .. ``HPKE-7-KE`` (Key Encryption, §6), the ``ek`` and
  ``psk_id`` header parameters, the ``Recipient_structure`` info (§6.1) and the HPKE ``aad`` of
  Integrated Encryption (§7.1 step 15). Revisions -21 and -22 (6 July 2026) exist; nothing
  here has changed for them yet.
* draft-ietf-jose-hpke-pq-pqt-00 (8 June 2026): the post-quantum and PQ/T hybrid suites
  ``HPKE-8`` .. ``HPKE-10``, ``HPKE-12`` and ``HPKE-13`` and their ``-KE`` forms (§3), whose keys
  are AKP JWKs (§4, see :mod:`josekit.jwk._akp`). Every one of them uses the SHAKE256 KDF and
  the AES-256-GCM AEAD; the gaps in the numbering are the draft's (§6: an ``n`` names the same
  KEM, KDF and AEAD in JOSE and COSE). The individual draft-skokan-jose-hpke-pq-pqt-03 and
  earlier numbered ten suites ``HPKE-8`` .. ``HPKE-17``, half of them with ChaCha20Poly1305;
  -04 dropped those and renumbered the rest, and josekit follows.

Every HPKE operation is pyca/cryptography's :class:`~cryptography.hazmat.primitives.hpke.Suite`
single-shot API, in mode_base. What that API does not offer is refused with
:class:`~josekit.errors.UnsupportedAlgorithmError` naming the missing piece, before any
cryptography runs:

* KEMs cryptography (50 and 51) does not implement: ``DHKEM(X448, HKDF-SHA512)`` (``HPKE-5``,
  ``HPKE-6``) and ``MLKEM768-P256`` (``HPKE-8``).
* HPKE ``mode_psk`` (a ``psk_id`` header): ``Suite`` has no ``psk``/``psk_id`` inputs.
* Integrated Encryption needs the HPKE ``aad`` input, which the public ``Suite`` API lacks;
  cryptography 50 and 51 have it as ``hpke._encrypt_with_aad``/``_decrypt_with_aad`` of its Rust
  bindings, which josekit uses when present and otherwise refuses Integrated Encryption.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography.exceptions import InvalidTag

from .._b64 import b64d, b64e_str
from ..errors import (
    DecryptionError,
    InvalidHeaderError,
    InvalidKeyError,
    MalformedError,
    UnsupportedAlgorithmError,
)
from ..jwk import Key
from ..jwk._secret import not_a_key_message
from ..policy import Limits
from .content import DECRYPTION_FAILED, ContentEncryption
from .key_management._base import KeyManagement, Wrapped, key_label

try:  # HPKE arrived in pyca/cryptography 50.
    from cryptography.hazmat.bindings._rust import openssl as _rust
    from cryptography.hazmat.primitives import hpke as _hpke
except ImportError:  # pragma: no cover - depends on the installed cryptography
    _hpke = None  # type: ignore[assignment]
    _rust = None  # type: ignore[assignment]

__all__ = ["HPKE_SUITES", "HpkeSuite", "hpke_rows", "recipient_structure"]

_RECIPIENT_LABEL = b"JOSE-HPKE rcpt"


def _member(enum_name: str, member: str) -> Any:
    """The cryptography HPKE enum member, or None when this release does not have it."""
    enum = getattr(_hpke, enum_name, None) if _hpke is not None else None
    return getattr(enum, member, None) if enum is not None else None


def _aad_functions() -> tuple[Any, Any] | None:
    module = getattr(_rust, "hpke", None) if _rust is not None else None
    seal = getattr(module, "_encrypt_with_aad", None)
    open_ = getattr(module, "_decrypt_with_aad", None)
    return (seal, open_) if seal is not None and open_ is not None else None


_WITH_AAD = _aad_functions()


@dataclass(frozen=True, slots=True)
class HpkeSuite:
    """One HPKE ciphersuite of the JOSE drafts: its KEM, KDF and AEAD, and the key it takes.

    Attributes:
        number: the ``n`` of ``HPKE-n`` / ``HPKE-n-KE``.
        kem, kdf, aead: the names the drafts give (e.g. ``"DHKEM(P-256, HKDF-SHA256)"``).
        kty, crv: the JWK key type and curve (``crv`` is None for AKP keys).
        enc_size: bytes of the encapsulated secret (``ek``), 0 if the KEM is unavailable.
    """

    number: int
    kem: str
    kdf: str
    aead: str
    kty: str
    crv: str | None
    _kem: Any
    _kdf: Any
    _aead: Any
    _impl: Any  # the cryptography Suite, None if a part is missing

    @property
    def enc_size(self) -> int:
        """Bytes of this suite's encapsulated secret (0 if the KEM is unavailable)."""
        return int(self._kem.enc_length()) if self._kem is not None else 0

    def missing(self) -> str | None:
        """What pyca/cryptography lacks to run this suite, or None if it has everything."""
        absent = [
            f"the {kind} {name}"
            for kind, name, impl in (
                ("KEM", self.kem, self._kem),
                ("KDF", self.kdf, self._kdf),
                ("AEAD", self.aead, self._aead),
            )
            if impl is None
        ]
        return " and ".join(absent) if absent else None

    def require(self, alg: str) -> None:
        """Raise :class:`UnsupportedAlgorithmError` if cryptography cannot run this suite."""
        missing = self.missing()
        if missing is not None:
            raise UnsupportedAlgorithmError(
                f"alg {alg} needs {missing}, which the installed pyca/cryptography "
                "HPKE implementation does not provide"
            )

    def seal(self, public: Any, plaintext: bytes, info: bytes, aad: bytes) -> tuple[bytes, bytes]:
        """HPKE single-shot seal in mode_base; return ``(enc, ciphertext)``."""
        with_aad = _WITH_AAD
        if aad and with_aad is None:  # pragma: no cover - depends on the installed cryptography
            raise UnsupportedAlgorithmError(
                "HPKE with additional authenticated data is not offered by the installed "
                "pyca/cryptography (its HPKE Suite has no aad input)"
            )
        try:
            if aad and with_aad is not None:
                sealed = with_aad[0](self._impl, plaintext, public, info=info, aad=aad)
            else:
                sealed = self._impl.encrypt(plaintext, public, info=info)
        except ValueError:
            # X25519/X448: a low-order point makes the shared secret all zeros.
            raise InvalidKeyError(
                "the recipient's public key cannot be encrypted to: the key agreement with it "
                "gives no secret (a low-order point); ask the recipient for a valid key"
            ) from None
        size = self.enc_size
        return bytes(sealed[:size]), bytes(sealed[size:])

    def open(self, private: Any, enc: bytes, ciphertext: bytes, info: bytes, aad: bytes) -> bytes:
        """HPKE single-shot open in mode_base; any failure is one :class:`DecryptionError`."""
        if len(enc) != self.enc_size:
            raise DecryptionError(DECRYPTION_FAILED)
        try:
            if aad:
                if _WITH_AAD is None:  # pragma: no cover - depends on cryptography
                    raise DecryptionError(DECRYPTION_FAILED)
                return bytes(_WITH_AAD[1](self._impl, enc + ciphertext, private, info, aad))
            return bytes(self._impl.decrypt(enc + ciphertext, private, info=info))
        except (InvalidTag, ValueError, TypeError):
            raise DecryptionError(DECRYPTION_FAILED) from None


def _suite(
    number: int, kem: tuple[str, str], kdf: tuple[str, str], aead: tuple[str, str], key: str
) -> HpkeSuite:
    kty, _, crv = key.partition(" ")
    parts = (_member("KEM", kem[1]), _member("KDF", kdf[1]), _member("AEAD", aead[1]))
    impl = _hpke.Suite(*parts) if None not in parts else None
    return HpkeSuite(number, kem[0], kdf[0], aead[0], kty, crv or None, *parts, impl)


_P256 = ("DHKEM(P-256, HKDF-SHA256)", "P256")
_P384 = ("DHKEM(P-384, HKDF-SHA384)", "P384")
_P521 = ("DHKEM(P-521, HKDF-SHA512)", "P521")
_X25519 = ("DHKEM(X25519, HKDF-SHA256)", "X25519")
_X448 = ("DHKEM(X448, HKDF-SHA512)", "X448")
_MLKEM768_P256 = ("MLKEM768-P256", "MLKEM768_P256")
_MLKEM768_X25519 = ("MLKEM768-X25519", "MLKEM768_X25519")
_MLKEM1024_P384 = ("MLKEM1024-P384", "MLKEM1024_P384")
_MLKEM768 = ("ML-KEM-768", "MLKEM768")
_MLKEM1024 = ("ML-KEM-1024", "MLKEM1024")
_SHA256 = ("HKDF-SHA256", "HKDF_SHA256")
_SHA384 = ("HKDF-SHA384", "HKDF_SHA384")
_SHA512 = ("HKDF-SHA512", "HKDF_SHA512")
_SHAKE256 = ("SHAKE256", "SHAKE256")
_A128GCM = ("AES-128-GCM", "AES_128_GCM")
_A256GCM = ("AES-256-GCM", "AES_256_GCM")
_CHACHA = ("ChaCha20Poly1305", "CHACHA20_POLY1305")

HPKE_SUITES: Mapping[int, HpkeSuite] = {
    s.number: s
    for s in (
        # draft-ietf-jose-hpke-encrypt-20, Tables 1-3
        _suite(0, _P256, _SHA256, _A128GCM, "EC P-256"),
        _suite(1, _P384, _SHA384, _A256GCM, "EC P-384"),
        _suite(2, _P521, _SHA512, _A256GCM, "EC P-521"),
        _suite(3, _X25519, _SHA256, _A128GCM, "OKP X25519"),
        _suite(4, _X25519, _SHA256, _CHACHA, "OKP X25519"),
        _suite(5, _X448, _SHA512, _A256GCM, "OKP X448"),
        _suite(6, _X448, _SHA512, _CHACHA, "OKP X448"),
        _suite(7, _P256, _SHA256, _A256GCM, "EC P-256"),
        # draft-ietf-jose-hpke-pq-pqt-00, Tables 1-4 (AKP keys; 11 is not a JOSE suite)
        _suite(8, _MLKEM768_P256, _SHAKE256, _A256GCM, "AKP"),
        _suite(9, _MLKEM768_X25519, _SHAKE256, _A256GCM, "AKP"),
        _suite(10, _MLKEM1024_P384, _SHAKE256, _A256GCM, "AKP"),
        _suite(12, _MLKEM768, _SHAKE256, _A256GCM, "AKP"),
        _suite(13, _MLKEM1024, _SHAKE256, _A256GCM, "AKP"),
    )
}
"""The HPKE ciphersuites of the JOSE drafts, by their number ``n`` in ``HPKE-n``."""


def recipient_structure(enc: str, extra_info: bytes = b"") -> bytes:
    """The HPKE ``info`` of Key Encryption (draft-ietf-jose-hpke-encrypt-20 §6.1)."""
    return _RECIPIENT_LABEL + b"\xff" + enc.encode("ascii") + b"\xff" + extra_info


def refuse_psk(header: Mapping[str, Any]) -> None:
    """Refuse HPKE ``mode_psk``: a ``psk_id`` header parameter (draft §4)."""
    if "psk_id" in header:
        raise UnsupportedAlgorithmError(
            "HPKE mode_psk ('psk_id' header parameter) is not supported: the HPKE Suite of "
            "pyca/cryptography offers mode_base only (it has no psk or psk_id input)"
        )


class _HpkeKeys:
    """What both HPKE families check of a key: the suite's key type and curve."""

    __slots__ = ()

    name: str
    suite: HpkeSuite

    def _check_suite_key(self, key: Key) -> None:
        self.suite.require(self.name)
        wanted = self.suite.kty + (f" key on {self.suite.crv}" if self.suite.crv else " key")
        if key.kty != self.suite.kty or (self.suite.crv is not None and key.crv != self.suite.crv):
            got = key.kty + (f" on {key.crv}" if key.crv else "")
            raise InvalidKeyError(f"alg {self.name} needs an {wanted}, not {got}")
        if key.kty == "AKP" and key.alg != self.name:
            raise InvalidKeyError(
                f"AKP key {key_label(key)} is for alg {key.alg!r}: alg {self.name} needs a key "
                f"with alg {self.name!r} (AKP keys are bound to one algorithm)"
            )


@dataclass(frozen=True, slots=True)
class _HpkeKeyEncryption(_HpkeKeys, KeyManagement):
    """``HPKE-n-KE``: HPKE seals the content encryption key (draft §6)."""

    name: str
    description: str
    suite: HpkeSuite

    family: ClassVar[str] = "HPKE key encryption"
    key_types: ClassVar[frozenset[str]] = frozenset({"EC", "OKP", "AKP"})
    encrypt_op: ClassVar[str] = "encrypt"
    decrypt_op: ClassVar[str] = "decrypt"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        self._check_suite_key(key)

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
        refuse_psk(params)
        if "ek" in params:
            raise InvalidHeaderError("header parameter 'ek' is computed while encrypting")
        ek, sealed = self.suite.seal(key.public_crypto_key, cek, recipient_structure(enc.name), b"")
        return cek, sealed, {"ek": b64e_str(ek)}

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        refuse_psk(header)
        value = header.get("ek")
        if not isinstance(value, str):
            raise InvalidHeaderError(f"alg {self.name} needs an 'ek' header parameter (string)")
        try:
            ek = b64d(value, "header parameter 'ek'")
        except MalformedError:
            raise DecryptionError(DECRYPTION_FAILED) from None
        cek = self.suite.open(key.crypto_key, ek, encrypted_key, recipient_structure(enc.name), b"")
        if len(cek) != enc.key_size:
            raise DecryptionError(DECRYPTION_FAILED)
        return cek


@dataclass(frozen=True, slots=True)
class HpkeIntegrated(_HpkeKeys, KeyManagement):
    """``HPKE-n``: HPKE encrypts the plaintext itself; no ``enc``, no CEK (draft §5).

    The JWE Encrypted Key is the encapsulated secret, the IV and tag are empty, and the HPKE
    ``aad`` is the JWE AAD encryption parameter (``BASE64URL(protected)`` [``.`` aad]).
    """

    name: str
    description: str
    suite: HpkeSuite

    family: ClassVar[str] = "HPKE integrated encryption"
    key_types: ClassVar[frozenset[str]] = frozenset({"EC", "OKP", "AKP"})
    direct: ClassVar[bool] = True
    integrated: ClassVar[bool] = True
    encrypt_op: ClassVar[str] = "encrypt"
    decrypt_op: ClassVar[str] = "decrypt"

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        self._check_suite_key(key)

    def check_integrated_key(self, key: Key, operation: str) -> None:
        """:meth:`KeyManagement.check_key` for Integrated Encryption, which has no ``enc``."""
        if not isinstance(key, Key):
            raise InvalidKeyError(not_a_key_message(key))
        self._check_suite_key(key)
        decrypting = operation == "decrypt"
        if decrypting and not key.is_private:
            raise InvalidKeyError(f"decrypting with {self.name} needs the private key")
        key.check_usage(self.decrypt_op if decrypting else self.encrypt_op, self.name)

    def seal(
        self, key: Key, plaintext: bytes, aad: bytes, info: bytes = b""
    ) -> tuple[bytes, bytes]:
        """Encrypt ``plaintext`` to ``key``; return ``(encapsulated secret, ciphertext)``."""
        return self.suite.seal(key.public_crypto_key, plaintext, info, aad)

    def open(self, key: Key, ek: bytes, ciphertext: bytes, aad: bytes, info: bytes = b"") -> bytes:
        """Decrypt; any failure is one :class:`DecryptionError`."""
        return self.suite.open(key.crypto_key, ek, ciphertext, info, aad)

    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        raise InvalidHeaderError(
            f"alg {self.name} is Integrated Encryption: it has no 'enc' and no content key "
            "(pass enc=None, one recipient)"
        )

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        raise InvalidHeaderError(
            f"alg {self.name} is Integrated Encryption: a JWE using it must not have an 'enc'"
        )


def _description(mode: str, suite: HpkeSuite) -> str:
    return f"{mode} with HPKE using {suite.kem} KEM, {suite.kdf} KDF and {suite.aead} AEAD"


def hpke_rows() -> tuple[KeyManagement, ...]:
    """The ``HPKE-n`` and ``HPKE-n-KE`` rows of the JWE key management table."""
    rows: list[KeyManagement] = []
    for n, suite in HPKE_SUITES.items():
        rows.append(
            HpkeIntegrated(f"HPKE-{n}", _description("Integrated Encryption", suite), suite)
        )
        rows.append(
            _HpkeKeyEncryption(f"HPKE-{n}-KE", _description("Key Encryption", suite), suite)
        )
    return tuple(rows)
