"""Unsecured JWS (``alg: none``, RFC 7515 Appendix A.5): create and read, never verify."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._b64 import b64d, b64e_str
from .._header import JWS_REGISTERED, check_crit, parse_protected
from .._json import dumps_bytes
from ..errors import InvalidHeaderError, InvalidSignatureError
from ..policy import DEFAULT_LIMITS, Limits
from ._common import (
    Payload,
    UnsecuredJWS,
    check_payload_size,
    header_dict,
    payload_bytes,
)
from ._compact import compact_text

__all__ = ["decode_unsecured", "encode_unsecured"]


def encode_unsecured(payload: Payload, *, header: Mapping[str, Any] | None = None) -> str:
    """Create an unsecured JWS (``alg: none``, RFC 7515 Appendix A.5). Nobody can trust it.

    Raises:
        JoseError: a subclass saying what was wrong with the payload or header.
    """
    data = payload_bytes(payload)
    protected = {"alg": "none", **(header_dict(header, "header") if header is not None else {})}
    if protected["alg"] != "none":
        raise InvalidHeaderError("an unsecured JWS has alg 'none'")
    for name in ("crit", "b64"):
        if name in protected:
            raise InvalidHeaderError(f"an unsecured JWS from josekit carries no {name!r}")
    return f"{b64e_str(dumps_bytes(protected))}.{b64e_str(data)}."


def decode_unsecured(token: str | bytes, *, limits: Limits = DEFAULT_LIMITS) -> UnsecuredJWS:
    """Read an unsecured JWS (``alg: none`` and an empty signature). Nothing is verified.

    Raises:
        JoseError: a subclass saying what was wrong (not ``alg: none``, a signature present...).
    """
    text = compact_text(token, limits)
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
    check_payload_size(len(p64), limits, encoded=True)
    return UnsecuredJWS(b64d(p64, "payload"), header, None, header)
