"""HPKE Integrated Encryption (draft-ietf-jose-hpke-encrypt-20 §5, §7): ``HPKE-n`` algorithms.

HPKE encrypts the plaintext directly: there is no ``enc`` and no content encryption key, the
JWE Encrypted Key is the HPKE encapsulated secret, the IV and tag are empty, and the HPKE
``aad`` is the JWE AAD encryption parameter (``ASCII(BASE64URL(protected))``, followed by
``'.' || BASE64URL(JWE AAD)`` in the JSON serialization). The compact and JSON entry points of
:mod:`josekit.jwe` hand a JWE whose ``alg`` is such a row to this module; headers, key
resolution, limits and decompression are the same as for every other JWE.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._b64 import b64d, b64e, b64e_str
from .._header import JWE_REGISTERED, check_crit, check_kid, merge_headers
from .._header import unprotected_object as _unprotected_object
from .._json import dumps_bytes
from ..algorithms.content import DECRYPTION_FAILED
from ..algorithms.hpke import HpkeIntegrated, refuse_psk
from ..algorithms.key_management import KEY_MANAGEMENT, KeyManagement
from ..errors import (
    DecryptionError,
    InvalidHeaderError,
    InvalidKeyError,
    LimitExceededError,
    MalformedError,
    UnsupportedAlgorithmError,
)
from ..jwk import Key, fitting_keys
from ..policy import Limits
from ._common import (
    DecryptedJWE,
    KeySource,
    Plaintext,
    Recipient,
    _inflate,
    as_key,
    check_decrypt_key,
    deflate,
    place,
    plaintext_bytes,
    refuse_generated,
)

__all__ = [
    "decrypt_compact",
    "decrypt_json",
    "encrypt_compact",
    "encrypt_json",
    "is_integrated",
    "uses_integrated",
]

_PROTECTED_ONLY = ("zip", "crit")
_NEVER = ("enc", "ek")


def _row(alg: object) -> HpkeIntegrated | None:
    row = KEY_MANAGEMENT.get(alg) if isinstance(alg, str) else None
    return row if isinstance(row, HpkeIntegrated) else None


def is_integrated(alg: object) -> bool:
    """True if ``alg`` names an HPKE Integrated Encryption algorithm (``HPKE-n``)."""
    return _row(alg) is not None


def uses_integrated(*headers: object) -> bool:
    """True if any of these (raw) headers has an Integrated Encryption ``alg``."""
    return any(isinstance(h, Mapping) and is_integrated(h.get("alg")) for h in headers)


def _integrated(km: KeyManagement) -> HpkeIntegrated:
    if not isinstance(km, HpkeIntegrated):  # pragma: no cover - callers checked is_integrated
        raise InvalidHeaderError(f"alg {km.name} is not an Integrated Encryption algorithm")
    return km


def _refuse_enc(enc: object, alg: str) -> None:
    if enc is not None:
        raise InvalidHeaderError(
            f"alg {alg} is HPKE Integrated Encryption: it has no 'enc' (pass enc=None)"
        )


def _check_sender_headers(*headers: Mapping[str, Any]) -> None:
    for header in headers:
        refuse_generated(header, {})
        refuse_psk(header)
        for name in _NEVER:
            if name in header:
                raise InvalidHeaderError(
                    f"header parameter {name!r} must not be set with HPKE Integrated Encryption"
                )


def encrypt_compact(
    plaintext: Plaintext,
    key: KeySource,
    km: KeyManagement,
    enc: str | None,
    header: Mapping[str, Any] | None,
    zip: str | None,
    limits: Limits,
) -> str:
    """Compact JWE with HPKE Integrated Encryption (called by :func:`josekit.jwe.encrypt`)."""
    row = _integrated(km)
    _refuse_enc(enc, row.name)
    data = plaintext_bytes(plaintext)
    recipient = as_key(key, row)
    row.check_integrated_key(recipient, "encrypt")
    protected: dict[str, Any] = dict(header or {})
    _check_sender_headers(protected)
    place(protected, "alg", row.name)
    if recipient.kid is not None and "kid" not in protected:
        protected["kid"] = recipient.kid
    _zip(protected, zip)
    check_crit(protected, protected, protected.get("crit") or (), JWE_REGISTERED)
    h64 = b64e(dumps_bytes(protected))
    ek, ciphertext = row.seal(recipient, deflate(data) if "zip" in protected else data, h64)
    return b".".join((h64, b64e(ek), b"", b64e(ciphertext), b"")).decode("ascii")


def _zip(protected: dict[str, Any], zip: str | None) -> None:
    if zip is not None:
        place(protected, "zip", zip)
    if protected.get("zip", "DEF") != "DEF":
        raise InvalidHeaderError("zip must be 'DEF' (the only compression JWE defines)")


def _check(
    protected: Mapping[str, Any],
    merged: Mapping[str, Any],
    allowed: frozenset[str],
    crit: Iterable[str],
    limits: Limits,
) -> HpkeIntegrated:
    """The recipient's checks of an Integrated Encryption header, before any cryptography."""
    row = _integrated(KEY_MANAGEMENT.check_allowed(merged.get("alg"), allowed))
    if protected.get("alg") != row.name:
        raise InvalidHeaderError(
            f"alg {row.name} (HPKE Integrated Encryption) must be in the protected header"
        )
    for name in _NEVER:
        if name in merged:
            raise InvalidHeaderError(
                f"a JWE using HPKE Integrated Encryption ({row.name}) must not have {name!r}"
            )
    refuse_psk(merged)
    if "zip" in merged:
        if "zip" not in protected:
            raise InvalidHeaderError("'zip' must be in the protected header")
        if protected["zip"] != "DEF":
            raise UnsupportedAlgorithmError(
                f"compression {protected['zip']!r} is not supported (only 'DEF')"
            )
    check_crit(protected, merged, crit, JWE_REGISTERED)
    check_kid(merged, limits)
    return row


def _open(
    row: HpkeIntegrated,
    source: KeySource,
    header: Mapping[str, Any],
    ek: bytes,
    ciphertext: bytes,
    aad: bytes,
    limits: Limits,
    allowed: frozenset[str],
) -> tuple[Key, bytes]:
    if isinstance(source, (Key, str, bytes, bytearray)):
        key = as_key(source, row)
        check_decrypt_key(row, key, None, allowed)
        used, plaintext = key, row.open(key, ek, ciphertext, aad)
    else:
        fitting = fitting_keys(
            source,
            header,
            "decrypt",
            lambda key: check_decrypt_key(row, key, None, allowed),
            f"decrypt alg {row.name}",
        )
        for candidate in fitting:
            try:
                plaintext = row.open(candidate, ek, ciphertext, aad)
            except DecryptionError:
                continue
            used = candidate
            break
        else:
            raise DecryptionError(DECRYPTION_FAILED)
    if "zip" in header:
        plaintext = _inflate(plaintext, limits)
    return used, plaintext


def _check_size(ct64: str, limits: Limits) -> None:
    if len(ct64) > limits.max_payload_size * 4 // 3 + 4:
        raise LimitExceededError(
            f"the ciphertext is larger than the limit of {limits.max_payload_size}"
        )


def decrypt_compact(
    header: Mapping[str, Any],
    h64: str,
    ek64: str,
    iv64: str,
    ct64: str,
    tag64: str,
    source: KeySource,
    allowed: frozenset[str],
    crit: Iterable[str],
    limits: Limits,
) -> DecryptedJWE:
    """Decrypt a compact JWE whose ``alg`` is an Integrated Encryption algorithm."""
    row = _check(header, header, allowed, crit, limits)
    if iv64 or tag64:
        raise MalformedError(
            f"with HPKE Integrated Encryption ({row.name}) the IV and tag parts are empty"
        )
    _check_size(ct64, limits)
    used, plaintext = _open(
        row,
        source,
        header,
        b64d(ek64, "encrypted key"),
        b64d(ct64, "ciphertext"),
        h64.encode("ascii"),
        limits,
        allowed,
    )
    return DecryptedJWE(plaintext, dict(header), used, dict(header))


def encrypt_json(
    plaintext: Plaintext,
    recipients: Sequence[Recipient],
    enc: str | None,
    protected: Mapping[str, Any] | None,
    unprotected: Mapping[str, Any] | None,
    aad: bytes | str | None,
    zip: str | None,
    flattened: bool,
    limits: Limits,
) -> dict[str, Any]:
    """JWE JSON serialization with HPKE Integrated Encryption (one recipient)."""
    if len(recipients) != 1:
        raise InvalidHeaderError(
            "HPKE Integrated Encryption (HPKE-n) encrypts to exactly one recipient; "
            "use the HPKE-n-KE algorithms to add several"
        )
    (recipient,) = recipients
    if not isinstance(recipient, Recipient):
        raise InvalidKeyError("recipients must be jwe.Recipient(key, alg, header=) objects")
    row = _integrated(KEY_MANAGEMENT.lookup(recipient.alg))
    _refuse_enc(enc, row.name)
    data = plaintext_bytes(plaintext)
    key = as_key(recipient.key, row)
    row.check_integrated_key(key, "encrypt")
    shared_protected: dict[str, Any] = dict(protected or {})
    shared: dict[str, Any] = dict(unprotected or {})
    own: dict[str, Any] = dict(recipient.header or {})
    _check_sender_headers(shared_protected, shared, own)
    for part in (shared, own):
        for name in (*_PROTECTED_ONLY, "alg"):
            if name in part:
                raise InvalidHeaderError(
                    f"{name!r} must be in the protected header with HPKE Integrated Encryption"
                )
    place(shared_protected, "alg", row.name)
    if key.kid is not None and not any("kid" in h for h in (shared_protected, shared, own)):
        shared_protected["kid"] = key.kid
    _zip(shared_protected, zip)
    merged = merge_headers(shared_protected, shared, own)
    check_crit(shared_protected, merged, shared_protected.get("crit") or (), JWE_REGISTERED)
    p64 = b64e(dumps_bytes(shared_protected))
    full_aad = p64
    aad64 = None
    if aad is not None:
        aad64 = b64e(plaintext_bytes(aad))
        full_aad = p64 + b"." + aad64
    body = deflate(data) if "zip" in shared_protected else data
    ek, ciphertext = row.seal(key, body, full_aad)
    entry: dict[str, Any] = {}
    if own:
        entry["header"] = own
    entry["encrypted_key"] = b64e_str(ek)
    out: dict[str, Any] = {"protected": p64.decode("ascii")}
    if shared:
        out["unprotected"] = shared
    if flattened:
        out.update(entry)
    else:
        out["recipients"] = [entry]
    if aad64 is not None:
        out["aad"] = aad64.decode("ascii")
    out["ciphertext"] = b64e_str(ciphertext)
    return out


def _string(obj: Mapping[str, Any], name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str):
        raise MalformedError(f"the JWE member {name!r} must be a base64url string")
    return value


def decrypt_json(
    obj: Mapping[str, Any],
    entries: Sequence[Any],
    p64: str,
    protected: Mapping[str, Any],
    shared: Mapping[str, Any] | None,
    source: KeySource,
    allowed: frozenset[str],
    crit: Iterable[str],
    limits: Limits,
) -> DecryptedJWE:
    """Decrypt a JWE JSON serialization whose ``alg`` is an Integrated Encryption algorithm."""
    if len(entries) != 1:
        raise MalformedError("a JWE using HPKE Integrated Encryption has exactly one recipient")
    (entry,) = entries
    if not isinstance(entry, dict) or not frozenset(entry) <= {"header", "encrypted_key"}:
        raise MalformedError("each recipient must be an object of 'header', 'encrypted_key'")
    own = _unprotected_object(entry["header"], limits) if "header" in entry else None
    for part in (shared, own):
        for name in _PROTECTED_ONLY:
            if part and name in part:
                raise InvalidHeaderError(f"{name!r} must be in the protected header")
    merged = merge_headers(protected, shared, own)
    row = _check(protected, merged, allowed, crit, limits)
    for name in ("iv", "tag"):
        if obj.get(name, ""):
            raise MalformedError(
                f"with HPKE Integrated Encryption ({row.name}) the {name!r} member is empty"
            )
    ct64 = _string(obj, "ciphertext")
    _check_size(ct64, limits)
    aad64 = _string(obj, "aad") if "aad" in obj else None
    aad = b64d(aad64, "aad") if aad64 is not None else None
    full_aad = p64.encode("ascii") + (b"." + aad64.encode("ascii") if aad64 is not None else b"")
    used, plaintext = _open(
        row,
        source,
        merged,
        b64d(_string(entry, "encrypted_key"), "encrypted key"),
        b64d(ct64, "ciphertext"),
        full_aad,
        limits,
        allowed,
    )
    return DecryptedJWE(plaintext, merged, used, dict(protected), aad)
