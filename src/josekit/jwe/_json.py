"""JWE JSON serialization (RFC 7516 §7.2): general (many recipients) and flattened."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._b64 import b64d, b64e, b64e_str
from .._header import (
    JWE_REGISTERED,
    caller_crit,
    check_crit,
    check_kid,
    merge_headers,
    parse_protected,
)
from .._header import unprotected_object as _unprotected_object
from .._json import dumps_bytes, loads_object
from ..algorithms.content import CONTENT_ENCRYPTION, DECRYPTION_FAILED
from ..algorithms.key_management import KEY_MANAGEMENT
from ..errors import (
    DecryptionError,
    InvalidHeaderError,
    InvalidKeyError,
    JoseError,
    KeyNotFoundError,
    LimitExceededError,
    MalformedError,
)
from ..jwk import Key
from ..policy import DEFAULT_LIMITS, Limits
from . import _integrated
from ._common import (
    DecryptedJWE,
    KeySource,
    Plaintext,
    Recipient,
    allowed_encryptions,
    as_key,
    check_header,
    deflate,
    open_content,
    place,
    plaintext_bytes,
    refuse_generated,
)

__all__ = ["decrypt_json", "encrypt_json"]

_GENERAL = frozenset({"protected", "unprotected", "recipients", "aad", "iv", "ciphertext", "tag"})
_FLATTENED = frozenset(
    {"protected", "unprotected", "header", "encrypted_key", "aad", "iv", "ciphertext", "tag"}
)
_RECIPIENT = frozenset({"header", "encrypted_key"})
_PROTECTED_ONLY = ("zip", "crit")
_QUANTUM_VULNERABLE = frozenset({"RSA", "EC", "OKP"})
"""Key types whose key management a quantum computer could break: RSA, ECDH, classical HPKE."""


def _refuse_quantum_vulnerable(rows: Sequence[tuple[Any, Key, Any]]) -> None:
    """draft-ietf-jose-hpke-pq-pqt-00 §5: beside a post-quantum HPKE recipient (an AKP key),
    every recipient must be quantum-resistant, or the JWE is only as safe as the weakest."""
    pq = [km.name for km, key, _ in rows if key.kty == "AKP"]
    weak = [km.name for km, key, _ in rows if key.kty in _QUANTUM_VULNERABLE]
    if pq and weak:
        raise InvalidHeaderError(
            f"a JWE with a post-quantum recipient ({', '.join(pq)}) must not also have "
            f"recipients whose key management a quantum computer could break "
            f"({', '.join(weak)}): the content key could later be recovered from theirs; "
            "encrypt to them in a separate JWE"
        )


def encrypt_json(
    plaintext: Plaintext,
    recipients: Sequence[Recipient],
    enc: str | None,
    *,
    protected: Mapping[str, Any] | None = None,
    unprotected: Mapping[str, Any] | None = None,
    aad: bytes | str | None = None,
    zip: str | None = None,
    flattened: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Encrypt ``plaintext`` once for every :class:`Recipient`; return a JWE JSON object.

    Args:
        plaintext: the content (``str`` is UTF-8 encoded).
        recipients: who can decrypt; each has its key, ``alg`` and unprotected ``header``.
            ``dir`` and ``ECDH-ES`` fix the content key, so they only work alone.
        enc: the content encryption algorithm (it goes in the protected header); None for
            HPKE Integrated Encryption (``HPKE-n``, exactly one recipient, no ``enc``).
        protected: shared, integrity-protected header parameters.
        unprotected: shared unprotected header parameters.
        aad: additional data authenticated with the content (carried in the ``aad`` member).
        zip: ``"DEF"`` to compress before encrypting (set in the protected header).
        flattened: produce the flattened form (exactly one recipient).
        limits: PBES2 iteration counts.

    ``protected``, ``unprotected`` and each recipient's ``header`` must be disjoint.
    """
    return _encrypt_json(
        plaintext, recipients, enc, protected, unprotected, aad, zip, flattened, limits
    )


def _encrypt_json(
    plaintext: Plaintext,
    recipients: Sequence[Recipient],
    enc: str | None,
    protected: Mapping[str, Any] | None,
    unprotected: Mapping[str, Any] | None,
    aad: bytes | str | None,
    zip: str | None,
    flattened: bool,
    limits: Limits,
    *,
    _cek: bytes | None = None,
    _iv: bytes | None = None,
    _pinned: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """:func:`encrypt_json`, with test-only CEK, IV and per-recipient generated values."""
    if any(_integrated.is_integrated(getattr(r, "alg", None)) for r in recipients):
        return _integrated.encrypt_json(
            plaintext, recipients, enc, protected, unprotected, aad, zip, flattened, limits
        )
    data = plaintext_bytes(plaintext)
    ce = CONTENT_ENCRYPTION.lookup(enc)
    if not recipients or isinstance(recipients, (str, bytes)):
        raise InvalidHeaderError("encrypt_json needs a non-empty list of jwe.Recipient")
    if flattened and len(recipients) != 1:
        raise InvalidHeaderError("the flattened JSON serialization has exactly one recipient")
    pinned = list(_pinned) + [{}] * (len(recipients) - len(_pinned))
    shared_protected: dict[str, Any] = dict(protected or {})
    shared: dict[str, Any] = dict(unprotected or {})
    for name in _PROTECTED_ONLY:
        if name in shared:
            raise InvalidHeaderError(f"{name!r} must be in the protected header")
    refuse_generated(shared_protected, pinned[0] if len(recipients) == 1 else {})
    refuse_generated(shared, pinned[0] if len(recipients) == 1 else {})
    if zip is not None:
        place(shared_protected, "zip", zip)
    if shared_protected.get("zip", "DEF") != "DEF":
        raise InvalidHeaderError("zip must be 'DEF' (the only compression JWE defines)")
    if "enc" in shared:
        place(shared, "enc", enc)
    else:
        place(shared_protected, "enc", enc)

    rows = []
    for index, recipient in enumerate(recipients):
        if not isinstance(recipient, Recipient):
            raise InvalidKeyError("recipients must be jwe.Recipient(key, alg, header=) objects")
        km = KEY_MANAGEMENT.lookup(recipient.alg)
        key = as_key(recipient.key, km)
        km.check_key(key, "encrypt", ce)
        if km.direct and len(recipients) > 1:
            raise InvalidHeaderError(
                f"alg {km.name} derives the content key from the recipient key, "
                "so it cannot be used with other recipients"
            )
        own: dict[str, Any] = dict(recipient.header or {})
        for name in (*_PROTECTED_ONLY, "enc"):
            if name in own:
                raise InvalidHeaderError(f"{name!r} cannot be a per-recipient header parameter")
        refuse_generated(own, pinned[index])
        for container in (shared_protected, shared):
            if "alg" in container:
                place(container, "alg", km.name)
                break
        else:
            place(own, "alg", km.name)
        if key.kid is not None and not any("kid" in h for h in (shared_protected, shared, own)):
            own["kid"] = key.kid
        merge_headers(shared_protected, shared, own)
        rows.append((km, key, own))
    _refuse_quantum_vulnerable(rows)

    first_km = rows[0][0]
    cek = None if first_km.direct else (_cek or ce.generate_cek())
    entries = []
    for (km, key, own), pins in builtins.zip(rows, pinned, strict=True):
        params = merge_headers(shared_protected, shared, own)
        cek, encrypted_key, generated = km.wrap(key, ce, cek, params, limits, pins)
        for name, value in generated.items():
            target = next((h for h in (shared_protected, shared) if name in h), own)
            place(target, name, value)
        merged = merge_headers(shared_protected, shared, own)
        check_crit(shared_protected, merged, shared_protected.get("crit") or (), JWE_REGISTERED)
        check_kid(merged, limits)
        entry: dict[str, Any] = {}
        if own:
            entry["header"] = own
        if encrypted_key:
            entry["encrypted_key"] = b64e_str(encrypted_key)
        entries.append(entry)
    assert cek is not None

    p64 = b64e(dumps_bytes(shared_protected)) if shared_protected else b""
    full_aad = p64
    aad64 = None
    if aad is not None:
        aad64 = b64e(plaintext_bytes(aad))
        full_aad = p64 + b"." + aad64
    iv = _iv or ce.generate_iv()
    body = deflate(data) if "zip" in shared_protected else data
    ciphertext, tag = ce.encrypt(cek, iv, body, full_aad)

    out: dict[str, Any] = {}
    if p64:
        out["protected"] = p64.decode("ascii")
    if shared:
        out["unprotected"] = shared
    if flattened:
        out.update(entries[0])
    else:
        out["recipients"] = entries
    if aad64 is not None:
        out["aad"] = aad64.decode("ascii")
    out["iv"] = b64e_str(iv)
    out["ciphertext"] = b64e_str(ciphertext)
    out["tag"] = b64e_str(tag)
    return out


def _parse(obj_or_str: Mapping[str, Any] | str | bytes, limits: Limits) -> Mapping[str, Any]:
    if isinstance(obj_or_str, (str, bytes, bytearray)):
        if len(obj_or_str) > limits.max_token_size:
            raise LimitExceededError(f"the JWE is larger than the limit of {limits.max_token_size}")
        text = obj_or_str if isinstance(obj_or_str, str) else bytes(obj_or_str)
        return loads_object(text, "JWE JSON serialization", limits.max_json_depth)
    if isinstance(obj_or_str, Mapping):
        return obj_or_str
    raise MalformedError(f"expected a JWE JSON object or its text, not {type(obj_or_str).__name__}")


def _string(obj: Mapping[str, Any], name: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str):
        raise MalformedError(f"the JWE member {name!r} must be a base64url string")
    return value


def _optional_string(obj: Mapping[str, Any], name: str) -> str | None:
    return _string(obj, name) if name in obj else None


def _addressed_first(
    parsed: list[tuple[dict[str, Any], str]], source: KeySource
) -> list[tuple[dict[str, Any], str]]:
    """The recipients, those whose ``kid`` names the single key ``source`` first.

    A ``kid`` names the key when it equals the key's ``kid`` or, for a key without one, its
    RFC 7638 thumbprint or RFC 9278 thumbprint URI. Only the order changes: every recipient
    is still tried, and a failure is still one uniform error (RFC 7516 §11.5), so trying the
    addressed recipient first costs one key agreement instead of one per recipient before it.
    """
    if len(parsed) < 2 or not isinstance(source, Key):
        return parsed
    if source.kid is not None:
        names: tuple[str, ...] = (source.kid,)
    elif any(isinstance(merged.get("kid"), str) for merged, _ in parsed):
        names = (source.thumbprint(), source.thumbprint_uri())
    else:
        return parsed
    return sorted(parsed, key=lambda row: row[0].get("kid") not in names)


def decrypt_json(
    obj_or_str: Mapping[str, Any] | str | bytes,
    key_or_keyset: KeySource,
    *,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None = None,
    crit: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> DecryptedJWE:
    """Decrypt a JWE in JSON serialization (general or flattened).

    The first recipient whose ``alg`` is allowed and whose key is in ``key_or_keyset``
    decrypts; the result's ``header`` joins the protected, shared unprotected and that
    recipient's header. Other arguments are those of :func:`josekit.jwe.decrypt`.
    """
    allowed = KEY_MANAGEMENT.allow_list(algorithms)
    allowed_enc = allowed_encryptions(encryptions)
    crit = caller_crit(crit)
    obj = _parse(obj_or_str, limits)
    members = frozenset(obj)
    if "recipients" in obj:
        if not members <= _GENERAL:
            raise MalformedError(
                f"unexpected members in a general JWE: {sorted(members - _GENERAL)}"
            )
        entries = obj["recipients"]
        if not isinstance(entries, list) or not entries:
            raise MalformedError("'recipients' must be a non-empty array")
        if len(entries) > limits.max_signatures:
            raise LimitExceededError(
                f"the JWE has {len(entries)} recipients, "
                f"more than the limit of {limits.max_signatures}"
            )
    else:
        if not members <= _FLATTENED:
            raise MalformedError(
                f"unexpected members in a flattened JWE: {sorted(members - _FLATTENED)}"
            )
        entries = [{k: obj[k] for k in _RECIPIENT if k in obj}]

    p64 = _optional_string(obj, "protected") or ""
    protected = parse_protected(p64, limits) if p64 else {}
    shared = (
        _unprotected_object(obj["unprotected"], limits, "unprotected")
        if "unprotected" in obj
        else None
    )
    if _integrated.uses_integrated(
        protected, shared, *(e.get("header") for e in entries if isinstance(e, dict))
    ):
        return _integrated.decrypt_json(
            obj, entries, p64, protected, shared, key_or_keyset, allowed, crit, limits
        )
    aad64 = _optional_string(obj, "aad")
    iv64 = _string(obj, "iv")
    ct64 = _string(obj, "ciphertext")
    tag64 = _string(obj, "tag")
    if len(ct64) > limits.max_payload_size * 4 // 3 + 4:
        raise LimitExceededError(
            f"the ciphertext is larger than the limit of {limits.max_payload_size}"
        )
    iv = b64d(iv64, "initialization vector")
    ciphertext = b64d(ct64, "ciphertext")
    tag = b64d(tag64, "authentication tag")
    aad = b64d(aad64, "aad") if aad64 is not None else None
    full_aad = p64.encode("ascii") + (b"." + aad64.encode("ascii") if aad64 is not None else b"")

    parsed = []
    for entry in entries:
        if not isinstance(entry, dict) or not frozenset(entry) <= _RECIPIENT:
            raise MalformedError("each recipient must be an object of 'header', 'encrypted_key'")
        own = _unprotected_object(entry["header"], limits) if "header" in entry else None
        for part in (shared, own):
            for name in _PROTECTED_ONLY:
                if part and name in part:
                    raise InvalidHeaderError(f"{name!r} must be in the protected header")
        merged = merge_headers(protected, shared, own)
        ek64 = _optional_string(entry, "encrypted_key") or ""
        parsed.append((merged, ek64))

    errors: list[JoseError] = []
    for merged, ek64 in _addressed_first(parsed, key_or_keyset):
        try:
            km, ce = check_header(protected, merged, allowed, allowed_enc, crit, limits)
            used, plaintext = open_content(
                km,
                ce,
                key_or_keyset,
                merged,
                b64d(ek64, "encrypted key"),
                iv,
                ciphertext,
                tag,
                full_aad,
                limits,
                allowed=allowed,
            )
        except JoseError as exc:
            errors.append(exc)
            continue
        return DecryptedJWE(plaintext, merged, used, protected, aad)
    if len(errors) == 1:
        raise errors[0]
    if any(isinstance(e, DecryptionError) for e in errors):
        raise DecryptionError(DECRYPTION_FAILED)
    if any(isinstance(e, KeyNotFoundError) for e in errors):
        raise KeyNotFoundError(
            f"no recipient could be decrypted ({len(errors)} tried): {errors[0]}"
        )
    raise errors[0]
