"""``josekit inspect``: decode a JWS, JWE or JWT without verifying it, and say what is risky."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import click

from .._b64 import b64d, b64e_str
from .._header import parse_protected
from .._json import loads_object
from ..algorithms import KEY_MANAGEMENT, SIGNATURE_ALGORITHMS
from ..errors import JoseError, MalformedError
from ..policy import DEFAULT_LIMITS, Limits
from ._common import (
    CliFailure,
    current_time,
    emit_json,
    failure_from,
    format_date,
    format_duration,
    json_mode,
    json_option,
    now_option,
    read_token,
)
from ._jwe_cmds import decrypt_token, header_algorithms, is_integrated
from ._keysource import key_source_options, resolve_key_source
from ._render import Printer, printer

__all__ = ["Decryptor", "inspect_command", "inspect_token"]

Decryptor = Callable[[str], tuple[bytes, dict[str, Any]]]
"""Decrypts a JWE (compact or JSON text) and returns its plaintext and header."""

LONG_LIFETIME = 24 * 3600
"""Lifetimes above this (seconds) get a warning."""
MAX_NESTING = 4
"""Nested tokens are followed this deep."""
CLOCK_SKEW = 60
"""An ``iat`` further than this in the future gets a warning."""

NOT_VERIFIED = "NOT VERIFIED: decoded without checking any signature; anyone could have made this."
NOT_VERIFIED_DECRYPTED = (
    "NOT VERIFIED: decrypted with your key, which does not tell who made it; "
    "no signature inside was checked."
)
HOW_TO_VERIFY = (
    "To check a token, use 'josekit jws verify' or 'josekit jwt decode' with the issuer's key."
)

_TIME_CLAIMS = ("iat", "nbf", "exp", "auth_time")
_KEY_HEADERS = {
    "jwk": "the header embeds a public key ('jwk'): a verifier must never trust a key that "
    "the token brings with it",
    "jku": "the header points to a JWK Set URL ('jku' {value}): a verifier must never fetch "
    "keys from a URL taken from the token",
    "x5u": "the header points to a certificate URL ('x5u' {value}): a verifier must never "
    "fetch keys from a URL taken from the token",
    "x5c": "the header carries a certificate chain ('x5c'): trust it only after validating "
    "the chain against your own trust anchors",
}
_SUSPICIOUS_KID = re.compile(r"(\.\.|[/\\'\";\x00]|--|\s)")
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


def _known_algorithm(name: str) -> bool:
    return name in SIGNATURE_ALGORITHMS or name in KEY_MANAGEMENT or name == "none"


def _header_warnings(header: Mapping[str, Any], limits: Limits) -> list[str]:
    warnings: list[str] = []
    alg = header.get("alg")
    if alg is None:
        warnings.append("the header has no 'alg'")
    elif alg == "none":
        warnings.append("alg is 'none': the token is unsecured (no signature); anyone can forge it")
    elif alg == "RSA1_5":
        warnings.append(
            "alg RSA1_5 (RSAES-PKCS1-v1_5 key encryption) is open to padding-oracle attacks "
            "(Bleichenbacher); use RSA-OAEP-256"
        )
    elif not isinstance(alg, str) or not _known_algorithm(alg):
        warnings.append(f"alg {alg!r} is not an algorithm josekit implements")
    for name, message in _KEY_HEADERS.items():
        if name in header:
            value = header[name]
            warnings.append(message.format(value=repr(value) if isinstance(value, str) else ""))
    kid = header.get("kid")
    if isinstance(kid, str) and _SUSPICIOUS_KID.search(kid):
        warnings.append(
            f"kid {kid!r} contains path, quote or SQL characters: use it only as a lookup key "
            "in your own key set, never in a file path or a query"
        )
    elif kid is not None and not isinstance(kid, str):
        warnings.append("'kid' is not a string")
    p2c = header.get("p2c")
    if isinstance(p2c, int) and not isinstance(p2c, bool):
        if p2c > limits.max_p2c:
            warnings.append(
                f"PBES2 iteration count p2c={p2c} is above the limit of {limits.max_p2c}: "
                "decrypting it costs a lot of CPU (josekit refuses it)"
            )
        elif p2c < limits.min_p2c:
            warnings.append(
                f"PBES2 iteration count p2c={p2c} is below {limits.min_p2c}: the password is "
                "weakly protected"
            )
    zip_ = header.get("zip")
    if zip_ is not None and zip_ != "DEF":
        warnings.append(f"unknown compression zip={zip_!r}")
    return warnings


def _numeric(value: Any) -> float | None:
    """A finite NumericDate as a float, or None (also for bool and out-of-range integers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _time_row(claim: str, value: float, now: float) -> dict[str, Any]:
    delta = value - now
    ago = f"{format_duration(delta)} ago"
    ahead = f"in {format_duration(delta)}"
    if claim == "exp":
        relative, status = (
            (f"expires {ahead}", "valid") if delta > 0 else (f"expired {ago}", "expired")
        )
    elif claim == "nbf":
        relative, status = (
            (f"becomes valid {ahead}", "not yet valid")
            if delta > 0
            else (f"valid since {ago}", "ok")
        )
    elif claim == "iat":
        relative, status = (
            (f"issued {format_duration(delta)} in the future", "future")
            if delta > 0
            else (f"issued {ago}", "ok")
        )
    else:
        relative, status = (
            (f"{format_duration(delta)} in the future", "future") if delta > 0 else (ago, "ok")
        )
    return {
        "claim": claim,
        "value": value if not float(value).is_integer() else int(value),
        "date": format_date(value),
        "relative": relative,
        "status": status,
    }


def _claims_section(claims: Mapping[str, Any], now: float) -> tuple[list[Any], list[str]]:
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    times: dict[str, float] = {}
    for claim in _TIME_CLAIMS:
        if claim not in claims:
            continue
        value = _numeric(claims[claim])
        if value is None:
            warnings.append(
                f"'{claim}' is not a NumericDate (a number of seconds since 1970): "
                "verifiers will reject the token"
            )
            continue
        times[claim] = value
        rows.append(_time_row(claim, value, now))
    exp = times.get("exp")
    if "exp" not in claims:
        warnings.append("no 'exp' claim: the token never expires")
    elif exp is not None and exp <= now:
        warnings.append(f"the token expired {format_duration(exp - now)} ago ({format_date(exp)})")
    nbf = times.get("nbf")
    if nbf is not None and nbf > now:
        warnings.append(
            f"the token is not valid yet: it becomes valid in {format_duration(nbf - now)}"
        )
    iat = times.get("iat")
    if iat is not None and iat > now + CLOCK_SKEW:
        warnings.append(
            f"'iat' is {format_duration(iat - now)} in the future: the issuer's clock is wrong, "
            "or the token was made up"
        )
    if exp is not None:
        start = iat if iat is not None else nbf
        if start is not None and exp - start > LONG_LIFETIME:
            warnings.append(
                f"very long lifetime: valid for {format_duration(exp - start)} from "
                f"{'iat' if iat is not None else 'nbf'} to exp; a stolen token stays usable "
                "that long"
            )
        elif start is None and exp - now > LONG_LIFETIME:
            warnings.append(
                f"very long lifetime: still valid for {format_duration(exp - now)}; a stolen "
                "token stays usable that long"
            )
    return rows, warnings


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
        rows, warnings = _claims_section(claims, now)
        return {"payload_kind": "claims", "claims": claims, "times": rows, "warnings": warnings}
    if text is not None:
        return {"payload_kind": "text", "payload": text, "warnings": []}
    return {
        "payload_kind": "binary",
        "payload_size": len(payload),
        "payload_b64url": b64e_str(payload),
        "warnings": [],
    }


def _segment_sizes(names: tuple[str, ...], parts: list[str]) -> dict[str, int]:
    sizes = {}
    for name, part in zip(names, parts, strict=True):
        sizes[name] = len(b64d(part, f"the {name.replace('_', ' ')}")) if part else 0
    return sizes


def _inspect_jws_compact(
    token: str, now: float, depth: int, decrypt: Decryptor | None
) -> dict[str, Any]:
    h64, p64, s64 = token.split(".")
    header = parse_protected(h64, DEFAULT_LIMITS)
    signature = b64d(s64, "signature") if s64 else b""
    report: dict[str, Any] = {
        "type": "JWS",
        "serialization": "compact",
        "header": header,
        "signature_size": len(signature),
    }
    warnings = _header_warnings(header, DEFAULT_LIMITS)
    if header.get("alg") == "none" and signature:
        warnings.append("alg is 'none' but the signature part is not empty")
    if not p64:
        report["detached"] = True
        report["payload_kind"] = "detached"
        report["warnings"] = warnings
        return report
    b64 = header.get("b64", True) is not False
    payload = b64d(p64, "payload") if b64 else p64.encode("utf-8")
    section = _payload_section(payload, header.get("cty"), now, depth, decrypt)
    report["warnings"] = warnings + section.pop("warnings")
    report.update(section)
    return report


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
        signatures.append({"protected": protected, "header": unprotected})
        prefix = f"signature {index + 1}: " if len(entries) > 1 else ""
        warnings.extend(prefix + w for w in _header_warnings(merged, DEFAULT_LIMITS))
        for name in ("alg", "crit", "b64"):
            if name in unprotected:
                warnings.append(
                    f"{prefix}'{name}' is in the unprotected header: verifiers refuse it"
                )
    report: dict[str, Any] = {
        "type": "JWS",
        "serialization": serialization,
        "signatures": signatures,
    }
    p_text = obj.get("payload")
    if p_text is None:
        report["detached"] = True
        report["payload_kind"] = "detached"
        report["warnings"] = warnings
        return report
    if not isinstance(p_text, str):
        raise MalformedError("'payload' must be a string")
    b64 = merged_first.get("b64", True) is not False
    payload = b64d(p_text, "payload") if b64 else p_text.encode("utf-8")
    section = _payload_section(payload, merged_first.get("cty"), now, depth, decrypt)
    report["warnings"] = warnings + section.pop("warnings")
    report.update(section)
    return report


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
        if isinstance(cty, str) and cty.upper() in ("JWT", "APPLICATION/JWT"):
            warnings.append(
                "encrypted (JWE) with cty JWT: it carries a nested JWT, which cannot be shown "
                "without the key (give --key)"
            )
        else:
            warnings.append(
                "encrypted (JWE): the content cannot be shown without the key (give --key)"
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
        "sizes": _segment_sizes(("encrypted_key", "iv", "ciphertext", "tag"), parts[1:]),
        "decrypted": False,
    }
    warnings = _header_warnings(header, DEFAULT_LIMITS)
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
        warnings.extend(prefix + w for w in _header_warnings(merged, DEFAULT_LIMITS))
    algs = [{**shared, **r.get("header", {}), **protected}.get("alg") for r in shown]
    if "enc" not in {**shared, **protected} and not all(is_integrated(a) for a in algs):
        warnings.append("no 'enc' in the protected or shared header")
    report: dict[str, Any] = {
        "type": "JWE",
        "serialization": serialization,
        "protected": protected,
        "unprotected": shared,
        "recipients": shown,
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


# -- human output ---------------------------------------------------------------------------


def _summary(report: Mapping[str, Any]) -> list[tuple[str, str]]:
    kind = report["type"]
    serialization = {
        "compact": "compact serialization",
        "json-general": "JSON serialization (general)",
        "json-flattened": "JSON serialization (flattened)",
    }[report["serialization"]]
    rows = [("Type", f"{kind}, {serialization}")]
    header = report.get("header") or {
        **(report.get("unprotected") or {}),
        **(report.get("protected") or {}),
    }
    if kind == "JWS" and "signatures" in report:
        algs = [str({**s["header"], **s["protected"]}.get("alg")) for s in report["signatures"]]
        rows.append(("Signatures", f"{len(algs)} ({', '.join(algs)})"))
    elif "alg" in header:
        rows.append(("Algorithm", str(header.get("alg"))))
    if kind == "JWE":
        if "enc" in header:
            rows.append(("Encryption", str(header.get("enc"))))
        if "recipients" in report:
            rows.append(("Recipients", str(len(report["recipients"]))))
        rows.append(("Decrypted", "yes" if report.get("decrypted") else "no"))
    return rows


def _render(out: Printer, report: Mapping[str, Any], top: bool) -> None:
    if top:
        decrypted = report.get("decrypted")
        out.line(NOT_VERIFIED_DECRYPTED if decrypted else NOT_VERIFIED, "bad")
        out.line(HOW_TO_VERIFY, "dim")
        out.line()
    out.fields(_summary(report))
    if "header" in report:
        out.heading("Header")
        out.json(report["header"])
    if "signatures" in report:
        for index, entry in enumerate(report["signatures"], 1):
            out.heading(f"Signature {index}: protected header")
            out.json(entry["protected"])
            if entry["header"]:
                out.heading(f"Signature {index}: unprotected header")
                out.json(entry["header"])
    if "protected" in report:
        out.heading("Protected header")
        out.json(report["protected"])
    if report.get("unprotected"):
        out.heading("Shared unprotected header")
        out.json(report["unprotected"])
    for index, recipient in enumerate(report.get("recipients", []), 1):
        if recipient["header"]:
            out.heading(f"Recipient {index}: header")
            out.json(recipient["header"])
    kind = report.get("payload_kind")
    if kind == "claims":
        out.heading("Claims")
        out.json(report["claims"])
        if report["times"]:
            out.table(
                ["Claim", "Value", "Date", "When"],
                [[t["claim"], str(t["value"]), t["date"], t["relative"]] for t in report["times"]],
                title="Times",
            )
    elif kind in ("text", "token"):
        out.heading("Payload" if report["type"] == "JWS" else "Plaintext")
        text = report["payload"]
        out.line(text if len(text) <= 4000 else text[:4000] + f"... ({len(text)} characters)")
    elif kind == "binary":
        out.heading("Payload" if report["type"] == "JWS" else "Plaintext")
        out.line(
            f"{report['payload_size']} bytes, not text; base64url: {report['payload_b64url'][:200]}"
        )
    elif kind == "detached":
        out.line("The payload is detached (not in the token).", "dim")
    if report.get("warnings"):
        out.heading("Warnings")
        for warning in report["warnings"]:
            out.line(f"! {warning}", "warn")
    if kind == "nested":
        out.heading("Nested token (the content of the token above)")
        _render(out, report["nested"], top=False)


def _decryptor(source: Any, requested: tuple[str, ...], used: list[str]) -> Decryptor:
    def open_jwe(token: str) -> tuple[bytes, dict[str, Any]]:
        used.append(token)
        algs = header_algorithms(token, requested)
        try:
            result = decrypt_token(token, source, algs, None)
        except JoseError as exc:
            raise failure_from(exc, "cannot decrypt the JWE", verifying=True) from None
        return result.plaintext, result.header

    return open_jwe


@click.command(
    "inspect",
    epilog="""\b
Examples:
  josekit inspect eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln...
  josekit inspect @token.txt --json
  pbpaste | josekit inspect -
  josekit inspect @nested.jwe --key bob.jwk     # decrypt, then show the inner token
""",
)
@click.argument("token_arg", metavar="TOKEN")
@key_source_options
@click.option(
    "--alg",
    "algs",
    multiple=True,
    metavar="ALG",
    help="With --key: the JWE key management algorithms to accept (default: the one the "
    "token names).",
)
@now_option
@json_option
def inspect_command(
    token_arg: str,
    key_spec: str | None,
    jwks_spec: str | None,
    password: str | None,
    algs: tuple[str, ...],
    now: str | None,
) -> None:
    """Decode TOKEN (text, @FILE or -) WITHOUT verifying it, and warn about risky content.

    Shows the header, the claims (with times as dates and as "expires in 4 min"), and
    warnings: alg none, keys or key URLs in the header (jwk, jku, x5u, x5c), RSA1_5, a
    missing exp, a very long lifetime. JWS, JWE, JSON serializations and nested tokens are
    recognised. An encrypted token (JWE) is opened only with --key (or --jwks); no
    signature is ever checked.
    """
    ctx = click.get_current_context()
    token = read_token(token_arg, "TOKEN")
    moment = current_time(now)
    decrypt = None
    opened: list[str] = []
    if key_spec is not None or jwks_spec is not None:
        decrypt = _decryptor(resolve_key_source(key_spec, jwks_spec, password), algs, opened)
    try:
        report = inspect_token(token, moment, decrypt=decrypt)
    except JoseError as exc:
        raise CliFailure(f"cannot read the token: {exc}", 2, type(exc).__name__) from None
    if decrypt is not None and not opened:
        report["warnings"] = [
            "--key only opens a JWE, and there is none here: no signature was checked",
            *report["warnings"],
        ]
    if json_mode(ctx):
        decrypted = bool(report.get("decrypted"))
        emit_json(
            {
                "verified": False,
                "notice": NOT_VERIFIED_DECRYPTED if decrypted else NOT_VERIFIED,
                **report,
            }
        )
        return
    _render(printer(ctx), report, top=True)
