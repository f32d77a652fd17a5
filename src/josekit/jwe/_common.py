"""What the compact and JSON serializations share: results, headers, keys, compression."""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from .._b64 import b64e_str
from .._header import JWE_REGISTERED, check_crit, check_kid
from .._redact import redacted
from ..algorithms._registry import fits
from ..algorithms.content import CONTENT_ENCRYPTION, DECRYPTION_FAILED, ContentEncryption
from ..algorithms.key_management import KEY_MANAGEMENT, KeyManagement
from ..errors import (
    DecryptionError,
    InvalidHeaderError,
    InvalidKeyError,
    LimitExceededError,
    MalformedError,
    UnsupportedAlgorithmError,
)
from ..jwk import Key, KeyResolver, fitting_keys
from ..policy import Limits

__all__ = [
    "DecryptedJWE",
    "KeySource",
    "Plaintext",
    "Recipient",
    "allowed_encryptions",
    "as_key",
    "check_header",
    "deflate",
    "open_content",
    "place",
    "plaintext_bytes",
    "refuse_generated",
]

Plaintext = Union[bytes, str]
KeySource = Union[Key, KeyResolver, str, bytes]
"""A key, a key set or resolver, or (for PBES2 only) a password as ``str`` or ``bytes``."""

GENERATED = ("epk", "iv", "tag", "p2s")
"""Header parameters josekit computes while encrypting; a caller never sets them."""


@dataclass(frozen=True, slots=True, repr=False)
class DecryptedJWE:
    """The result of a successful decryption.

    Attributes:
        plaintext: the decrypted (and, with ``zip: DEF``, decompressed) content.
        header: every header parameter that applied to the recipient that decrypted:
            protected, shared unprotected and per-recipient ones.
        key: the key that decrypted it (a PBES2 password comes back as an ``oct`` key).
        protected_header: the integrity-protected part of ``header``.
        aad: the JSON serialization's additional authenticated data, if any.

    ``repr()`` and ``str()`` show the header, the key and the plaintext's size, never its
    bytes.
    """

    plaintext: bytes
    header: dict[str, Any]
    key: Key
    protected_header: dict[str, Any] = field(default_factory=dict)
    aad: bytes | None = None

    def __repr__(self) -> str:
        return redacted(self, ("header", "key", "plaintext", "aad"))

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Recipient:
    """One recipient for :func:`josekit.jwe.encrypt_json`.

    ``key`` is the recipient's key (its public key for RSA and ECDH; a password ``str`` or
    ``bytes`` is accepted for PBES2), ``alg`` the key management algorithm, and ``header``
    per-recipient unprotected header parameters (``alg`` and the key's ``kid`` are added).
    """

    key: Key | str | bytes
    alg: str
    header: Mapping[str, Any] | None = None


_ANY_ENC = CONTENT_ENCRYPTION.table["A256GCM"]


def plaintext_bytes(plaintext: Plaintext) -> bytes:
    """The plaintext as bytes (``str`` is UTF-8 encoded)."""
    if type(plaintext) is bytes:
        return plaintext
    if isinstance(plaintext, str):
        return plaintext.encode("utf-8")
    if isinstance(plaintext, (bytes, bytearray, memoryview)):
        return bytes(plaintext)
    raise MalformedError(f"plaintext must be bytes or str, not {type(plaintext).__name__}")


_EVERY_ENCRYPTION = frozenset(CONTENT_ENCRYPTION)


def allowed_encryptions(encryptions: Iterable[str] | None) -> frozenset[str]:
    """The caller's ``encryptions`` list; None means every ``enc`` josekit implements."""
    if encryptions is None:
        return _EVERY_ENCRYPTION
    return CONTENT_ENCRYPTION.allow_list(encryptions, "encryptions")


def _password_key(password: str | bytes | bytearray) -> Key:
    raw = password.encode("utf-8") if isinstance(password, str) else bytes(password)
    if not raw:
        raise InvalidKeyError("the PBES2 password is empty")
    return Key.import_key({"kty": "oct", "k": b64e_str(raw)})


def as_key(key: object, km: KeyManagement) -> Key:
    """A :class:`Key`, or a PBES2 password turned into an ``oct`` key."""
    if isinstance(key, Key):
        return key
    if isinstance(key, (str, bytes, bytearray)):
        if not km.accepts_password:
            raise InvalidKeyError(
                f"alg {km.name} needs a josekit Key: Key.from_secret(secret, alg={km.name!r}) "
                "for a shared secret, Key.import_key(...) for a JWK, PEM or DER key; a str or "
                "bytes is taken as a password only by the PBES2 algorithms"
            )
        return _password_key(key)
    raise InvalidKeyError(
        f"expected a josekit Key, not {type(key).__name__}; import it with Key.import_key(...)"
    )


def refuse_generated(header: Mapping[str, Any] | None, pinned: Mapping[str, Any]) -> None:
    """Refuse caller-set parameters that josekit must compute (``epk``, ``iv``, ``p2s``...)."""
    if not header:
        return
    for name in GENERATED:
        if name in header and not pinned:
            raise InvalidHeaderError(
                f"header parameter {name!r} is computed while encrypting: do not set it"
            )


def place(target: dict[str, Any], name: str, value: Any) -> None:
    """Set ``target[name]``, or check that the value already there is the same."""
    if name in target:
        if target[name] != value:
            raise InvalidHeaderError(
                f"header parameter {name!r} is {target[name]!r}, which contradicts {value!r}"
            )
    else:
        target[name] = value


def check_header(
    protected: Mapping[str, Any],
    merged: Mapping[str, Any],
    allowed: frozenset[str],
    allowed_enc: frozenset[str],
    crit: Iterable[str],
    limits: Limits,
) -> tuple[KeyManagement, ContentEncryption]:
    """Validate a JWE header to decrypt; return its allowed ``alg`` and ``enc`` rows."""
    alg = merged.get("alg")
    if alg is None:
        raise InvalidHeaderError("the JWE header has no 'alg' (or it is null)")
    km = KEY_MANAGEMENT.check_allowed(alg, allowed)
    if km.integrated:
        raise InvalidHeaderError(
            f"a JWE using HPKE Integrated Encryption ({km.name}) must not have 'enc'"
        )
    enc = merged.get("enc")
    if enc is None:
        raise InvalidHeaderError("the JWE header has no 'enc' (or it is null)")
    ce = CONTENT_ENCRYPTION.check_allowed(enc, allowed_enc)
    if "zip" in merged:
        if "zip" not in protected:
            raise InvalidHeaderError("'zip' must be in the protected header")
        if protected["zip"] != "DEF":
            raise UnsupportedAlgorithmError(
                f"compression {protected['zip']!r} is not supported (only 'DEF')"
            )
    if "crit" in merged:
        check_crit(protected, merged, crit, JWE_REGISTERED)
    if "kid" in merged:
        check_kid(merged, limits)
    return km, ce


def deflate(data: bytes) -> bytes:
    """Raw DEFLATE (RFC 1951), as ``zip: DEF`` asks."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _inflate(data: bytes, limits: Limits) -> bytes:
    """Raw INFLATE with a hard cap on the output, enforced while decompressing."""
    cap = limits.max_inflated_size
    if cap <= 0:
        raise LimitExceededError("compressed JWEs are refused (Limits.max_inflated_size is 0)")
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, cap + 1)
    except zlib.error:
        raise DecryptionError(DECRYPTION_FAILED) from None
    if len(out) > cap or inflater.unconsumed_tail:
        raise LimitExceededError(
            f"the decompressed plaintext is larger than the limit of {cap} bytes"
        )
    if not inflater.eof or inflater.unused_data:
        raise DecryptionError(DECRYPTION_FAILED)
    return out


def _decrypt_with(
    km: KeyManagement,
    ce: ContentEncryption,
    key: Key,
    header: Mapping[str, Any],
    encrypted_key: bytes,
    iv: bytes,
    ciphertext: bytes,
    tag: bytes,
    aad: bytes,
    limits: Limits,
) -> bytes:
    cek = km.unwrap(key, encrypted_key, header, ce, limits)
    return ce.decrypt(cek, iv, ciphertext, tag, aad, km.cipher(key, ce))


def open_content(
    km: KeyManagement,
    ce: ContentEncryption,
    source: KeySource,
    header: Mapping[str, Any],
    encrypted_key: bytes,
    iv: bytes,
    ciphertext: bytes,
    tag: bytes,
    aad: bytes,
    limits: Limits,
    *,
    allowed: Collection[str],
) -> tuple[Key, bytes]:
    """Recover the CEK with a key from ``source``, decrypt and inflate; return key, plaintext.

    A key without ``alg`` must fit exactly one of the ``allowed`` algorithms."""
    if isinstance(source, Key):
        check_decrypt_key(km, source, ce, allowed)
        used = source
        cek = km.unwrap(source, encrypted_key, header, ce, limits)
        plaintext = ce.decrypt(cek, iv, ciphertext, tag, aad, km.cipher(source, ce))
    elif isinstance(source, (str, bytes, bytearray)):
        used = as_key(source, km)
        km.check_key(used, "decrypt", ce)
        plaintext = _decrypt_with(
            km, ce, used, header, encrypted_key, iv, ciphertext, tag, aad, limits
        )
    else:
        fitting = fitting_keys(
            source,
            header,
            "decrypt",
            lambda key: check_decrypt_key(km, key, ce, allowed, header),
            f"decrypt alg {km.name}",
        )
        for candidate in fitting:
            try:
                plaintext = _decrypt_with(
                    km, ce, candidate, header, encrypted_key, iv, ciphertext, tag, aad, limits
                )
            except DecryptionError:
                continue
            used = candidate
            break
        else:
            raise DecryptionError(DECRYPTION_FAILED)
    if "zip" in header:
        plaintext = _inflate(plaintext, limits)
    return used, plaintext


def check_decrypt_key(
    km: KeyManagement,
    key: Key,
    ce: ContentEncryption | None,
    allowed: Collection[str],
    header: Mapping[str, Any] | None = None,
) -> None:
    """``km``'s key check for decrypting (``ce`` None: Integrated Encryption), and one
    allowed algorithm for a key without ``alg`` (draft-ietf-oauth-rfc8725bis §3.1).

    Raises:
        InvalidKeyError: the key does not fit ``km``.
        AlgorithmNotAllowedError: the key has no ``alg`` and other allowed algorithms fit it.
    """
    if header is not None:  # a key set's candidate: does the header rule it out?
        km.check_header_key(key, header)
    _key_fits(km, key, ce)
    if key.alg is None and len(allowed) > 1:
        KEY_MANAGEMENT.check_one_algorithm(
            key, km.name, allowed, lambda other: fits(_key_fits, other, key, ce)
        )


def _key_fits(km: KeyManagement, key: Key, ce: ContentEncryption | None) -> None:
    if km.integrated:
        km.check_integrated_key(key, "decrypt")  # type: ignore[attr-defined]
    else:
        # Another algorithm than the token's, for an Integrated Encryption token: fitting
        # it with any content encryption is enough.
        km.check_key(key, "decrypt", ce or _ANY_ENC)
