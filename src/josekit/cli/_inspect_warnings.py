"""What ``inspect`` warns about in a header and in the claims (it never verifies)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ..algorithms import KEY_MANAGEMENT, SIGNATURE_ALGORITHMS
from ..policy import Limits
from ._times import format_date, format_duration

__all__ = [
    "CLOCK_SKEW",
    "LONG_LIFETIME",
    "claims_section",
    "header_warnings",
    "signature_size_warnings",
]

LONG_LIFETIME = 24 * 3600
"""Lifetimes above this (seconds) get a warning."""
CLOCK_SKEW = 60
"""An ``iat`` further than this in the future gets a warning."""

_SIGNATURE_BYTES = {
    "HS256": 32,
    "HS384": 48,
    "HS512": 64,
    "ES256": 64,
    "ES256K": 64,
    "ES384": 96,
    "ES512": 132,
    "Ed25519": 64,
    "Ed448": 114,
    "ML-DSA-44": 2420,
    "ML-DSA-65": 3309,
    "ML-DSA-87": 4627,
}
"""Signature sizes (bytes) of the algorithms whose signatures have one size."""
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


def _known_algorithm(name: str) -> bool:
    return name in SIGNATURE_ALGORITHMS or name in KEY_MANAGEMENT or name == "none"


def header_warnings(header: Mapping[str, Any], limits: Limits) -> list[str]:
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


def claims_section(claims: Mapping[str, Any], now: float) -> tuple[list[Any], list[str]]:
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


def signature_size_warnings(alg: Any, size: int | None) -> list[str]:
    """A warning when a readable signature cannot have been made with ``alg`` (wrong length)."""
    expected = _SIGNATURE_BYTES.get(alg) if isinstance(alg, str) else None
    if expected is None or size is None or size == expected:
        return []
    return [
        f"the signature is {size} bytes, but {alg} signatures are {expected}: the signature "
        "segment is damaged and this token cannot verify"
    ]
