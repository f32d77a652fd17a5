"""JWS signing and verification: compact, JSON general and JSON flattened serializations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from .._b64 import b64d, b64e, b64e_str
from .._header import (
    JWS_REGISTERED,
    check_crit,
    check_kid,
    merge_headers,
    parse_protected,
    unprotected_object,
)
from .._json import dumps_bytes, loads_object
from ..algorithms.signing import SIGNATURE_ALGORITHMS, SignatureAlgorithm
from ..errors import (
    AlgorithmNotAllowedError,
    InvalidHeaderError,
    InvalidKeyError,
    InvalidSignatureError,
    JoseError,
    KeyNotFoundError,
    LimitExceededError,
    MalformedError,
)
from ..jwk import Key, KeyResolver, resolve_keys
from ..policy import DEFAULT_LIMITS, Limits

__all__ = [
    "Signer",
    "VerifiedJWS",
    "decode_unsecured",
    "encode_unsecured",
    "sign",
    "sign_json",
    "verify",
    "verify_json",
]

Payload = Union[bytes, str]
KeySource = Union[Key, KeyResolver]


@dataclass(frozen=True, slots=True)
class VerifiedJWS:
    """The result of a successful verification.

    Attributes:
        payload: the verified payload bytes.
        header: the protected and unprotected header parameters of the signature that verified.
        key: the key that verified it.
        protected_header: the integrity-protected part of ``header``.
    """

    payload: bytes
    header: dict[str, Any]
    key: Key | None
    protected_header: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Signer:
    """One signature to produce with :func:`sign_json`.

    ``protected`` header parameters are integrity protected (``alg`` is always added there);
    ``header`` ones are not.
    """

    key: Key
    alg: str
    protected: Mapping[str, Any] | None = None
    header: Mapping[str, Any] | None = None


def _payload_bytes(payload: Payload) -> bytes:
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    raise MalformedError(f"payload must be bytes or str, not {type(payload).__name__}")


def _understood(crit: Iterable[str], unencoded_payload: bool) -> frozenset[str]:
    names = frozenset(crit)
    return names | {"b64"} if unencoded_payload else names


def _b64_flag(protected: Mapping[str, Any], merged: Mapping[str, Any]) -> bool:
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


def _signing_alg(
    alg: str, key: Key, header: Mapping[str, Any] | None, operation: str = "sign"
) -> SignatureAlgorithm:
    if alg == "none":
        raise AlgorithmNotAllowedError(
            "alg 'none' produces an unsecured JWS: use jws.encode_unsecured() for that"
        )
    desc = SIGNATURE_ALGORITHMS.lookup(alg)
    if not isinstance(key, Key):
        raise InvalidKeyError(
            f"expected a josekit Key, not {type(key).__name__}; import it with Key.import_key(...)"
        )
    desc.check_key(key, operation)
    if header and "alg" in header and header["alg"] != alg:
        raise InvalidHeaderError(f"header alg {header['alg']!r} contradicts alg={alg!r}")
    return desc


def _protected_for(alg: str, key: Key, header: Mapping[str, Any] | None) -> dict[str, Any]:
    protected: dict[str, Any] = {"alg": alg}
    if key.kid is not None:
        protected["kid"] = key.kid
    if header:
        protected.update(header)
    return protected


def _encode_payload(payload: bytes, b64: bool) -> bytes:
    return b64e(payload) if b64 else payload


def sign(
    payload: Payload,
    key: Key,
    alg: str,
    *,
    header: Mapping[str, Any] | None = None,
    detached: bool = False,
) -> str:
    """Sign ``payload`` and return a compact JWS.

    ``header`` parameters are added to the protected header (``alg``, and the key's ``kid``
    unless ``header`` sets one, are always there). ``detached=True`` leaves the payload out
    of the token (RFC 7515 Appendix F). For an unencoded payload (RFC 7797), pass
    ``header={"b64": False, "crit": ["b64"]}``.
    """
    data = _payload_bytes(payload)
    desc = _signing_alg(alg, key, header)
    protected = _protected_for(alg, key, header)
    b64 = _b64_flag(protected, protected)
    h64 = b64e(dumps_bytes(protected))
    body = _encode_payload(data, b64)
    if not b64 and not detached and (b"." in body or not body.isascii()):
        raise MalformedError(
            "an unencoded (b64=false) payload in compact form must be ASCII without '.': "
            "use detached=True or the JSON serialization"
        )
    signature = desc.sign(key, h64 + b"." + body)
    middle = "" if detached else body.decode("ascii")
    return f"{h64.decode('ascii')}.{middle}.{b64e_str(signature)}"


def _verify_signature(
    desc: SignatureAlgorithm,
    source: KeySource,
    header: Mapping[str, Any],
    signing_input: bytes,
    signature: bytes,
) -> Key:
    if isinstance(source, Key):
        desc.check_key(source, "verify")
        desc.verify(source, signing_input, signature)
        return source
    candidates = resolve_keys(source, header, "verify")
    fitting = []
    for candidate in candidates:
        try:
            desc.check_key(candidate, "verify")
        except InvalidKeyError:
            continue
        fitting.append(candidate)
    if not fitting:
        raise KeyNotFoundError(f"no key in the key set can verify alg {desc.name}")
    for candidate in fitting:
        try:
            desc.verify(candidate, signing_input, signature)
        except InvalidSignatureError:
            continue
        return candidate
    raise InvalidSignatureError("signature verification failed")


def _check_header(
    protected: Mapping[str, Any],
    merged: Mapping[str, Any],
    allowed: frozenset[str],
    understood: frozenset[str],
    limits: Limits,
) -> tuple[SignatureAlgorithm, bool]:
    alg = merged.get("alg")
    if alg is None:
        raise InvalidHeaderError("the JWS header has no 'alg'")
    if alg == "none":
        raise AlgorithmNotAllowedError(
            "alg 'none' (unsecured JWS) is never accepted by verify; "
            "use jws.decode_unsecured() if you really mean to read an unsecured JWS"
        )
    desc = SIGNATURE_ALGORITHMS.check_allowed(alg, allowed)
    check_crit(protected, merged, understood, JWS_REGISTERED)
    check_kid(merged, limits)
    return desc, _b64_flag(protected, merged)


def verify(
    token: str | bytes,
    key_or_keyset: KeySource,
    *,
    algorithms: Iterable[str],
    detached_payload: Payload | None = None,
    crit: Iterable[str] = (),
    unencoded_payload: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> VerifiedJWS:
    """Verify a compact JWS and return its payload, header and the key that verified it.

    Args:
        token: the compact JWS.
        key_or_keyset: a :class:`Key`, a :class:`KeySet` or another key resolver. Keys in
            the token header (``jwk``, ``jku``, ``x5u``, ``x5c``) are never used.
        algorithms: the ``alg`` values accepted; required and non-empty.
        detached_payload: the payload of a detached-content JWS (its payload part is empty).
        crit: header extensions the caller understands and processes.
        unencoded_payload: accept RFC 7797 ``b64: false`` payloads.
        limits: size limits for this call.

    Raises:
        JoseError: a subclass saying what was wrong; never a bare Python exception.
    """
    allowed = SIGNATURE_ALGORITHMS.allow_list(algorithms)
    if isinstance(token, (bytes, bytearray)):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedError("a compact JWS must be ASCII text") from None
    if not isinstance(token, str):
        raise MalformedError(f"token must be a str, not {type(token).__name__}")
    if len(token) > limits.max_token_size:
        raise LimitExceededError(f"the token is larger than the limit of {limits.max_token_size}")
    if token.count(".") != 2:
        hint = (
            ": this is a JSON serialization, use jws.verify_json()"
            if token.lstrip().startswith("{")
            else (": this has five parts, like a JWE" if token.count(".") == 4 else "")
        )
        raise MalformedError(f"a compact JWS has exactly three parts separated by '.'{hint}")
    h64, p64, s64 = token.split(".")
    header = parse_protected(h64, limits)
    desc, b64 = _check_header(header, header, allowed, _understood(crit, unencoded_payload), limits)
    if detached_payload is not None:
        if p64:
            raise MalformedError("a detached payload was given, but the token carries one")
        payload = _payload_bytes(detached_payload)
        body = _encode_payload(payload, b64)
    elif b64:
        body = p64.encode("ascii")
        payload = b""  # decoded after the signature is checked
    else:
        body = payload = p64.encode("ascii")
    if len(body) > limits.max_payload_size * 4 // 3 + 4:
        raise LimitExceededError(
            f"the payload is larger than the limit of {limits.max_payload_size}"
        )
    signature = b64d(s64, "signature")
    used = _verify_signature(
        desc, key_or_keyset, header, h64.encode("ascii") + b"." + body, signature
    )
    if detached_payload is None and b64:
        payload = b64d(p64, "payload")
    return VerifiedJWS(payload, header, used, header)


# -- JSON serialization -------------------------------------------------------------------

_GENERAL = frozenset({"payload", "signatures"})
_FLATTENED = frozenset({"payload", "protected", "header", "signature"})
_SIGNATURE = frozenset({"protected", "header", "signature"})


def sign_json(
    payload: Payload, signers: Sequence[Signer], *, flattened: bool = False, detached: bool = False
) -> dict[str, Any]:
    """Sign ``payload`` once per :class:`Signer` and return a JWS JSON serialization.

    ``flattened=True`` gives the flattened form (exactly one signer). ``detached=True`` omits
    the payload member.
    """
    data = _payload_bytes(payload)
    if not signers:
        raise InvalidHeaderError("sign_json needs at least one Signer")
    if flattened and len(signers) != 1:
        raise InvalidHeaderError("the flattened JSON serialization carries exactly one signature")
    entries = []
    b64_values = set()
    body = b""
    for signer in signers:
        if not isinstance(signer, Signer):
            raise InvalidKeyError(
                "signers must be jws.Signer(key, alg, protected=, header=) objects"
            )
        unprotected = dict(signer.header or {})
        desc = _signing_alg(signer.alg, signer.key, signer.protected)
        if "alg" in unprotected:
            raise InvalidHeaderError("'alg' goes in the protected header")
        protected = {"alg": signer.alg, **(signer.protected or {})}
        if signer.key.kid is not None and "kid" not in protected and "kid" not in unprotected:
            unprotected["kid"] = signer.key.kid
        merged = merge_headers(protected, unprotected)
        check_crit(protected, merged, protected.get("crit") or (), JWS_REGISTERED)
        b64 = _b64_flag(protected, merged)
        b64_values.add(b64)
        if len(b64_values) > 1:
            raise InvalidHeaderError("every signature must use the same 'b64' value (RFC 7797 §3)")
        h64 = b64e(dumps_bytes(protected))
        body = _encode_payload(data, b64)
        entry: dict[str, Any] = {"protected": h64.decode("ascii")}
        if unprotected:
            entry["header"] = unprotected
        entry["signature"] = b64e_str(desc.sign(signer.key, h64 + b"." + body))
        entries.append(entry)
    out: dict[str, Any] = {}
    if not detached:
        out["payload"] = body.decode("utf-8") if False in b64_values else body.decode("ascii")
    if flattened:
        out.update(entries[0])
    else:
        out["signatures"] = entries
    return out


def _parse_json(obj_or_str: Mapping[str, Any] | str | bytes, limits: Limits) -> Mapping[str, Any]:
    if isinstance(obj_or_str, (str, bytes, bytearray)):
        if len(obj_or_str) > limits.max_token_size:
            raise LimitExceededError(f"the JWS is larger than the limit of {limits.max_token_size}")
        return loads_object(
            bytes(obj_or_str) if not isinstance(obj_or_str, str) else obj_or_str,
            "JWS JSON serialization",
            limits.max_json_depth,
        )
    if isinstance(obj_or_str, Mapping):
        return obj_or_str
    raise MalformedError(f"expected a JWS JSON object or its text, not {type(obj_or_str).__name__}")


def verify_json(
    obj_or_str: Mapping[str, Any] | str | bytes,
    key_or_keyset: KeySource,
    *,
    algorithms: Iterable[str],
    detached_payload: Payload | None = None,
    crit: Iterable[str] = (),
    unencoded_payload: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> VerifiedJWS:
    """Verify a JWS in JSON serialization (general or flattened).

    The first signature that verifies with an allowed algorithm and a key from
    ``key_or_keyset`` is the result; signatures that fail are ignored, and headers of failed
    signatures never reach the result. Other arguments are those of :func:`verify`.
    """
    allowed = SIGNATURE_ALGORITHMS.allow_list(algorithms)
    obj = _parse_json(obj_or_str, limits)
    members = frozenset(obj)
    if "signatures" in obj:
        if not members <= _GENERAL:
            raise MalformedError(
                f"unexpected members in a general JWS: {sorted(members - _GENERAL)}"
            )
        entries = obj["signatures"]
        if not isinstance(entries, list) or not entries:
            raise MalformedError("'signatures' must be a non-empty array")
        if len(entries) > limits.max_signatures:
            raise LimitExceededError(
                f"the JWS has {len(entries)} signatures, "
                f"more than the limit of {limits.max_signatures}"
            )
    elif "signature" in obj:
        if not members <= _FLATTENED:
            raise MalformedError(
                f"unexpected members in a flattened JWS: {sorted(members - _FLATTENED)}"
            )
        entries = [{k: obj[k] for k in _SIGNATURE if k in obj}]
    else:
        raise MalformedError("a JWS JSON serialization needs 'signatures' or 'signature'")

    if detached_payload is not None:
        if "payload" in obj:
            raise MalformedError("a detached payload was given, but the JWS carries one")
        p_text = None
    else:
        p_text = obj.get("payload")
        if not isinstance(p_text, str):
            raise MalformedError("the JWS has no 'payload' string (pass detached_payload=)")

    understood = _understood(crit, unencoded_payload)
    parsed = []
    for entry in entries:
        if not isinstance(entry, dict) or not frozenset(entry) <= _SIGNATURE:
            raise MalformedError("each signature must be an object of protected, header, signature")
        protected = parse_protected(entry["protected"], limits) if "protected" in entry else {}
        unprotected = unprotected_object(entry["header"], limits) if "header" in entry else None
        if not protected and not unprotected:
            raise MalformedError("a signature needs a protected or an unprotected header")
        sig_text = entry.get("signature")
        if not isinstance(sig_text, str):
            raise MalformedError("each signature needs a 'signature' string")
        merged = merge_headers(protected, unprotected)
        for name in ("crit", "b64"):
            if unprotected and name in unprotected:
                raise InvalidHeaderError(f"{name!r} must be in the protected header")
        parsed.append((entry.get("protected", ""), protected, merged, sig_text))
    if len({_b64_flag(p, m) if "b64" in m else True for _, p, m, _ in parsed}) > 1:
        raise InvalidHeaderError("every signature must use the same 'b64' value (RFC 7797 §3)")

    errors: list[JoseError] = []
    for h64, protected, merged, sig_text in parsed:
        try:
            desc, b64 = _check_header(protected, merged, allowed, understood, limits)
            if detached_payload is not None:
                payload = _payload_bytes(detached_payload)
                body = _encode_payload(payload, b64)
            elif b64:
                assert p_text is not None
                payload = b64d(p_text, "payload")
                body = p_text.encode("ascii")
            else:
                assert p_text is not None
                body = payload = p_text.encode("utf-8")
            if len(payload) > limits.max_payload_size:
                raise LimitExceededError(
                    f"the payload is larger than the limit of {limits.max_payload_size}"
                )
            signature = b64d(sig_text, "signature")
            used = _verify_signature(
                desc, key_or_keyset, merged, h64.encode("ascii") + b"." + body, signature
            )
        except JoseError as exc:
            errors.append(exc)
            continue
        return VerifiedJWS(payload, merged, used, protected)
    if len(errors) == 1:
        raise errors[0]
    for kind in (InvalidSignatureError, KeyNotFoundError):
        if any(isinstance(e, kind) for e in errors):
            raise kind(f"no signature verified ({len(errors)} tried): {errors[0]}")
    raise errors[0]


# -- unsecured JWS ------------------------------------------------------------------------


def encode_unsecured(payload: Payload, *, header: Mapping[str, Any] | None = None) -> str:
    """Create an unsecured JWS (``alg: none``, RFC 7515 Appendix A.5). Nobody can trust it."""
    data = _payload_bytes(payload)
    protected = {"alg": "none", **(header or {})}
    if protected["alg"] != "none":
        raise InvalidHeaderError("an unsecured JWS has alg 'none'")
    return f"{b64e_str(dumps_bytes(protected))}.{b64e_str(data)}."


def decode_unsecured(token: str, *, limits: Limits = DEFAULT_LIMITS) -> VerifiedJWS:
    """Read an unsecured JWS (``alg: none`` and an empty signature). Nothing is verified."""
    if not isinstance(token, str):
        raise MalformedError("token must be a str")
    if len(token) > limits.max_token_size:
        raise LimitExceededError(f"the token is larger than the limit of {limits.max_token_size}")
    if token.count(".") != 2:
        raise MalformedError("a compact JWS has exactly three parts separated by '.'")
    h64, p64, s64 = token.split(".")
    header = parse_protected(h64, limits)
    if header.get("alg") != "none":
        raise InvalidHeaderError(
            "this is not an unsecured JWS (alg is not 'none'); use jws.verify()"
        )
    if s64:
        raise InvalidSignatureError("an unsecured JWS must have an empty signature")
    check_crit(header, header, (), JWS_REGISTERED)
    return VerifiedJWS(b64d(p64, "payload"), header, None, header)
