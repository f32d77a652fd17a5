"""Principal: who a verified access token speaks for, and what it allows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..jwt import Token

__all__ = ["Principal", "token_scopes"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The result of a successful :meth:`BearerVerifier.verify`.

    Attributes:
        token: the verified :class:`josekit.jwt.Token` (claims, header, key).
        subject: the ``sub`` claim (the resource owner, unique per issuer), if any.
        client_id: the ``client_id`` claim (RFC 9068 §2.2), else ``azp``, if any.
        scopes: the granted scopes, from ``scope`` (space-separated, RFC 9068 §2.2.3) or,
            failing that, a ``scp`` list.
        claims: the token's claims (the same dict as ``token.claims``).
    """

    token: Token
    subject: str | None
    client_id: str | None
    scopes: frozenset[str]
    claims: Mapping[str, Any]

    def __repr__(self) -> str:
        # Claims can hold personal data: the repr names the principal, not its token.
        return (
            f"Principal(subject={self.subject!r}, client_id={self.client_id!r}, "
            f"scopes={sorted(self.scopes)!r})"
        )


def token_scopes(claims: Mapping[str, Any]) -> frozenset[str] | None:
    """The scopes a claims set grants; ``None`` when the claim has the wrong type."""
    scope = claims.get("scope")
    if scope is not None:
        return frozenset(scope.split()) if isinstance(scope, str) else None
    scp = claims.get("scp")
    if scp is None:
        return frozenset()
    if isinstance(scp, list) and all(isinstance(s, str) for s in scp):
        return frozenset(scp)
    return None


def principal(token: Token, scopes: frozenset[str]) -> Principal:
    """The :class:`Principal` of a verified token."""
    claims = token.claims
    sub = claims.get("sub")
    client = claims.get("client_id", claims.get("azp"))
    return Principal(
        token,
        sub if isinstance(sub, str) else None,
        client if isinstance(client, str) else None,
        scopes,
        claims,
    )
