"""Reading a JWE header without decrypting it: for routing and logging only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._header import merge_headers, parse_protected
from .._header import unprotected_object as _unprotected_object
from ..errors import LimitExceededError, MalformedError
from ..policy import DEFAULT_LIMITS, Limits
from ._json import _parse

__all__ = ["unverified_header"]


def _json_header(token: Mapping[str, Any] | str | bytes, limits: Limits) -> dict[str, Any]:
    obj = _parse(token, limits)
    p64 = obj.get("protected", "")
    header = parse_protected(p64, limits) if p64 else {}
    if "unprotected" in obj:
        header = merge_headers(header, _unprotected_object(obj["unprotected"], limits))
    recipients = obj.get("recipients")
    if isinstance(recipients, list) and len(recipients) > limits.max_signatures:
        raise LimitExceededError(
            f"the JWE has {len(recipients)} recipients, "
            f"more than the limit of {limits.max_signatures}"
        )
    entry = recipients[0] if isinstance(recipients, list) and len(recipients) == 1 else obj
    if isinstance(entry, Mapping) and "header" in entry:
        header = merge_headers(header, _unprotected_object(entry["header"], limits))
    return header


def unverified_header(
    token: Mapping[str, Any] | str | bytes, *, limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """The header of a JWE, read **without decrypting** it.

    Nothing in it can be trusted: use it only to pick the key that decrypts (its ``kid``)
    or to log why a token was refused, then decrypt with :func:`josekit.jwe.decrypt`. For a
    JSON serialization, the protected and shared unprotected header, joined with the
    recipient's header when there is exactly one recipient. Bounded by ``limits``.

    Raises:
        MalformedError: the token is not a JWE.
        LimitExceededError: the token or its header is larger than ``limits`` allow.
    """
    if isinstance(token, Mapping):
        return _json_header(token, limits)
    if isinstance(token, (bytes, bytearray)):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedError("a JWE must be ASCII text") from None
    if not isinstance(token, str):
        raise MalformedError(f"token must be a str, not {type(token).__name__}")
    if len(token) > limits.max_token_size:
        raise LimitExceededError(f"the token is larger than the limit of {limits.max_token_size}")
    if token.lstrip().startswith("{"):
        return _json_header(token, limits)
    parts = token.split(".", 5)
    if len(parts) != 5:
        raise MalformedError("a compact JWE has exactly five parts separated by '.'")
    return parse_protected(parts[0], limits)
