"""The two JWT profiles most applications need: OAuth 2.0 access tokens and OIDC ID tokens."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from ..errors import InvalidClaimError, InvalidHeaderError, JoseError, MissingClaimError
from ..policy import DEFAULT_LIMITS, Limits
from ._claims import Duration, Instant, StringOrList, check_age, instant, media_type, seconds
from ._oidc_hashes import RESPONSE_TYPES, check_token_hashes
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
    access_token: str | None = None,
    code: str | None = None,
    state: str | None = None,
    response_type: str | None = None,
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
        access_token: the access token issued with the ID token: its ``at_hash`` must
            match (OIDC Core §3.1.3.8, §3.2.2.9).
        code: the authorization code returned with the ID token (hybrid flow): ``c_hash``
            is then required and must match (§3.3.2.11).
        state: the ``state`` returned with the ID token: ``s_hash`` is then required and
            must match (FAPI 1.0 Advanced §5.1).
        response_type: the flow's OAuth ``response_type`` (``"code"``, ``"id_token token"``,
            ``"code id_token"``, ``"code id_token token"``...): the hash claims that flow
            requires must be present, and the values they hash given.

    The hashes use the hash of the ID token's ``alg`` (SHA-512 for EdDSA with Ed25519, per
    the OpenID Connect Core errata). The other arguments are those of :func:`decode`.
    """
    hashed = _hashed_values(access_token, code, state)
    hashes_required = _required_hashes(response_type, hashed)
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
    if any(value is not None for value in hashed.values()):
        check_token_hashes(claims, result.header["alg"], result.key, hashed, hashes_required)
    return result


_HASHED_ARGUMENT = {"at_hash": "access_token", "c_hash": "code", "s_hash": "state"}


def _hashed_values(
    access_token: str | None, code: str | None, state: str | None
) -> dict[str, str | None]:
    hashed = {"at_hash": access_token, "c_hash": code, "s_hash": state}
    for claim, value in hashed.items():
        if value is not None and not (type(value) is str and value and value.isascii()):
            raise JoseError(f"{_HASHED_ARGUMENT[claim]} must be a non-empty ASCII string")
    return hashed


def _required_hashes(response_type: str | None, hashed: dict[str, str | None]) -> frozenset[str]:
    """The hash claims the flow requires (a code or a state given beside the token: theirs)."""
    if response_type is None:
        required = frozenset(c for c in ("c_hash",) if hashed[c] is not None)
    else:
        words = sorted(str(response_type).split(), key=lambda w: _ORDER.get(w, 3))
        flow = RESPONSE_TYPES.get(" ".join(words))
        if flow is None:
            raise JoseError(
                f"response_type {response_type!r} is not an OpenID Connect flow "
                f"(one of {sorted(RESPONSE_TYPES)})"
            )
        for claim in sorted(flow):
            if hashed[claim] is None:
                raise JoseError(
                    f"response_type {response_type!r} requires {claim!r}: pass "
                    f"{_HASHED_ARGUMENT[claim]}= the value it hashes"
                )
        required = flow
    return required | (frozenset({"s_hash"}) if hashed["s_hash"] is not None else frozenset())


_ORDER = {"code": 0, "id_token": 1, "token": 2}


def _names(required: Iterable[str]) -> tuple[str, ...]:
    if isinstance(required, (str, bytes)):
        raise JoseError(
            f"required must be a list of claim names, e.g. required=[{required!r}], not a string"
        )
    if not isinstance(required, Iterable):
        raise JoseError(
            f"required must be a list of claim names, e.g. required=['scope'], not "
            f"{type(required).__name__}"
        )
    names = tuple(required)
    if not all(type(name) is str for name in names):
        raise JoseError("required must hold claim names (strings)")
    return names


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
