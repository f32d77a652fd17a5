"""What to write instead, when something that is not one key is given as a key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._secret import FROM_SECRET_HINT

__all__ = [
    "no_kty_message",
    "not_a_key_set_message",
    "not_a_key_text_message",
    "not_a_key_type_message",
]

_KEY_SET = "this is a JWK Set, not one key: use KeySet.import_key_set(...)"


def no_kty_message(jwk: Mapping[str, Any]) -> str:
    """The error of a JSON object without ``kty``: a JWK Set gets its own hint."""
    if "keys" in jwk:
        return _KEY_SET
    return "JWK has no 'kty' string member"


def not_a_key_text_message(text: str) -> str:
    """The error of text that is neither a JWK nor PEM: a URL, a JSON array, or a secret."""
    if text.lower().startswith(("https://", "http://")):
        return (
            "this is a URL, not a key: for a JWK Set served there, use "
            "josekit.jwks.RemoteKeySet(url) (or RemoteKeySet.from_issuer(issuer))"
        )
    if text.startswith("["):
        return "this is a JSON array, not one key: for several keys, use KeySet([...])"
    return f"key text is neither a JWK (JSON object) nor a PEM document; {FROM_SECRET_HINT}"


def not_a_key_type_message(data: object) -> str:
    """The error of an object that cannot be a key: a list of keys gets the KeySet hint."""
    if isinstance(data, (list, tuple)):
        return (
            f"cannot import one key from a {type(data).__name__}: for several keys, use "
            "KeySet([...]) (or KeySet.import_key_set for a JWK Set)"
        )
    return (
        f"cannot import a key from {type(data).__name__}: pass a JWK dict or JSON text, "
        "PEM text, DER bytes, or a cryptography key object"
    )


def not_a_key_set_message(data: object) -> str:
    """The error of ``KeySet(data)`` when ``data`` is not an iterable of keys."""
    if isinstance(data, (str, bytes, bytearray, Mapping)):
        return (
            f"KeySet takes Key objects, not a {type(data).__name__}: for a JWK Set (a dict or "
            "JSON text), use KeySet.import_key_set(...); for one key, Key.import_key(...)"
        )
    return (
        f"KeySet takes an iterable of Key objects, not {type(data).__name__}: "
        "KeySet([key, ...]) (KeySet([]) for no keys)"
    )
