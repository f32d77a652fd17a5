"""JWE compact serialization (RFC 7516 §7.1): encrypt and decrypt."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from .._b64 import b64d, b64e
from .._header import (
    JWE_REGISTERED,
    caller_crit,
    check_crit,
    check_kid,
    check_kid_value,
    parse_protected,
)
from .._json import dumps_bytes
from ..algorithms.content import CONTENT_ENCRYPTION
from ..algorithms.key_management import KEY_MANAGEMENT
from ..errors import InvalidHeaderError, LimitExceededError, MalformedError
from ..jwk import Key
from ..policy import DEFAULT_LIMITS, Limits
from . import _integrated
from ._common import (
    DecryptedJWE,
    KeySource,
    Plaintext,
    allowed_encryptions,
    as_key,
    check_header,
    deflate,
    open_content,
    place,
    plaintext_bytes,
    refuse_generated,
)

__all__ = ["decrypt", "encrypt"]

_EMPTY: Mapping[str, Any] = {}
_KEY_MANAGEMENT = KEY_MANAGEMENT.table
_CONTENT_ENCRYPTION = CONTENT_ENCRYPTION.table


def _basic_members(alg: str, enc: str, kid: str | None) -> dict[str, Any]:
    """The header without a caller's: ``alg``, ``enc`` and the key's ``kid`` (if any)."""
    return {"alg": alg, "enc": enc} if kid is None else {"alg": alg, "enc": enc, "kid": kid}


@lru_cache(maxsize=256)
def _basic_header(alg: str, enc: str, kid: str | None) -> bytes:
    """The encoded header ``{"alg", "enc", "kid"}``, made once per (registry names, checked kid)."""
    return b64e(dumps_bytes(_basic_members(alg, enc, kid)))


def _caller_header(
    header: Mapping[str, Any] | None, alg: str, enc: str, zip: str | None, pinned: Mapping[str, Any]
) -> dict[str, Any]:
    """The caller's header with ``alg``, ``enc`` and ``zip`` added; contradictions refused."""
    refuse_generated(header, pinned)
    protected: dict[str, Any] = dict(header or {})
    place(protected, "alg", alg)
    place(protected, "enc", enc)
    if zip is not None:
        place(protected, "zip", zip)
    if protected.get("zip", "DEF") != "DEF":
        raise InvalidHeaderError("zip must be 'DEF' (the only compression JWE defines)")
    if "crit" in protected:
        check_crit(protected, protected, protected["crit"] or (), JWE_REGISTERED)
    return protected


def encrypt(
    plaintext: Plaintext,
    key: KeySource,
    alg: str,
    enc: str | None,
    *,
    header: Mapping[str, Any] | None = None,
    zip: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> str:
    """Encrypt ``plaintext`` to ``key`` and return a compact JWE.

    Args:
        plaintext: the content (``str`` is UTF-8 encoded).
        key: the recipient's key: a public (or private) RSA, EC or OKP key, an ``oct`` key,
            or for PBES2 a password as ``str``/``bytes``.
        alg: the key management algorithm, e.g. ``"RSA-OAEP-256"``, ``"ECDH-ES+A256KW"``.
        enc: the content encryption algorithm, e.g. ``"A256GCM"``; None with the HPKE
            Integrated Encryption algorithms (``HPKE-0`` ...), which have no ``enc``.
        header: more protected header parameters (``cty``, ``typ``, ``kid``, ``crit``;
            ``apu``/``apv`` for ECDH-ES; ``p2c`` for PBES2). ``alg``, ``enc`` and the key's
            ``kid`` are added.
        zip: ``"DEF"`` to compress the plaintext before encrypting it.
        limits: PBES2 iteration counts (``default_p2c``, ``min_p2c``, ``max_p2c``).

    The content key and IV are always fresh random values.
    """
    return _encrypt(plaintext, key, alg, enc, header, zip, limits)


def _encrypt(
    plaintext: Plaintext,
    key: KeySource,
    alg: str,
    enc: str | None,
    header: Mapping[str, Any] | None,
    zip: str | None,
    limits: Limits,
    *,
    _cek: bytes | None = None,
    _iv: bytes | None = None,
    _pinned: Mapping[str, Any] = _EMPTY,
) -> str:
    """:func:`encrypt`, with test-only values for the CEK, IV and generated parameters."""
    data = plaintext_bytes(plaintext)
    # The tables' own .get (as jws does), Registry.lookup only for what it must name: two
    # lookup calls were about 0.1 us of a 3.4 us dir encryption.
    km = _KEY_MANAGEMENT.get(alg) if type(alg) is str else None
    if km is None:
        km = KEY_MANAGEMENT.lookup(alg)
    if km.integrated:
        return _integrated.encrypt_compact(plaintext, key, km, enc, header, zip, limits)
    ce = _CONTENT_ENCRYPTION.get(enc) if type(enc) is str else None
    if ce is None:
        ce = CONTENT_ENCRYPTION.lookup(enc)
    recipient = key if isinstance(key, Key) else as_key(key, km)
    km.check_key(recipient, "encrypt", ce)
    kid = recipient.kid
    # Without a caller's header or zip, the header is alg, enc and the key's kid (if any).
    basic = header is None and zip is None
    protected: dict[str, Any] | None = None
    if not basic:
        protected = _caller_header(header, alg, ce.name, zip, _pinned)
        if kid is not None and "kid" not in protected:
            protected["kid"] = kid
        check_kid(protected, limits)
    elif kid is not None:
        check_kid_value(kid, limits)
    # dir: the key is the CEK, its cipher is kept with the key and there is nothing to wrap.
    cipher = km.cipher(recipient, ce)
    generated: Mapping[str, Any] = _EMPTY
    encrypted_key = b""
    if cipher is None:
        if protected is None:
            protected = _basic_members(alg, ce.name, kid)
        cek = None if km.direct else (_cek or ce.generate_cek())
        cek, encrypted_key, generated = km.wrap(recipient, ce, cek, protected, limits, _pinned)
        cipher = ce.cipher(cek)
    if protected is None or (basic and not generated):
        h64 = _basic_header(alg, ce.name, kid)
    else:
        for name, value in generated.items():
            place(protected, name, value)
        h64 = b64e(dumps_bytes(protected))
    iv = _iv or ce.generate_iv()
    body = deflate(data) if protected is not None and "zip" in protected else data
    sealed = ce.seal(cipher, iv, body, h64)
    cut = len(sealed) - ce.tag_size
    ek64 = b64e(encrypted_key) if encrypted_key else b""  # dir and ECDH-ES: an empty part
    return b".".join((h64, ek64, b64e(iv), b64e(sealed[:cut]), b64e(sealed[cut:]))).decode("ascii")


def decrypt(
    token: str | bytes,
    key_or_keyset: KeySource,
    *,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None = None,
    crit: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> DecryptedJWE:
    """Decrypt a compact JWE and return its plaintext, header and the key that decrypted it.

    Args:
        token: the compact JWE (five base64url parts).
        key_or_keyset: a :class:`~josekit.jwk.Key`, a :class:`~josekit.jwk.KeySet` or
            another key resolver, or for PBES2 a password (``str``/``bytes``). Keys named in
            the header (``jwk``, ``jku``, ``x5u``, ``x5c``) are never used.
        algorithms: the key management ``alg`` values accepted; required and non-empty.
            ``RSA1_5`` and ``PBES2-*`` are accepted only when listed here.
        encryptions: the ``enc`` values accepted; None accepts every one josekit implements.
        crit: header extensions the caller understands and processes.
        limits: size limits, the PBES2 iteration cap and the decompressed-size cap.

    Raises:
        MalformedError: the token is not a compact JWE.
        InvalidHeaderError: a header parameter is missing, malformed or misplaced.
        AlgorithmNotAllowedError: ``alg`` or ``enc`` is not in the caller's lists.
        InvalidKeyError: the key does not fit ``alg``/``enc`` (checked before any crypto).
        DecryptionError: anything failed after parsing; always the same message.
    """
    allowed = KEY_MANAGEMENT.allow_list(algorithms)
    allowed_enc = allowed_encryptions(encryptions)
    crit = caller_crit(crit)
    if not isinstance(token, str):
        if not isinstance(token, (bytes, bytearray)):
            raise MalformedError(f"token must be a str, not {type(token).__name__}")
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedError("a compact JWE must be ASCII text") from None
    if len(token) > limits.max_token_size:
        raise LimitExceededError(f"the token is larger than the limit of {limits.max_token_size}")
    parts = token.split(".", 5)  # never more than six pieces, however many dots
    if len(parts) != 5:
        hint = (
            ": this is a JSON serialization, use jwe.decrypt_json()"
            if token.lstrip().startswith("{")
            else (": this has three parts, like a JWS" if token.count(".") == 2 else "")
        )
        raise MalformedError(f"a compact JWE has exactly five parts separated by '.'{hint}")
    h64, ek64, iv64, ct64, tag64 = parts
    header = parse_protected(h64, limits)
    if "enc" not in header and _integrated.uses_integrated(header):  # HPKE-n has no enc
        return _integrated.decrypt_compact(
            header, h64, ek64, iv64, ct64, tag64, key_or_keyset, allowed, crit, limits
        )
    km, ce = check_header(header, header, allowed, allowed_enc, crit, limits)
    if len(ct64) > limits.max_payload_size * 4 // 3 + 4:
        raise LimitExceededError(
            f"the ciphertext is larger than the limit of {limits.max_payload_size}"
        )
    used, plaintext = open_content(
        km,
        ce,
        key_or_keyset,
        header,
        b64d(ek64, "encrypted key") if ek64 else b"",
        b64d(iv64, "initialization vector"),
        b64d(ct64, "ciphertext"),
        b64d(tag64, "authentication tag"),
        h64.encode("ascii"),
        limits,
        allowed=allowed,
    )
    return DecryptedJWE(plaintext, header, used, header)
