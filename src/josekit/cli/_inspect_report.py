"""``inspect``'s report: a JWS or JWE decoded, without verifying it, into plain data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._b64 import b64d, b64e_str
from .._header import parse_protected
from .._json import loads_object
from ..errors import JoseError, MalformedError
from ..policy import DEFAULT_LIMITS
from ._inspect_warnings import claims_section, header_warnings, signature_size_warnings
from ._jwe_cmds import is_integrated

__all__ = ["MAX_NESTING", "Decryptor", "inspect_token"]

Decryptor = Callable[[str], tuple[bytes, dict[str, Any]]]
"""Decrypts a JWE (compact or JSON text) and returns its plaintext and header."""
MAX_NESTING = 4
"""Nested tokens are followed this deep."""

_CANNOT_VERIFY = "this token cannot verify (inspect checks no signature)"
_CANNOT_DECRYPT = "this token cannot be decrypted"
_JWS_JSON = frozenset({"payload", "signatures", "signature", "protected", "header"})
_JWE_JSON = frozenset(
    {
        "protected",
        "unprotected",
        "header",
        "encrypted_key",
        "recipients",
        "aad",
        "iv",
        "ciphertext",
        "tag",
    }
)


def _looks_like_token(text: str) -> bool:
    if text.startswith("{"):
        return False
    if text.count(".") not in (2, 4) or len(text) > DEFAULT_LIMITS.max_token_size:
        return False
    first = text.split(".", 1)[0]
    try:
        header = loads_object(b64d(first, "header"), "header")
    except JoseError:
        return False
    return "alg" in header


def _payload_section(
    payload: bytes, cty: Any, now: float, depth: int, decrypt: Decryptor | None
) -> dict[str, Any]:
    """What the payload (or plaintext) is: claims, text, bytes, or a nested token."""
    try:
        text: str | None = payload.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    nested = isinstance(cty, str) and cty.upper() in ("JWT", "APPLICATION/JWT")
    if text is not None and (nested or _looks_like_token(text.strip())):
        if depth >= MAX_NESTING:
            return {
                "payload_kind": "token",
                "payload": text,
                "warnings": [f"nested more than {MAX_NESTING} levels deep: not followed"],
            }
        try:
            inner = inspect_token(text.strip(), now, decrypt=decrypt, depth=depth + 1)
        except JoseError as exc:
            return {
                "payload_kind": "text",
                "payload": text,
                "warnings": [f"cty says the payload is a JWT, but it is not one: {exc}"],
            }
        return {"payload_kind": "nested", "nested": inner, "warnings": []}
    if text is not None and text.lstrip().startswith("{"):
        try:
            claims = loads_object(text, "payload")
        except JoseError as exc:
            return {
                "payload_kind": "text",
                "payload": text,
                "warnings": [f"the payload looks like JSON but is not valid: {exc}"],
            }
        rows, warnings = claims_section(claims, now)
        return {"payload_kind": "claims", "claims": claims, "times": rows, "warnings": warnings}
    if text is not None:
        return {"payload_kind": "text", "payload": text, "warnings": []}
    return {
        "payload_kind": "binary",
        "payload_size": len(payload),
        "payload_b64url": b64e_str(payload),
        "warnings": [],
    }


def _segment_size(part: Any, name: str, consequence: str, warnings: list[str]) -> int | None:
    """The decoded size of a base64url segment; None, with a warning, when it is unreadable.

    ``inspect`` never verifies, so a damaged signature, tag or ciphertext does not stop it
    from showing the header and payload: it flags the segment and goes on.
    """
    if part is None or part == "":
        return 0
    if not isinstance(part, str):
        warnings.append(f"the {name} is not a string: {consequence}")
        return None
    try:
        return len(b64d(part, f"the {name}"))
    except JoseError as exc:
        warnings.append(f"unreadable {name}: {exc}; {consequence}")
        return None


def _segment_sizes(
    names: tuple[str, ...], parts: list[Any], warnings: list[str]
) -> dict[str, int | None]:
    return {
        name: _segment_size(part, name.replace("_", " "), _CANNOT_DECRYPT, warnings)
        for name, part in zip(names, parts, strict=True)
    }


def _decrypt_hints(header: Mapping[str, Any]) -> list[str]:
    """The commands that would open this JWE, for a report made without a key."""
    alg = header.get("alg")
    shown = alg if isinstance(alg, str) and alg != "RSA1_5" else "ALG"
    return [
        f"josekit jwe decrypt TOKEN --key KEY --alg {shown}",
        f"josekit jwt decode TOKEN --decrypt-key KEY --decrypt-alg {shown}   # an encrypted JWT",
    ]


def _with_jws_payload(
    report: dict[str, Any],
    warnings: list[str],
    text: str | None,
    header: Mapping[str, Any],
    now: float,
    depth: int,
    decrypt: Decryptor | None,
) -> dict[str, Any]:
    """``report`` completed with the JWS payload ``text`` (None: detached) and the warnings."""
    if text is None:
        report.update(detached=True, payload_kind="detached", warnings=warnings)
        return report
    b64 = header.get("b64", True) is not False
    payload = b64d(text, "payload") if b64 else text.encode("utf-8")
    section = _payload_section(payload, header.get("cty"), now, depth, decrypt)
    report["warnings"] = warnings + section.pop("warnings")
    report.update(section)
    return report


def _inspect_jws_compact(
    token: str, now: float, depth: int, decrypt: Decryptor | None
) -> dict[str, Any]:
    h64, p64, s64 = token.split(".")
    header = parse_protected(h64, DEFAULT_LIMITS)
    warnings = header_warnings(header, DEFAULT_LIMITS)
    size = _segment_size(s64, "signature", _CANNOT_VERIFY, warnings)
    report: dict[str, Any] = {
        "type": "JWS",
        "serialization": "compact",
        "header": header,
        "signature_size": size,
    }
    if header.get("alg") == "none" and s64:
        warnings.append("alg is 'none' but the signature part is not empty")
    warnings.extend(signature_size_warnings(header.get("alg"), size))
    return _with_jws_payload(report, warnings, p64 or None, header, now, depth, decrypt)


def _inspect_jws_json(
    obj: Mapping[str, Any], now: float, depth: int, decrypt: Decryptor | None
) -> dict[str, Any]:
    unknown = set(obj) - _JWS_JSON
    if unknown:
        raise MalformedError(f"unexpected members in a JWS JSON serialization: {sorted(unknown)}")
    if "signatures" in obj:
        entries = obj["signatures"]
        if not isinstance(entries, list) or not entries:
            raise MalformedError("'signatures' must be a non-empty array")
        serialization = "json-general"
    else:
        entries = [{k: obj[k] for k in ("protected", "header", "signature") if k in obj}]
        serialization = "json-flattened"
    signatures = []
    warnings: list[str] = []
    merged_first: dict[str, Any] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise MalformedError(f"signature {index} is not a JSON object")
        protected = (
            parse_protected(entry["protected"], DEFAULT_LIMITS) if "protected" in entry else {}
        )
        unprotected = entry.get("header") or {}
        if not isinstance(unprotected, dict):
            raise MalformedError(f"signature {index}: 'header' must be a JSON object")
        merged = {**unprotected, **protected}
        if index == 0:
            merged_first = merged
        prefix = f"signature {index + 1}: " if len(entries) > 1 else ""
        own: list[str] = header_warnings(merged, DEFAULT_LIMITS)
        size = _segment_size(entry.get("signature"), "signature", _CANNOT_VERIFY, own)
        own.extend(signature_size_warnings(merged.get("alg"), size))
        signatures.append({"protected": protected, "header": unprotected, "size": size})
        warnings.extend(prefix + w for w in own)
        for name in ("crit", "b64"):
            if name in unprotected:
                warnings.append(
                    f"{prefix}'{name}' is in the unprotected header: verifiers refuse it"
                )
        if "alg" in unprotected:
            # RFC 7515 allows it (jws.verify_json accepts it); a JWT's alg must be protected.
            warnings.append(
                f"{prefix}'alg' is in the unprotected header: RFC 7515 allows it, but JWT and "
                "SD-JWT verifiers refuse it (a JWT's 'alg' must be protected)"
            )
    report: dict[str, Any] = {
        "type": "JWS",
        "serialization": serialization,
        "signatures": signatures,
    }
    p_text = obj.get("payload")
    if p_text is not None and not isinstance(p_text, str):
        raise MalformedError("'payload' must be a string")
    return _with_jws_payload(report, warnings, p_text, merged_first, now, depth, decrypt)


def _jwe_common(
    report: dict[str, Any],
    header: Mapping[str, Any],
    token: str,
    now: float,
    depth: int,
    decrypt: Decryptor | None,
    warnings: list[str],
) -> dict[str, Any]:
    cty = header.get("cty")
    if decrypt is None:
        report["payload_kind"] = "encrypted"
        report["decrypt_with"] = _decrypt_hints(header)
        if isinstance(cty, str) and cty.upper() in ("JWT", "APPLICATION/JWT"):
            warnings.append(
                "encrypted (JWE) with cty JWT: it carries a nested JWT, which cannot be shown "
                "without the key (give --key here, or decrypt it with 'josekit jwe decrypt' "
                "or 'josekit jwt decode --decrypt-key')"
            )
        else:
            warnings.append(
                "encrypted (JWE): the content cannot be shown without the key (give --key "
                "here, or decrypt it with 'josekit jwe decrypt' or 'josekit jwt decode "
                "--decrypt-key')"
            )
        report["warnings"] = warnings
        return report
    plaintext, used_header = decrypt(token)
    report["decrypted"] = True
    section = _payload_section(plaintext, used_header.get("cty", cty), now, depth, decrypt)
    report["warnings"] = warnings + section.pop("warnings")
    report.update(section)
    return report


def _inspect_jwe_compact(
    token: str, now: float, depth: int, decrypt: Decryptor | None
) -> dict[str, Any]:
    parts = token.split(".")
    header = parse_protected(parts[0], DEFAULT_LIMITS)
    report: dict[str, Any] = {
        "type": "JWE",
        "serialization": "compact",
        "header": header,
        "decrypted": False,
    }
    warnings = header_warnings(header, DEFAULT_LIMITS)
    names = ("encrypted_key", "iv", "ciphertext", "tag")
    report["sizes"] = _segment_sizes(names, parts[1:], warnings)
    if "enc" not in header and not is_integrated(header.get("alg")):
        warnings.append("the header has no 'enc'")
    return _jwe_common(report, header, token, now, depth, decrypt, warnings)


def _inspect_jwe_json(
    obj: Mapping[str, Any], token: str, now: float, depth: int, decrypt: Decryptor | None
) -> dict[str, Any]:
    unknown = set(obj) - _JWE_JSON
    if unknown:
        raise MalformedError(f"unexpected members in a JWE JSON serialization: {sorted(unknown)}")
    protected = parse_protected(obj["protected"], DEFAULT_LIMITS) if "protected" in obj else {}
    shared = obj.get("unprotected") or {}
    if not isinstance(shared, dict):
        raise MalformedError("'unprotected' must be a JSON object")
    if "recipients" in obj:
        recipients = obj["recipients"]
        if not isinstance(recipients, list) or not recipients:
            raise MalformedError("'recipients' must be a non-empty array")
        serialization = "json-general"
    else:
        recipients = [{k: obj[k] for k in ("header", "encrypted_key") if k in obj}]
        serialization = "json-flattened"
    warnings: list[str] = []
    shown = []
    for index, recipient in enumerate(recipients):
        if not isinstance(recipient, dict):
            raise MalformedError(f"recipient {index} is not a JSON object")
        own = recipient.get("header") or {}
        if not isinstance(own, dict):
            raise MalformedError(f"recipient {index}: 'header' must be a JSON object")
        shown.append({"header": own})
        prefix = f"recipient {index + 1}: " if len(recipients) > 1 else ""
        merged = {**shared, **own, **protected}
        warnings.extend(prefix + w for w in header_warnings(merged, DEFAULT_LIMITS))
    for index, recipient in enumerate(recipients):
        name = f"recipient {index + 1} encrypted key" if len(recipients) > 1 else "encrypted key"
        _segment_size(recipient.get("encrypted_key"), name, _CANNOT_DECRYPT, warnings)
    parts = [obj.get(name) for name in ("iv", "ciphertext", "tag")]
    sizes = _segment_sizes(("iv", "ciphertext", "tag"), parts, warnings)
    algs = [{**shared, **r.get("header", {}), **protected}.get("alg") for r in shown]
    if "enc" not in {**shared, **protected} and not all(is_integrated(a) for a in algs):
        warnings.append("no 'enc' in the protected or shared header")
    report: dict[str, Any] = {
        "type": "JWE",
        "serialization": serialization,
        "protected": protected,
        "unprotected": shared,
        "recipients": shown,
        "sizes": sizes,
        "decrypted": False,
    }
    if "aad" in obj:
        report["aad"] = obj["aad"]
    merged_shared = {**shared, **protected}
    return _jwe_common(report, merged_shared, token, now, depth, decrypt, warnings)


def inspect_token(
    token: str, now: float, *, decrypt: Decryptor | None = None, depth: int = 0
) -> dict[str, Any]:
    """Decode ``token`` without verifying it; return the report that ``inspect`` prints.

    The report (also the ``--json`` output, with ``verified: false`` and ``notice`` added):
    ``type`` (``JWS``/``JWE``), ``serialization`` (``compact``, ``json-general``,
    ``json-flattened``), the headers (``header``; or ``signatures``; or ``protected``,
    ``unprotected`` and ``recipients``), ``payload_kind`` (``claims``, ``text``,
    ``binary``, ``detached``, ``encrypted``, ``nested``) with ``claims`` and ``times``,
    ``payload``, ``payload_size``/``payload_b64url`` or ``nested`` (the inner token's
    report), ``decrypted`` for a JWE, and ``warnings`` (a list of sentences).

    Raises:
        JoseError: the token is not a well-formed JWS or JWE (the message says why).
    """
    if len(token) > DEFAULT_LIMITS.max_token_size:
        raise MalformedError(
            f"the token is larger than the limit of {DEFAULT_LIMITS.max_token_size} characters"
        )
    if token.startswith("{"):
        obj = loads_object(token, "the JSON serialization", DEFAULT_LIMITS.max_json_depth)
        if "ciphertext" in obj:
            return _inspect_jwe_json(obj, token, now, depth, decrypt)
        if "signatures" in obj or "signature" in obj:
            return _inspect_jws_json(obj, now, depth, decrypt)
        raise MalformedError(
            "this JSON is neither a JWS (no 'signature'/'signatures') nor a JWE (no 'ciphertext')"
        )
    dots = token.count(".")
    if dots == 2:
        return _inspect_jws_compact(token, now, depth, decrypt)
    if dots == 4:
        return _inspect_jwe_compact(token, now, depth, decrypt)
    raise MalformedError(
        f"this is not a token: a compact JWS has 3 parts and a compact JWE 5, separated by '.', "
        f"but this has {dots + 1}"
    )
