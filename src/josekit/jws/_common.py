"""What the compact and JSON serializations share: results, header checks, keys, payloads."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from .._header import JWS_REGISTERED, caller_crit, check_crit, check_kid
from .._redact import redacted
from ..algorithms._registry import fits
from ..algorithms.signing import SIGNATURE_ALGORITHMS, SignatureAlgorithm
from ..errors import (
    AlgorithmNotAllowedError,
    InvalidHeaderError,
    InvalidKeyError,
    InvalidSignatureError,
    LimitExceededError,
    MalformedError,
)
from ..jwk import Key, KeyResolver, fitting_keys
from ..jwk._secret import not_a_key_message
from ..policy import Limits

__all__ = [
    "ALG_NONE_REFUSED",
    "NOTHING",
    "TABLE",
    "KeySource",
    "UnsecuredJWS",
    "Payload",
    "Signer",
    "VerifiedJWS",
    "b64_flag",
    "check_header",
    "check_new_header",
    "check_payload_size",
    "header_dict",
    "kid_mismatch",
    "payload_bytes",
    "signing_alg",
    "understood_extensions",
    "verified_result",
    "verify_signature",
]

Payload = Union[bytes, str]
KeySource = Union[Key, KeyResolver]

TABLE = SIGNATURE_ALGORITHMS.table


@dataclass(frozen=True, slots=True, repr=False)
class VerifiedJWS:
    """The result of a successful verification.

    Attributes:
        payload: the verified payload bytes.
        header: the protected and unprotected header parameters of the signature that verified.
        key: the key that verified it.
        protected_header: the integrity-protected part of ``header``.

    ``repr()`` and ``str()`` show the header, the key and the payload's size, never its bytes.
    """

    payload: bytes
    header: dict[str, Any]
    key: Key
    protected_header: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return redacted(self, ("header", "key", "payload"))

    __str__ = __repr__


@dataclass(frozen=True, slots=True, repr=False)
class UnsecuredJWS:
    """An unsecured JWS (``alg: none``) read by :func:`~josekit.jws.decode_unsecured`.

    Attributes:
        payload: the payload bytes; nothing verified them.
        header: the protected header (``alg`` is ``"none"``).
        key: always ``None``: no key was involved.
        protected_header: the same as ``header`` (an unsecured JWS is compact).
    """

    payload: bytes
    header: dict[str, Any]
    key: None = None
    protected_header: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return redacted(self, ("header", "payload"))

    __str__ = __repr__


# Every verification builds a VerifiedJWS. Setting its slots directly, instead of calling the
# frozen dataclass __init__ (one object.__setattr__ per field), gives the same object; the
# dataclass constructor makes jws.verify.HS256 6% slower (7.79 against 7.34 us).
_new_object = object.__new__
_SET_FIELDS = tuple(
    vars(VerifiedJWS)[name].__set__ for name in ("payload", "header", "key", "protected_header")
)


def verified_result(
    payload: bytes, header: dict[str, Any], key: Key, protected: dict[str, Any]
) -> VerifiedJWS:
    """``VerifiedJWS(payload, header, key, protected)``, built without the dataclass __init__."""
    result: VerifiedJWS = _new_object(VerifiedJWS)
    set_payload, set_header, set_key, set_protected = _SET_FIELDS
    set_payload(result, payload)
    set_header(result, header)
    set_key(result, key)
    set_protected(result, protected)
    return result


@dataclass(frozen=True, slots=True)
class Signer:
    """One signature to produce with :func:`sign_json`.

    ``protected`` header parameters are integrity protected (``alg`` is always added there);
    ``header`` ones are not. The key's ``kid`` goes in the unprotected header unless either
    header sets ``kid``.
    """

    key: Key
    alg: str
    protected: Mapping[str, Any] | None = None
    header: Mapping[str, Any] | None = None


def payload_bytes(payload: Payload) -> bytes:
    """The payload as bytes (``str`` is UTF-8 encoded)."""
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        try:
            return payload.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedError("the payload str is not valid Unicode (lone surrogate)") from None
    if isinstance(payload, (bytearray, memoryview)):
        return bytes(payload)
    raise MalformedError(f"payload must be bytes or str, not {type(payload).__name__}")


def header_dict(header: object, what: str) -> dict[str, Any]:
    """A caller's header as a new dict; it must be a mapping with string member names."""
    if not isinstance(header, Mapping):
        raise InvalidHeaderError(f"{what} must be a mapping, not {type(header).__name__}")
    out = dict(header)
    for name in out:
        if not isinstance(name, str):
            raise InvalidHeaderError(f"{what} member names must be strings, not {name!r}")
    return out


NOTHING: frozenset[str] = frozenset()
_B64_ONLY = frozenset({"b64"})


def understood_extensions(crit: Iterable[str], unencoded_payload: bool) -> frozenset[str]:
    """The extensions a verify call understands: the caller's, plus ``b64`` if enabled."""
    if not crit:
        return _B64_ONLY if unencoded_payload else NOTHING
    names = set(caller_crit(crit))
    # 'b64' is understood only through unencoded_payload=True, the one switch for RFC 7797.
    names.discard("b64")
    if unencoded_payload:
        names.add("b64")
    return frozenset(names)


def b64_flag(protected: Mapping[str, Any], merged: Mapping[str, Any]) -> bool:
    """RFC 7797: ``b64`` counts only when protected and listed in ``crit``."""
    if "b64" not in merged:
        return True
    if "b64" not in protected:
        raise InvalidHeaderError("'b64' must be in the protected header")
    value = protected["b64"]
    if not isinstance(value, bool):
        raise InvalidHeaderError("'b64' must be true or false")
    crit = protected.get("crit")
    if not isinstance(crit, list) or "b64" not in crit:
        raise InvalidHeaderError("'b64' must be listed in 'crit' (RFC 7797 §6)")
    return value


def check_payload_size(size: int, limits: Limits, encoded: bool) -> None:
    """Bound a payload before any work on it; ``encoded`` sizes are base64url characters."""
    limit = limits.max_payload_size * 4 // 3 + 3 if encoded else limits.max_payload_size
    if size > limit:
        raise LimitExceededError(
            f"the payload is larger than the limit of {limits.max_payload_size} bytes "
            "(raise Limits.max_payload_size to accept it)"
        )


def signing_alg(alg: str, key: Key, header: Mapping[str, Any] | None) -> SignatureAlgorithm:
    """The descriptor to sign with: ``alg`` implemented, not ``none``, fitting ``key``."""
    if alg == "none":
        raise AlgorithmNotAllowedError(
            "alg 'none' produces an unsecured JWS: use jws.encode_unsecured() for that"
        )
    desc = SIGNATURE_ALGORITHMS.lookup(alg)
    if not isinstance(key, Key):
        raise InvalidKeyError(not_a_key_message(key))
    desc.check_key(key, "sign")
    if header and "alg" in header and header["alg"] != alg:
        raise InvalidHeaderError(f"header alg {header['alg']!r} contradicts alg={alg!r}")
    return desc


def check_new_header(protected: Mapping[str, Any], merged: Mapping[str, Any]) -> bool:
    """Check a header about to be signed as a verifier will; return the ``b64`` flag."""
    if "crit" in merged:
        crit = protected.get("crit")
        # The signer understands the extensions it lists itself; the rest is checked as usual.
        own = frozenset(c for c in crit if isinstance(c, str)) if isinstance(crit, list) else ()
        check_crit(protected, merged, own, JWS_REGISTERED)
    return b64_flag(protected, merged)


def kid_mismatch(header: Mapping[str, Any], key: Key) -> InvalidSignatureError | None:
    """The failure of a signature whose ``kid`` is not the one key's, else ``None``."""
    kid = header.get("kid")
    if key.kid is None or type(kid) is not str or kid == key.kid:
        return None
    return InvalidSignatureError(
        f"signature verification failed; the token's kid {kid[:80]!r} is not this key's "
        f"kid {key.kid!r}: it was probably signed by another key (pass a KeySet)"
    )


def verify_signature(
    desc: SignatureAlgorithm,
    source: KeySource,
    header: Mapping[str, Any],
    signing_input: bytes,
    signature: bytes,
    allowed: Collection[str],
) -> Key:
    """Verify with ``source`` (one key, or each fitting candidate of a resolver) and return
    the key that verified. Keys are checked against ``desc`` before any cryptography, and a
    key without ``alg`` must fit exactly one of the ``allowed`` algorithms."""
    if isinstance(source, Key):
        check_verify_key(desc, source, allowed)
        try:
            desc.verify(source, signing_input, signature)
        except InvalidSignatureError as exc:
            raise kid_mismatch(header, source) or exc from None
        return source
    fitting = fitting_keys(
        source,
        header,
        "verify",
        lambda key: check_verify_key(desc, key, allowed),
        f"verify alg {desc.name}",
    )
    for candidate in fitting:
        try:
            desc.verify(candidate, signing_input, signature)
        except InvalidSignatureError:
            continue
        return candidate
    raise InvalidSignatureError("signature verification failed")


def check_verify_key(desc: SignatureAlgorithm, key: Key, allowed: Collection[str]) -> None:
    """``desc.check_key(key, "verify")``, and one allowed algorithm for a key without ``alg``.

    Raises:
        InvalidKeyError: the key does not fit ``desc``.
        AlgorithmNotAllowedError: the key has no ``alg`` and other allowed algorithms fit it.
    """
    desc.check_key(key, "verify")
    if key.alg is None and len(allowed) > 1:
        SIGNATURE_ALGORITHMS.check_one_algorithm(
            key, desc.name, allowed, lambda other: fits(other.check_key, key, "verify")
        )


ALG_NONE_REFUSED = (
    "alg 'none' (unsecured JWS) is never accepted by verify; "
    "use jws.decode_unsecured() if you really mean to read an unsecured JWS"
)


def check_header(
    protected: Mapping[str, Any],
    merged: Mapping[str, Any],
    allowed: Collection[str],
    understood: frozenset[str],
    limits: Limits,
    alg_none: str = ALG_NONE_REFUSED,
    b64_refused: str | None = None,
) -> tuple[SignatureAlgorithm, bool]:
    """Check a received header once, before any cryptography: the descriptor and ``b64``.

    ``alg_none`` is the message refusing ``alg: none``; with ``b64_refused``, any ``b64``
    parameter is refused with that message (a JWT never uses RFC 7797).
    """
    alg = merged.get("alg")
    desc = TABLE.get(alg) if type(alg) is str else None
    if desc is None or alg not in allowed:  # say why: no alg, 'none', unknown, not allowed
        if alg is None:
            raise InvalidHeaderError("the JWS header has no 'alg'")
        if alg == "none":
            raise AlgorithmNotAllowedError(alg_none)
        desc = SIGNATURE_ALGORITHMS.check_allowed(alg, allowed)
    if b64_refused is not None and "b64" in merged:
        raise InvalidHeaderError(b64_refused)
    if "crit" in merged:
        check_crit(protected, merged, understood, JWS_REGISTERED)
    if "kid" in merged:
        check_kid(merged, limits)
    if "b64" in merged:
        return desc, b64_flag(protected, merged)
    return desc, True
