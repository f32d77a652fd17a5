"""A signature segment that cannot be read is a rejected signature (exit status 1)."""

from __future__ import annotations

from typing import Any

from .._b64 import b64d
from .._json import loads_object
from ..errors import JoseError
from ..policy import DEFAULT_LIMITS
from ._failures import EXIT_REJECTED, CliFailure

__all__ = ["refuse_unreadable_signatures"]


def _signature_segments(token: str) -> list[Any]:
    """The signature segments of a JWS whose header reads (compact or JSON), else none."""
    if token.startswith("{"):
        try:
            obj = loads_object(token, "JWS", DEFAULT_LIMITS.max_json_depth)
        except JoseError:
            return []  # the library says what is wrong with the document
        entries = obj.get("signatures", [obj])
        return (
            [e.get("signature") for e in entries if isinstance(e, dict)]
            if isinstance(entries, list)
            else []
        )
    parts = token.split(".")
    if len(parts) != 3:
        return []
    try:
        loads_object(b64d(parts[0], "header"), "header")
    except JoseError:
        return []  # an unreadable header is bad input: the library reports it
    return [parts[2]]


def refuse_unreadable_signatures(token: str) -> None:
    """Reject a JWS whose signature is not canonical base64url, as a wrong signature would be.

    Changing any character of a signature gives a signature that does not verify; whether
    the changed text is still canonical base64url (the last character carries unused bits)
    is an accident of which character changed, so a verifier treats both the same: exit
    status 1, never 2.
    """
    for segment in _signature_segments(token):
        if not isinstance(segment, str) or not segment:
            continue  # missing or empty: the library's own message is clearer
        try:
            b64d(segment, "the signature")
        except JoseError as exc:
            raise CliFailure(
                f"signature verification failed: {exc}", EXIT_REJECTED, "InvalidSignatureError"
            ) from None
