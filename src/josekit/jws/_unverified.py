"""Reading a JWS header or payload without verifying it: for routing and logging only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._b64 import b64d
from .._header import parse_protected
from ..errors import MalformedError
from ..policy import DEFAULT_LIMITS, Limits
from ._common import check_payload_size
from ._compact import compact_text
from ._json import _json_entries, _parse_entry, _parse_json

__all__ = ["unverified_header", "unverified_parts"]


def unverified_parts(
    token: Mapping[str, Any] | str | bytes, limits: Limits = DEFAULT_LIMITS
) -> tuple[dict[str, Any], bytes]:
    """The first signature's header and the payload bytes of a JWS, **not verified**.

    A compact JWS or a JSON serialization (object or text); every size, count and depth is
    bounded by ``limits`` as in verification.
    """
    if isinstance(token, Mapping) or (
        isinstance(token, (str, bytes, bytearray)) and token.lstrip()[:1] in ("{", b"{")
    ):
        obj = _parse_json(token, limits)
        entries = [_parse_entry(entry, limits) for entry in _json_entries(obj, limits)]
        p_text = obj.get("payload")
        if not isinstance(p_text, str):
            raise MalformedError("the JWS has no 'payload' string")
        check_payload_size(len(p_text), limits, encoded=True)
        return entries[0][2], b64d(p_text, "payload")
    text = compact_text(token, limits)
    h64, p64, _ = text.split(".")
    header = parse_protected(h64, limits)
    check_payload_size(len(p64), limits, encoded=True)
    return header, b64d(p64, "payload")


def unverified_header(
    token: Mapping[str, Any] | str | bytes, *, limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """The header of a JWS, read **without verifying** its signature.

    Nothing in it can be trusted: use it only to pick whose keys verify the token (its
    ``kid``, its issuer's key set) or to log why a token was refused, then verify with
    :func:`josekit.jws.verify`. For a JSON serialization, the header of its first signature
    (protected and unprotected parameters joined). Bounded by ``limits`` like verification.

    Raises:
        MalformedError: the token is not a JWS.
        LimitExceededError: the token or its header is larger than ``limits`` allow.
    """
    return unverified_parts(token, limits)[0]
