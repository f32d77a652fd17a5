"""RFC 6750 §3 challenges (``WWW-Authenticate``) and the fixed table of refusals.

One builder makes every challenge, for the ``Bearer`` scheme and for ``DPoP`` (RFC 9449 §7.1,
with ``algs``). Nothing from the request or from an exception ever reaches a header: the
``error`` codes are a closed set, the descriptions come from :data:`REFUSALS`, and every
value (realm, scope, URL...) is checked against the characters RFC 6750 allows in a quoted
value (``%x20-21 / %x23-5B / %x5D-7E``: printable ASCII without ``"`` or ``\\``), so no
value can close its quotes, split the header or start a new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import BearerError, JoseError

__all__ = ["ERROR_CODES", "REFUSALS", "Refusal", "challenge", "refuse", "scope_names"]

ERROR_CODES = frozenset(
    {
        "invalid_request",
        "invalid_token",
        "insufficient_scope",
        "invalid_dpop_proof",
        "use_dpop_nonce",
    }
)
"""The ``error`` codes a challenge may carry (RFC 6750 §3.1, RFC 9449 §7.1, §9)."""

_QUOTABLE = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]*")
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
_SCHEMES = frozenset({"Bearer", "DPoP"})


@dataclass(frozen=True, slots=True)
class Refusal:
    """One kind of refusal: its HTTP status, RFC 6750 error code and fixed description."""

    status: int
    error: str | None
    description: str


REFUSALS: dict[str, Refusal] = {
    "missing": Refusal(401, None, "this resource needs an access token"),
    "scheme": Refusal(
        401, None, "send the access token in the Authorization header with the Bearer scheme"
    ),
    "malformed": Refusal(
        400, "invalid_request", "the Authorization header is not a well-formed credential"
    ),
    "multiple": Refusal(400, "invalid_request", "the request carries more than one access token"),
    "query": Refusal(
        400,
        "invalid_request",
        "access tokens are not accepted in the URL: send them in the Authorization header",
    ),
    "form": Refusal(
        400,
        "invalid_request",
        "access tokens are not accepted in the request body: send them in the Authorization header",
    ),
    "invalid_token": Refusal(401, "invalid_token", "the access token is not valid"),
    "insufficient_scope": Refusal(
        403, "insufficient_scope", "the access token does not grant the scope this resource needs"
    ),
    "scheme_dpop": Refusal(
        401, None, "this resource requires DPoP: send the token with the DPoP scheme and a proof"
    ),
    "invalid_dpop_proof": Refusal(401, "invalid_dpop_proof", "the DPoP proof is not valid"),
    "use_dpop_nonce": Refusal(
        401, "use_dpop_nonce", "send a DPoP proof with the nonce of the DPoP-Nonce header"
    ),
    "unavailable": Refusal(
        503,
        "temporarily_unavailable",
        "the keys that verify access tokens cannot be fetched right now; try again later",
    ),
}
"""Every refusal a verifier can give, by kind; descriptions are fixed and safe to show."""


def _quoted(name: str, value: str) -> str:
    if not isinstance(value, str) or not _QUOTABLE.fullmatch(value):
        raise JoseError(
            f"the challenge parameter {name} may hold only printable ASCII without '\"' or "
            "'\\' (RFC 6750 §3)"
        )
    return f'{name}="{value}"'


def scope_names(scopes: Iterable[str], what: str = "scopes") -> tuple[str, ...]:
    """Check scope names (RFC 6749 §3.3 ``scope-token``); return them in order, once each.

    Raises:
        JoseError: ``scopes`` is a string (not a list of names) or holds an invalid name.
    """
    if isinstance(scopes, (str, bytes)):
        raise JoseError(f"{what} must be a list of scope names, e.g. [{scopes!r}], not a string")
    names: list[str] = []
    for scope in scopes:
        if not (isinstance(scope, str) and _SCOPE_TOKEN.fullmatch(scope)):
            raise JoseError(
                f"{what} must hold scope names: printable ASCII without spaces, '\"' or '\\'"
            )
        if scope not in names:
            names.append(scope)
    return tuple(names)


def challenge(
    scheme: str = "Bearer",
    *,
    realm: str | None = None,
    error: str | None = None,
    description: str | None = None,
    scope: Iterable[str] = (),
    resource_metadata: str | None = None,
    algs: Iterable[str] = (),
) -> str:
    """A ``WWW-Authenticate`` challenge: ``Bearer realm="api", error="invalid_token", ...``.

    Args:
        scheme: ``"Bearer"`` (RFC 6750) or ``"DPoP"`` (RFC 9449 §7.1).
        realm: the protection space, if the server names one.
        error: one of :data:`ERROR_CODES`; ``None`` for a bare challenge (no credentials).
        description: the ``error_description``; only with ``error``.
        scope: the scopes the resource needs (``insufficient_scope``).
        resource_metadata: the RFC 9728 protected resource metadata URL.
        algs: the JWS algorithms accepted for DPoP proofs (``DPoP`` scheme only).

    Raises:
        JoseError: an unknown scheme or error code, or a value with a character that RFC
            6750 does not allow in a challenge.
    """
    if scheme not in _SCHEMES:
        raise JoseError(f"the challenge scheme is 'Bearer' or 'DPoP', not {scheme!r}")
    params: list[str] = []
    if realm is not None:
        params.append(_quoted("realm", realm))
    if error is not None:
        if error not in ERROR_CODES:
            raise JoseError(f"{error!r} is not an error code a challenge may carry")
        params.append(f'error="{error}"')
        if description is not None:
            params.append(_quoted("error_description", description))
    elif description is not None:
        raise JoseError("error_description goes with an error code (RFC 6750 §3)")
    scopes = scope_names(scope, "scope")
    if scopes:
        params.append(f'scope="{" ".join(scopes)}"')
    if resource_metadata is not None:
        params.append(_quoted("resource_metadata", resource_metadata))
    alg_names = scope_names(algs, "algs")
    if alg_names:
        if scheme != "DPoP":
            raise JoseError("algs belongs to the DPoP challenge (RFC 9449 §7.1)")
        params.append(f'algs="{" ".join(alg_names)}"')
    return f"{scheme} {', '.join(params)}" if params else scheme


def refuse(
    kind: str,
    *,
    scheme: str = "Bearer",
    realm: str | None = None,
    resource_metadata: str | None = None,
    scope: Iterable[str] = (),
    algs: Iterable[str] = (),
    headers: dict[str, str] | None = None,
) -> BearerError:
    """The :class:`~josekit.errors.BearerError` for one kind of :data:`REFUSALS`.

    A refusal with no error code (no usable credentials) gets a bare challenge (RFC 6750
    §3.1); a 503 gets none and a ``Retry-After``.
    """
    refusal = REFUSALS[kind]
    out = dict(headers or {})
    header: str | None = None
    if refusal.status == 503:
        out.setdefault("Retry-After", "30")
    elif refusal.error is None:
        header = challenge(scheme, realm=realm, resource_metadata=resource_metadata, algs=algs)
    else:
        header = challenge(
            scheme,
            realm=realm,
            error=refusal.error,
            description=refusal.description,
            scope=scope,
            resource_metadata=resource_metadata,
            algs=algs,
        )
    return BearerError(refusal.status, refusal.error, refusal.description, header, out)
