"""JWS JSON serialization (RFC 7515 §7.2): general (many signatures) and flattened."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._b64 import b64d, b64e, b64e_str
from .._header import merge_headers, parse_protected, unprotected_object
from .._json import dumps, dumps_bytes, loads_object
from ..algorithms.signing import SIGNATURE_ALGORITHMS
from ..errors import (
    InvalidHeaderError,
    InvalidKeyError,
    InvalidSignatureError,
    JoseError,
    KeyNotFoundError,
    LimitExceededError,
    MalformedError,
)
from ..policy import DEFAULT_LIMITS, Limits
from ._common import (
    KeySource,
    Payload,
    Signer,
    VerifiedJWS,
    b64_flag,
    check_header,
    check_new_header,
    check_payload_size,
    header_dict,
    payload_bytes,
    signing_alg,
    understood_extensions,
    verified_result,
    verify_signature,
)

__all__ = ["sign_json", "verify_json"]

_GENERAL = frozenset({"payload", "signatures"})
_FLATTENED = frozenset({"payload", "protected", "header", "signature"})
_SIGNATURE = frozenset({"protected", "header", "signature"})
_PROTECTED_ONLY = ("crit", "b64")


def sign_json(
    payload: Payload, signers: Sequence[Signer], *, flattened: bool = False, detached: bool = False
) -> dict[str, Any]:
    """Sign ``payload`` once per :class:`Signer` and return a JWS JSON serialization.

    ``flattened=True`` gives the flattened form (exactly one signer). ``detached=True`` omits
    the payload member. For an unencoded payload (RFC 7797) every signer's ``protected`` has
    ``{"b64": False, "crit": ["b64"]}``, and the payload must be UTF-8 text.

    Raises:
        JoseError: a subclass saying what was wrong.
    """
    data = payload_bytes(payload)
    if not isinstance(signers, Sequence) or isinstance(signers, (str, bytes)):
        raise InvalidHeaderError("signers must be a list of jws.Signer(key, alg, ...) objects")
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
        given = None if signer.protected is None else header_dict(signer.protected, "protected")
        unprotected = {} if signer.header is None else header_dict(signer.header, "header")
        desc = signing_alg(signer.alg, signer.key, given)
        if "alg" in unprotected:
            raise InvalidHeaderError("'alg' goes in the protected header")
        for name in _PROTECTED_ONLY:
            if name in unprotected:
                raise InvalidHeaderError(f"{name!r} must be in the protected header")
        protected = {"alg": desc.name, **(given or {})}
        kid = signer.key.kid
        if kid is not None and "kid" not in protected and "kid" not in unprotected:
            unprotected["kid"] = kid
        merged = merge_headers(protected, unprotected)
        b64 = check_new_header(protected, merged)
        b64_values.add(b64)
        if len(b64_values) > 1:
            raise InvalidHeaderError("every signature must use the same 'b64' value (RFC 7797 §3)")
        h64 = b64e(dumps_bytes(protected))
        body = b64e(data) if b64 else data
        entry: dict[str, Any] = {"protected": h64.decode("ascii")}
        if unprotected:
            dumps(unprotected)  # refuse what cannot be serialised now, not in the caller's hands
            entry["header"] = unprotected
        entry["signature"] = b64e_str(desc.sign(signer.key, h64 + b"." + body))
        entries.append(entry)
    out: dict[str, Any] = {}
    if not detached:
        try:
            out["payload"] = body.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError(
                "an unencoded (b64=false) payload in the JSON serialization must be UTF-8 text"
            ) from None
    if flattened:
        out.update(entries[0])
    else:
        out["signatures"] = entries
    return out


def _unencoded_body(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedError("the unencoded payload is not valid Unicode") from None


def _parse_json(obj_or_str: object, limits: Limits) -> Mapping[str, Any]:
    if isinstance(obj_or_str, (str, bytes, bytearray, memoryview)):
        if len(obj_or_str) > limits.max_token_size:
            raise LimitExceededError(
                f"the JWS is larger than the limit of {limits.max_token_size} "
                "(raise Limits.max_token_size to accept it)"
            )
        data = obj_or_str if isinstance(obj_or_str, str) else bytes(obj_or_str)
        if isinstance(data, str) and data.count(".") == 2 and not data.lstrip().startswith("{"):
            raise MalformedError("this is a compact JWS: use jws.verify()")
        return loads_object(data, "JWS JSON serialization", limits.max_json_depth)
    if isinstance(obj_or_str, Mapping):
        return obj_or_str
    raise MalformedError(f"expected a JWS JSON object or its text, not {type(obj_or_str).__name__}")


def _json_entries(obj: Mapping[str, Any], limits: Limits) -> list[Mapping[str, Any]]:
    """The signature objects of a general or flattened JWS, after the structural checks."""
    members = frozenset(obj)
    if "signatures" in obj:
        if not members <= _GENERAL:
            raise MalformedError(
                f"unexpected members in a general JWS: {sorted(members - _GENERAL)} "
                "(general and flattened members cannot be mixed)"
            )
        entries = obj["signatures"]
        if not isinstance(entries, list) or not entries:
            raise MalformedError("'signatures' must be a non-empty array")
        if len(entries) > limits.max_signatures:
            raise LimitExceededError(
                f"the JWS has {len(entries)} signatures, "
                f"more than the limit of {limits.max_signatures}"
            )
        for entry in entries:
            if not isinstance(entry, Mapping):
                raise MalformedError("each member of 'signatures' must be a JSON object")
        return entries
    if "signature" in obj:
        if not members <= _FLATTENED:
            raise MalformedError(
                f"unexpected members in a flattened JWS: {sorted(members - _FLATTENED)}"
            )
        return [{k: obj[k] for k in _SIGNATURE if k in obj}]
    raise MalformedError("a JWS JSON serialization needs 'signatures' or 'signature'")


def _parse_entry(
    entry: Mapping[str, Any], limits: Limits
) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    """(protected text, protected header, merged header, signature text) of one signature."""
    if not frozenset(entry) <= _SIGNATURE:
        raise MalformedError(
            f"unexpected members in a signature: {sorted(frozenset(entry) - _SIGNATURE)}"
        )
    h64 = entry.get("protected", "")
    if not isinstance(h64, str):
        raise MalformedError("'protected' must be a base64url string")
    protected = parse_protected(h64, limits) if "protected" in entry else {}
    unprotected: dict[str, Any] | None = None
    if "header" in entry:
        unprotected = unprotected_object(entry["header"], limits)
        if len(dumps_bytes(unprotected)) > limits.max_header_size:
            raise LimitExceededError(
                f"the unprotected header is larger than the limit of {limits.max_header_size}"
            )
        for name in _PROTECTED_ONLY:
            if name in unprotected:
                raise InvalidHeaderError(f"{name!r} must be in the protected header")
    if not protected and not unprotected:
        raise MalformedError("a signature needs a protected or an unprotected header")
    sig_text = entry.get("signature")
    if not isinstance(sig_text, str):
        raise MalformedError("each signature needs a 'signature' string")
    return h64, protected, merge_headers(protected, unprotected), sig_text


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
    signatures never reach the result. Every signature must be well-formed (and the
    ``signatures`` array no longer than ``limits.max_signatures``) before any is verified.
    Other arguments are those of :func:`verify`.

    Raises:
        JoseError: a subclass saying what was wrong; never a bare Python exception.
    """
    allowed = SIGNATURE_ALGORITHMS.allowed(algorithms)
    understood = understood_extensions(crit, unencoded_payload)
    obj = _parse_json(obj_or_str, limits)
    parsed = [_parse_entry(entry, limits) for entry in _json_entries(obj, limits)]
    flags = {b64_flag(protected, merged) for _, protected, merged, _ in parsed}
    if len(flags) > 1:
        raise InvalidHeaderError("every signature must use the same 'b64' value (RFC 7797 §3)")
    b64 = flags.pop()

    if detached_payload is not None:
        if "payload" in obj:
            raise MalformedError("a detached payload was given, but the JWS carries one")
        payload = payload_bytes(detached_payload)
        check_payload_size(len(payload), limits, encoded=False)
        body = b64e(payload) if b64 else payload
    else:
        p_text = obj.get("payload")
        if not isinstance(p_text, str):
            raise MalformedError("the JWS has no 'payload' string (pass detached_payload=)")
        check_payload_size(len(p_text), limits, encoded=b64)
        if b64:
            if not p_text.isascii():
                raise MalformedError("the payload is not valid base64url")
            payload = b""  # decoded once a signature verified
            body = p_text.encode("ascii")
        else:
            payload = body = _unencoded_body(p_text)

    errors: list[JoseError] = []
    for h64, protected, merged, sig_text in parsed:
        try:
            desc, _ = check_header(protected, merged, allowed, understood, limits)
            signature = b64d(sig_text, "signature")
            used = verify_signature(
                desc, key_or_keyset, merged, h64.encode("ascii") + b"." + body, signature, allowed
            )
        except JoseError as exc:
            errors.append(exc)
            continue
        if b64 and detached_payload is None:
            payload = b64d(obj["payload"], "payload")
        return verified_result(payload, merged, used, protected)
    if len(errors) == 1:
        raise errors[0]
    for kind in (InvalidSignatureError, KeyNotFoundError):
        if any(isinstance(e, kind) for e in errors):
            raise kind(f"no signature verified ({len(errors)} tried): {errors[0]}")
    raise errors[0]
