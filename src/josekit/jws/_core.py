"""JWS signing and verification: compact, JSON general and JSON flattened serializations."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from types import MappingProxyType
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
from .._json import dumps, dumps_bytes, loads_object
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
from ..jwk import Key, KeyResolver, fitting_keys
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

_TABLE = SIGNATURE_ALGORITHMS.table
# The protected header {"alg": name} of every algorithm, encoded once.
_ALG_ONLY_HEADER: Mapping[str, bytes] = MappingProxyType(
    {name: b64e(dumps_bytes({"alg": name})) for name in SIGNATURE_ALGORITHMS}
)


@dataclass(frozen=True, slots=True)
class VerifiedJWS:
    """The result of a successful verification.

    Attributes:
        payload: the verified payload bytes.
        header: the protected and unprotected header parameters of the signature that verified.
        key: the key that verified it (``None`` only from :func:`decode_unsecured`).
        protected_header: the integrity-protected part of ``header``.
    """

    payload: bytes
    header: dict[str, Any]
    key: Key | None
    protected_header: dict[str, Any] = field(default_factory=dict)


# VerifiedJWS is built on every verification: setting its slots directly skips the frozen
# dataclass __init__ (one object.__setattr__ per field), with the same result.
_new_object = object.__new__
_SET_RESULT = tuple(
    vars(VerifiedJWS)[name].__set__ for name in ("payload", "header", "key", "protected_header")
)


def _result(
    payload: bytes, header: dict[str, Any], key: Key | None, protected: dict[str, Any]
) -> VerifiedJWS:
    result: VerifiedJWS = _new_object(VerifiedJWS)
    set_payload, set_header, set_key, set_protected = _SET_RESULT
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


# -- shared helpers ------------------------------------------------------------------------


def _payload_bytes(payload: Payload) -> bytes:
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


def _header_dict(header: object, what: str) -> dict[str, Any]:
    """A caller's header as a new dict; it must be a mapping with string member names."""
    if not isinstance(header, Mapping):
        raise InvalidHeaderError(f"{what} must be a mapping, not {type(header).__name__}")
    out = dict(header)
    for name in out:
        if not isinstance(name, str):
            raise InvalidHeaderError(f"{what} member names must be strings, not {name!r}")
    return out


_NOTHING: frozenset[str] = frozenset()
_B64_ONLY = frozenset({"b64"})


def _understood(crit: Iterable[str], unencoded_payload: bool) -> frozenset[str]:
    """The extensions a verify call understands: the caller's, plus ``b64`` if enabled."""
    if not crit:
        return _B64_ONLY if unencoded_payload else _NOTHING
    if isinstance(crit, (str, bytes)):
        raise InvalidHeaderError("crit= must be a list of header parameter names, not a string")
    names = set()
    for name in crit:
        if not isinstance(name, str):
            raise InvalidHeaderError(f"crit= must list header parameter names, not {name!r}")
        names.add(name)
    # 'b64' is understood only through unencoded_payload=True, the one switch for RFC 7797.
    names.discard("b64")
    if unencoded_payload:
        names.add("b64")
    return frozenset(names)


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


def _check_payload_size(size: int, limits: Limits, encoded: bool) -> None:
    """Bound a payload before any work on it; ``encoded`` sizes are base64url characters."""
    limit = limits.max_payload_size * 4 // 3 + 3 if encoded else limits.max_payload_size
    if size > limit:
        raise LimitExceededError(
            f"the payload is larger than the limit of {limits.max_payload_size} bytes "
            "(raise Limits.max_payload_size to accept it)"
        )


def _unencoded_body(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedError("the unencoded payload is not valid Unicode") from None


# -- signing -------------------------------------------------------------------------------


def _signing_alg(alg: str, key: Key, header: Mapping[str, Any] | None) -> SignatureAlgorithm:
    if alg == "none":
        raise AlgorithmNotAllowedError(
            "alg 'none' produces an unsecured JWS: use jws.encode_unsecured() for that"
        )
    desc = SIGNATURE_ALGORITHMS.lookup(alg)
    if not isinstance(key, Key):
        raise InvalidKeyError(
            f"expected a josekit Key, not {type(key).__name__}; import it with Key.import_key(...)"
        )
    desc.check_key(key, "sign")
    if header and "alg" in header and header["alg"] != alg:
        raise InvalidHeaderError(f"header alg {header['alg']!r} contradicts alg={alg!r}")
    return desc


def _check_new_header(protected: Mapping[str, Any], merged: Mapping[str, Any]) -> bool:
    """Check a header about to be signed as a verifier will; return the ``b64`` flag."""
    if "crit" in merged:
        crit = protected.get("crit")
        # The signer understands the extensions it lists itself; the rest is checked as usual.
        own = frozenset(c for c in crit if isinstance(c, str)) if isinstance(crit, list) else ()
        check_crit(protected, merged, own, JWS_REGISTERED)
    return _b64_flag(protected, merged)


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

    Raises:
        JoseError: a subclass saying what was wrong (key unfit for ``alg``, bad header...).
    """
    data = _payload_bytes(payload)
    given = None if header is None else _header_dict(header, "header")
    desc = _signing_alg(alg, key, given)
    kid = key.kid
    if given is None and kid is None:
        h64 = _ALG_ONLY_HEADER[desc.name]
        b64 = True
    elif given is None and kid is not None:
        # The same bytes as dumps_bytes({"alg": alg, "kid": kid}), without the dict.
        try:
            h64 = b64e(f'{{"alg":"{desc.name}","kid":{encode_basestring(kid)}}}'.encode())
        except UnicodeEncodeError:
            raise InvalidKeyError("the key's kid is not valid Unicode") from None
        b64 = True
    else:
        protected: dict[str, Any] = {"alg": desc.name}
        if kid is not None:
            protected["kid"] = kid
        protected.update(given or {})
        b64 = _check_new_header(protected, protected)
        h64 = b64e(dumps_bytes(protected))
    body = b64e(data) if b64 else data
    if not b64 and not detached and (b"." in body or not body.isascii()):
        raise MalformedError(
            "an unencoded (b64=false) payload in compact form must be ASCII without '.': "
            "use detached=True or the JSON serialization"
        )
    signature = desc.sign(key, h64 + b"." + body)
    middle = "" if detached else body.decode("ascii")
    return f"{h64.decode('ascii')}.{middle}.{b64e_str(signature)}"


# -- verification --------------------------------------------------------------------------


def _verify_signature(
    desc: SignatureAlgorithm,
    source: KeySource,
    header: Mapping[str, Any],
    signing_input: bytes,
    signature: bytes,
) -> Key:
    """Verify with ``source`` (one key, or each fitting candidate of a resolver) and return
    the key that verified. Keys are checked against ``desc`` before any cryptography."""
    if isinstance(source, Key):
        desc.check_key(source, "verify")
        desc.verify(source, signing_input, signature)
        return source
    fitting = fitting_keys(
        source,
        header,
        "verify",
        lambda key: desc.check_key(key, "verify"),
        f"verify alg {desc.name}",
    )
    for candidate in fitting:
        try:
            desc.verify(candidate, signing_input, signature)
        except InvalidSignatureError:
            continue
        return candidate
    raise InvalidSignatureError("signature verification failed")


_ALG_NONE_REFUSED = (
    "alg 'none' (unsecured JWS) is never accepted by verify; "
    "use jws.decode_unsecured() if you really mean to read an unsecured JWS"
)


def _check_header(
    protected: Mapping[str, Any],
    merged: Mapping[str, Any],
    allowed: Collection[str],
    understood: frozenset[str],
    limits: Limits,
    alg_none: str = _ALG_NONE_REFUSED,
    b64_refused: str | None = None,
) -> tuple[SignatureAlgorithm, bool]:
    """Check a received header once, before any cryptography: the descriptor and ``b64``.

    ``alg_none`` is the message refusing ``alg: none``; with ``b64_refused``, any ``b64``
    parameter is refused with that message (a JWT never uses RFC 7797).
    """
    alg = merged.get("alg")
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
        return desc, _b64_flag(protected, merged)
    return desc, True


def _not_compact(text: str) -> MalformedError:
    """The error for a text that is not three '.'-separated parts, with a hint if one fits."""
    dots = text.count(".")
    if text.lstrip().startswith("{"):
        hint = ": this is a JSON serialization, use jws.verify_json()"
    elif dots == 4:
        hint = ": this has five parts, like a JWE (use jwe.decrypt())"
    else:
        hint = f", not {dots + 1}"
    return MalformedError(f"a compact JWS has exactly three parts separated by '.'{hint}")


def _compact_text(token: object, limits: Limits) -> str:
    if isinstance(token, str):
        text = token
    elif isinstance(token, (bytes, bytearray, memoryview)):
        try:
            text = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedError("a compact JWS must be ASCII text") from None
    else:
        raise MalformedError(f"token must be a str, not {type(token).__name__}")
    if len(text) > limits.max_token_size:
        raise LimitExceededError(
            f"the token is larger than the limit of {limits.max_token_size} characters "
            "(raise Limits.max_token_size to accept it)"
        )
    if text.count(".") != 2:
        raise _not_compact(text)
    if not text.isascii():
        raise MalformedError("a compact JWS must be ASCII text")
    return text


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
        algorithms: the ``alg`` values accepted; required and non-empty. The header's ``alg``
            must be one of them, must equal the key's ``alg`` if it has one, and must fit
            the key type.
        detached_payload: the payload of a detached-content JWS (its payload part is empty).
        crit: header extensions the caller understands and processes (RFC 7515 §4.1.11).
        unencoded_payload: accept RFC 7797 ``b64: false`` payloads (protected, in ``crit``).
        limits: size limits for this call.

    Raises:
        JoseError: a subclass saying what was wrong; never a bare Python exception.
    """
    if (
        type(algorithms) is list
        and len(algorithms) == 1
        and type(algorithms[0]) is str
        and algorithms[0] in _TABLE
    ):
        allowed: Collection[str] = algorithms  # one implemented name: nothing more to check
    else:
        allowed = SIGNATURE_ALGORITHMS.allowed(algorithms)
    understood = _understood(crit, unencoded_payload) if crit or unencoded_payload else _NOTHING
    # The common case first, without the calls that explain what is wrong.
    if type(token) is str and len(token) <= limits.max_token_size and token.isascii():
        text = token
    else:
        text = _compact_text(token, limits)
    return _verify_compact(text, key_or_keyset, allowed, understood, limits, detached_payload)


def _verify_compact(
    text: str,
    source: KeySource,
    allowed: Collection[str],
    understood: frozenset[str],
    limits: Limits,
    detached_payload: Payload | None = None,
    not_compact: Callable[[str], JoseError] = _not_compact,
    alg_none: str = _ALG_NONE_REFUSED,
    b64_refused: str | None = None,
) -> VerifiedJWS:
    """Verify a compact JWS: its header, its payload bytes and the key that verified it.

    The one compact verification path, for :func:`verify` and for signed JWTs. ``text`` is
    ASCII and within ``limits.max_token_size`` (the caller checked). ``not_compact`` builds
    the error for a text that is not three parts; ``alg_none`` and ``b64_refused`` are those
    of :func:`_check_header`. Nothing is decoded beyond the header before the signature is
    checked, and the payload only after it verified.
    """
    parts = text.split(".", 3)  # maxsplit bounds the work on a token made of dots
    if len(parts) != 3:
        raise not_compact(text)
    h64, p64, s64 = parts
    header = parse_protected(h64, limits)
    alg = header.get("alg")
    desc = _TABLE.get(alg) if type(alg) is str else None
    if (
        desc is not None
        and alg in allowed
        and "crit" not in header
        and "b64" not in header
        and (type(kid := header.get("kid", "")) is str and len(kid) <= limits.max_kid_length)
    ):
        b64 = True  # the common header, checked inline: _check_header() gives the same answer
    else:
        desc, b64 = _check_header(
            header, header, allowed, understood, limits, alg_none, b64_refused
        )
    if detached_payload is not None:
        if p64:
            raise MalformedError("a detached payload was given, but the token carries one")
        payload = _payload_bytes(detached_payload)
        _check_payload_size(len(payload), limits, encoded=False)
        signing_input = h64.encode("ascii") + b"." + (b64e(payload) if b64 else payload)
    else:
        if len(p64) > limits.max_payload_size:  # cheap test first: base64url is longer
            _check_payload_size(len(p64), limits, encoded=b64)
        signing_input = text[: len(h64) + 1 + len(p64)].encode("ascii")
    signature = b64d(s64, "signature")
    if isinstance(source, Key):
        desc.check_key(source, "verify")
        desc.verify(source, signing_input, signature)
        used = source
    else:
        used = _verify_signature(desc, source, header, signing_input, signature)
    if detached_payload is None:
        # Decoded only now: a forged token never costs a decode of its payload.
        payload = b64d(p64, "payload") if b64 else p64.encode("ascii")
    result: VerifiedJWS = _new_object(VerifiedJWS)  # _result(), inlined
    set_payload, set_header, set_key, set_protected = _SET_RESULT
    set_payload(result, payload)
    set_header(result, header)
    set_key(result, used)
    set_protected(result, header)
    return result


# -- JSON serialization -------------------------------------------------------------------

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
    data = _payload_bytes(payload)
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
        given = None if signer.protected is None else _header_dict(signer.protected, "protected")
        unprotected = {} if signer.header is None else _header_dict(signer.header, "header")
        desc = _signing_alg(signer.alg, signer.key, given)
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
        b64 = _check_new_header(protected, merged)
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
    understood = _understood(crit, unencoded_payload)
    obj = _parse_json(obj_or_str, limits)
    parsed = [_parse_entry(entry, limits) for entry in _json_entries(obj, limits)]
    flags = {_b64_flag(protected, merged) for _, protected, merged, _ in parsed}
    if len(flags) > 1:
        raise InvalidHeaderError("every signature must use the same 'b64' value (RFC 7797 §3)")
    b64 = flags.pop()

    if detached_payload is not None:
        if "payload" in obj:
            raise MalformedError("a detached payload was given, but the JWS carries one")
        payload = _payload_bytes(detached_payload)
        _check_payload_size(len(payload), limits, encoded=False)
        body = b64e(payload) if b64 else payload
    else:
        p_text = obj.get("payload")
        if not isinstance(p_text, str):
            raise MalformedError("the JWS has no 'payload' string (pass detached_payload=)")
        _check_payload_size(len(p_text), limits, encoded=b64)
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
            desc, _ = _check_header(protected, merged, allowed, understood, limits)
            signature = b64d(sig_text, "signature")
            used = _verify_signature(
                desc, key_or_keyset, merged, h64.encode("ascii") + b"." + body, signature
            )
        except JoseError as exc:
            errors.append(exc)
            continue
        if b64 and detached_payload is None:
            payload = b64d(obj["payload"], "payload")
        return _result(payload, merged, used, protected)
    if len(errors) == 1:
        raise errors[0]
    for kind in (InvalidSignatureError, KeyNotFoundError):
        if any(isinstance(e, kind) for e in errors):
            raise kind(f"no signature verified ({len(errors)} tried): {errors[0]}")
    raise errors[0]


# -- unsecured JWS ------------------------------------------------------------------------


def encode_unsecured(payload: Payload, *, header: Mapping[str, Any] | None = None) -> str:
    """Create an unsecured JWS (``alg: none``, RFC 7515 Appendix A.5). Nobody can trust it.

    Raises:
        JoseError: a subclass saying what was wrong with the payload or header.
    """
    data = _payload_bytes(payload)
    protected = {"alg": "none", **(_header_dict(header, "header") if header is not None else {})}
    if protected["alg"] != "none":
        raise InvalidHeaderError("an unsecured JWS has alg 'none'")
    for name in ("crit", "b64"):
        if name in protected:
            raise InvalidHeaderError(f"an unsecured JWS from josekit carries no {name!r}")
    return f"{b64e_str(dumps_bytes(protected))}.{b64e_str(data)}."


def decode_unsecured(token: str | bytes, *, limits: Limits = DEFAULT_LIMITS) -> VerifiedJWS:
    """Read an unsecured JWS (``alg: none`` and an empty signature). Nothing is verified.

    Raises:
        JoseError: a subclass saying what was wrong (not ``alg: none``, a signature present...).
    """
    text = _compact_text(token, limits)
    h64, p64, s64 = text.split(".")
    header = parse_protected(h64, limits)
    if header.get("alg") != "none":
        raise InvalidHeaderError(
            "this is not an unsecured JWS (alg is not 'none'); use jws.verify()"
        )
    if s64:
        raise InvalidSignatureError("an unsecured JWS must have an empty signature")
    if "crit" in header:
        check_crit(header, header, (), JWS_REGISTERED)
    if "b64" in header:
        raise InvalidHeaderError("'b64' must be listed in 'crit' (RFC 7797 §6)")
    _check_payload_size(len(p64), limits, encoded=True)
    return _result(b64d(p64, "payload"), header, None, header)
