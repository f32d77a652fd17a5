"""Reading a JWT's header or claims without verifying it: for routing and logging only.

The one safe use: deciding *which* keys verify a token (its ``kid``, its issuer's key set)
or logging why a token was refused (its ``kid``, ``iss``). Nothing read here is trusted;
the token is then verified with :func:`~josekit.jwt.decode` and only its result is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._json import loads_object
from ..errors import MalformedError
from ..jwe import unverified_header as _jwe_header
from ..jws import unverified_header as _jws_header
from ..jws._unverified import unverified_parts
from ..policy import DEFAULT_LIMITS, Limits

__all__ = ["unverified_claims", "unverified_header"]

Serialized = Mapping[str, Any] | str | bytes


def _is_jwe(token: Serialized, limits: Limits) -> bool:
    if isinstance(token, Mapping):
        return "ciphertext" in token
    if not isinstance(token, (str, bytes, bytearray)):
        return False  # the JWS reader refuses it with a MalformedError naming the type
    text = token if isinstance(token, str) else bytes(token).decode("ascii", "replace")
    if text[: limits.max_token_size].lstrip().startswith("{"):
        return '"ciphertext"' in text[: limits.max_token_size]
    return text.count(".", 0, limits.max_token_size) == 4


def unverified_header(token: Serialized, *, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """The header of a signed or encrypted JWT, read **without verifying** it.

    Compact or JSON serialization; for a JWE, its (outer) header. Use it only to choose the
    keys that verify the token or to log a refused token's ``kid``; then verify it. Bounded
    by ``limits`` like every decoder.

    Raises:
        MalformedError: not a JWS or JWE.
        LimitExceededError: the token or its header is larger than ``limits`` allow.
    """
    if _is_jwe(token, limits):
        return _jwe_header(token, limits=limits)
    return _jws_header(token, limits=limits)


def unverified_claims(token: Serialized, *, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """The claims of a signed JWT, read **without verifying** its signature.

    Anyone can have written them: use them only to pick the issuer whose keys verify the
    token (its ``iss``) or to log why a token was refused; then decode it with
    :func:`~josekit.jwt.decode` and use only the verified claims. Bounded by ``limits``.

    Raises:
        MalformedError: not a signed JWT, or an encrypted one (its claims are only readable
            by decrypting it: :func:`~josekit.jwt.decode_encrypted`).
        LimitExceededError: the token, header or claims exceed ``limits``.
    """
    if _is_jwe(token, limits):
        raise MalformedError(
            "this is an encrypted JWT (a JWE): its claims cannot be read without decrypting "
            "it; use jwt.unverified_header() for its header, or jwt.decode_encrypted()"
        )
    header, payload = unverified_parts(token, limits)
    if header.get("cty") in ("JWT", "jwt"):
        raise MalformedError("the header says cty 'JWT': the payload is a nested JWT")
    return loads_object(payload, "the JWT claims set", limits.max_json_depth)
