"""Strict decoding of JWK members, shared by the key-type modules (``_rsa``, ``_ec``...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from .._b64 import b64d, b64e_str
from ..errors import InvalidKeyError, MalformedError

__all__ = ["b64_to_int", "fail", "int_to_b64", "member_bytes", "reject_option", "text_b64"]


def fail(msg: str) -> NoReturn:
    """Raise :class:`InvalidKeyError` with ``msg``."""
    raise InvalidKeyError(msg)


# "JWK member 'n'", by member name, for b64d's messages: made once per name (from a fixed set,
# the names the key-type modules read), not on every import.
_LABELS: dict[str, str] = {}


def text_b64(value: str, name: str) -> bytes:
    """The octets of the base64url member ``name``; a bad encoding is an invalid key."""
    what = _LABELS.get(name) or _LABELS.setdefault(name, f"JWK member {name!r}")
    try:
        return b64d(value, what)
    except MalformedError as exc:
        raise InvalidKeyError(str(exc)) from None


def member_bytes(jwk: Mapping[str, Any], name: str) -> bytes:
    """The octets of the JWK member ``name``, which must be a base64url string."""
    value = jwk.get(name)
    if not isinstance(value, str):
        fail(f"JWK member {name!r} must be a base64url string")
    return text_b64(value, name)


def b64_to_int(jwk: Mapping[str, Any], name: str) -> int:
    """The Base64urlUInt member ``name`` (RFC 7518 §2) as an integer; empty is refused."""
    raw = member_bytes(jwk, name)
    if not raw:
        fail(f"JWK member {name!r} is empty")
    return int.from_bytes(raw, "big")


def int_to_b64(value: int, length: int | None = None) -> str:
    """``value`` as base64url of ``length`` octets (default: the fewest that hold it)."""
    if length is None:
        length = max(1, (value.bit_length() + 7) // 8)
    return b64e_str(value.to_bytes(length, "big"))


def reject_option(value: object, name: str, kty: str) -> None:
    """Refuse a generation option (``size=``, ``crv=``) that does not apply to ``kty``."""
    if value is not None:
        raise InvalidKeyError(f"{name}= does not apply to {kty} keys")


def merge_overrides(data: Mapping[str, Any], overrides: Mapping[str, str]) -> Mapping[str, Any]:
    """``data`` with ``overrides`` (kid, alg, use) added; a contradicting member is refused."""
    if not overrides:  # the JWK is only read: no copy needed
        return data
    out = dict(data)
    for name, value in overrides.items():
        if name in out and out[name] != value:
            fail(f"the JWK has {name} {out[name]!r}, which contradicts the {name}={value!r} given")
        out[name] = value
    return out
