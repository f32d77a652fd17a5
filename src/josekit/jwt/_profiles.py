"""The two JWT profiles most applications need: OAuth 2.0 access tokens and OIDC ID tokens."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from ..errors import InvalidClaimError, InvalidHeaderError, JoseError, MissingClaimError
from ..policy import DEFAULT_LIMITS, Limits
from ._claims import Duration, Instant, StringOrList, check_age, instant, media_type, seconds
from ._signed import KeySource, decode
from ._token import Token

__all__ = ["ACCESS_TOKEN_CLAIMS", "ID_TOKEN_CLAIMS", "decode_access_token", "decode_id_token"]

ACCESS_TOKEN_CLAIMS = ("iss", "exp", "aud", "sub", "client_id", "iat", "jti")
"""Claims RFC 9068 §2.2 requires in a JWT access token."""
ID_TOKEN_CLAIMS = ("iss", "sub", "aud", "exp", "iat")
"""Claims OpenID Connect Core 1.0 §2 requires in an ID token."""


def decode_access_token(
    token: str | bytes,
    key_or_keyset: KeySource,
    *,
    algorithms: Iterable[str],
    issuer: StringOrList,
    audience: StringOrList,
    subject: str | None = None,
    client_id: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    max_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Token:
    """Verify an OAuth 2.0 JWT access token as a resource server (RFC 9068 §4).

    The header must say ``typ: at+jwt`` (or ``application/at+jwt``), so that an ID token or
    any other JWT from the same issuer is never accepted as an access token; ``iss``, ``exp``,
    ``aud``, ``sub``, ``client_id``, ``iat`` and ``jti`` are required; ``iss`` must be
    ``issuer`` and ``aud`` must contain ``audience`` (this resource server's identifier).

    Args:
        client_id: when given, the token's ``client_id`` must equal it.
        required: more claims that must be present (e.g. ``["scope"]``).

    The other arguments are those of :func:`decode`.
    """
    if client_id is not None and not (isinstance(client_id, str) and client_id):
        raise JoseError("client_id must be a non-empty string")
    result = decode(
        token,
        key_or_keyset,
        algorithms=algorithms,
        issuer=issuer,
        audience=audience,
        subject=subject,
        leeway=leeway,
        required=(*ACCESS_TOKEN_CLAIMS, *_names(required)),
        typ="at+jwt",
        max_age=max_age,
        now=now,
        limits=limits,
    )
    if client_id is not None:
        _check_equal(result.claims, "client_id", client_id)
    return result


def decode_id_token(
    token: str | bytes,
    key_or_keyset: KeySource,
    *,
    algorithms: Iterable[str],
    issuer: str,
    client_id: str,
    nonce: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    max_age: Duration | None = None,
    max_auth_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Token:
    """Verify an OpenID Connect ID token as the client it was issued to (OIDC Core §3.1.3.7).

    ``iss`` must equal ``issuer``; ``aud`` must contain ``client_id``; ``iss``, ``sub``,
    ``aud``, ``exp`` and ``iat`` are required. When ``aud`` lists several audiences, ``azp``
    is required, and whenever ``azp`` is present it must equal ``client_id``. A header
    ``typ`` other than ``JWT`` (such as ``at+jwt``) is refused: that token is another kind
    of JWT.

    Args:
        nonce: the nonce sent in the authentication request; the token's ``nonce`` must
            equal it (and must be present).
        max_age: refuse ID tokens issued (``iat``) longer ago than this.
        max_auth_age: refuse when the end-user authenticated (``auth_time``) longer ago
            than this (the ``max_age`` request parameter); ``auth_time`` becomes required.

    The other arguments are those of :func:`decode`.
    """
    for name, value in (("issuer", issuer), ("client_id", client_id)):
        if not (isinstance(value, str) and value):
            raise JoseError(f"{name} must be a non-empty string")
    if nonce is not None and not (isinstance(nonce, str) and nonce):
        raise JoseError("nonce must be a non-empty string")
    extra = _names(required)
    auth_age = None
    if max_auth_age is not None:
        auth_age = seconds(max_auth_age, "max_auth_age")
        extra = (*extra, "auth_time")
    result = decode(
        token,
        key_or_keyset,
        algorithms=algorithms,
        issuer=issuer,
        audience=client_id,
        leeway=leeway,
        required=(*ID_TOKEN_CLAIMS, *extra),
        max_age=max_age,
        now=now,
        limits=limits,
    )
    typ = result.header.get("typ")
    if typ is not None and not (isinstance(typ, str) and media_type(typ) == "jwt"):
        raise InvalidHeaderError(
            f"an ID token has typ 'JWT' or none; this one has typ {typ!r}, so it is another "
            "kind of token"
        )
    claims = result.claims
    aud = claims["aud"]
    if isinstance(aud, list) and len(aud) > 1 and "azp" not in claims:
        raise MissingClaimError(
            "the ID token has several audiences, so it needs an 'azp' claim (OIDC Core §2)",
            "azp",
        )
    if "azp" in claims:
        _check_equal(claims, "azp", client_id)
    if nonce is not None:
        # A nonce binds the token to one login; it is kept out of messages (and logs).
        _check_equal(claims, "nonce", nonce, show_values=False)
    if auth_age is not None:
        current = time.time() if now is None else instant(now)
        check_age(claims, "auth_time", auth_age, seconds(leeway, "leeway"), current)
    return result


def _names(required: Iterable[str]) -> tuple[str, ...]:
    if isinstance(required, (str, bytes)):
        raise JoseError(
            f"required must be a list of claim names, e.g. required=[{required!r}], not a string"
        )
    return tuple(required)


def _check_equal(
    claims: dict[str, Any], name: str, expected: str, *, show_values: bool = True
) -> None:
    if name not in claims:
        raise MissingClaimError(f"the token has no {name!r} claim, which this call requires", name)
    value = claims[name]
    if type(value) is not str or value != expected:
        if not show_values:
            raise InvalidClaimError(
                f"claim {name!r} does not match the value this call expects", name
            )
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise InvalidClaimError(f"claim {name!r} must be {expected!r}, found {shown}", name)
