"""Step 2 of a verification: the access token, verified and validated under one profile.

:class:`TokenRules` holds the keys and the decode options of a :class:`BearerVerifier`,
checked and normalised once when the verifier is built, so that a request pays for the
token's signature and claims and not for reading the same options again (a claims check
built per call costs about as much as the checks themselves).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .._b64 import b64d
from .._json import loads_object
from ..algorithms._bridge import held_elsewhere
from ..algorithms.signing import SIGNATURE_ALGORITHMS
from ..errors import JoseError
from ..jwk import Key, KeyResolver, KeySet
from ..jwt import ACCESS_TOKEN_CLAIMS, Duration, Instant, StringOrList, Token
from ..jwt._async import decode_with_async
from ..jwt._claims import ClaimChecks, claim_checks, instant
from ..jwt._signed import decode_with, signed_text
from ..policy import Limits

if TYPE_CHECKING:
    from ..jwks._prefetch import PrefetchedKeys

__all__ = ["PROFILES", "Profile", "TokenRules", "key_mode", "stranger"]


@dataclass(frozen=True, slots=True)
class Profile:
    """What a verifier profile requires of a token: its ``typ`` and its claims."""

    typ: str | None
    required: tuple[str, ...]


PROFILES = {
    # RFC 9068 §2: typ at+jwt, and the claims §2.2 requires.
    "access_token": Profile("at+jwt", ACCESS_TOKEN_CLAIMS),
    # A plain JWT: exp is still required, so that no token lives for ever.
    "jwt": Profile(None, ("exp",)),
}


def key_mode(keys: object) -> str:
    """How the keys are consulted: ``memory``, ``async`` (awaited) or ``resolver`` (may block)."""
    if isinstance(keys, (Key, KeySet)):
        return "memory"
    if callable(getattr(keys, "candidates_async", None)):
        return "async"
    if isinstance(keys, KeyResolver):
        return "resolver"
    raise JoseError(
        "BearerVerifier keys must be a Key, a KeySet, a RemoteKeySet or an AsyncRemoteKeySet, "
        f"not {type(keys).__name__}"
    )


def stranger(token: str, accepted: frozenset[str], limits: Limits) -> bool:
    """Whether a token names an issuer not configured (its unverified ``iss``, peeked at).

    Only to spare remote key sets a fetch for a token no configured issuer signed
    (SECURITY-NOTES-2 §3 #7); the claims are read again, once verified, by the decoder.
    Anything unreadable is left to the decoder to refuse.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return False
    try:
        claims = loads_object(b64d(parts[1]), "the JWT claims set", limits.max_json_depth)
    except JoseError:
        return False
    return claims.get("iss") not in accepted


@cache
def _cached_keys() -> Callable[[str, object, Limits], PrefetchedKeys | None]:
    # The jwks package is imported already when the keys are remote: found on first use.
    from ..jwks._prefetch import cached_keys

    return cached_keys


class TokenRules:
    """The keys and decode options of one verifier, checked once.

    :meth:`decode` and :meth:`decode_async` do what :func:`josekit.jwt.decode` and
    :func:`~josekit.jwt.decode_async` do with these options (the same checks, in the same
    order, with the same errors); an invalid ``now`` is refused by them, per call.

    Raises:
        JoseError: an option is invalid (no algorithms, an empty issuer...).
    """

    __slots__ = (
        "allowed",
        "audience",
        "checks",
        "issuer",
        "issuers",
        "keys",
        "limits",
        "mode",
        "typ",
    )

    def __init__(
        self,
        keys: Any,
        mode: str,
        profile: Profile,
        *,
        issuer: StringOrList,
        audience: StringOrList,
        algorithms: Iterable[str],
        leeway: Duration,
        typ: str | None,
        limits: Limits,
    ) -> None:
        self.keys = keys
        self.mode = mode
        self.allowed = tuple(SIGNATURE_ALGORITHMS.allow_list(algorithms))
        self.typ = typ if typ is not None else profile.typ
        self.checks: ClaimChecks = claim_checks(
            issuer=issuer,
            audience=audience,
            subject=None,
            leeway=leeway,
            required=profile.required,
            typ=self.typ,
            max_age=None,
            now=None,
        )
        self.issuer = issuer
        self.audience = audience
        self.issuers = frozenset((issuer,) if isinstance(issuer, str) else issuer)
        self.limits = limits

    def _at(self, now: Instant | None) -> ClaimChecks:
        return self.checks if now is None else self.checks._replace(now=instant(now))

    def stranger(self, token: str) -> bool:
        """Whether the keys are remote and the token names an issuer not configured."""
        return self.mode != "memory" and stranger(token, self.issuers, self.limits)

    def cached(self, token: str) -> KeyResolver | None:
        """The token's keys when a remote key set holds them in its fresh cache, as software
        keys: used at once, with no fetch (so no issuer peek first), no await, no thread.
        ``None`` otherwise (keys in memory need no such help)."""
        if self.mode == "memory":
            return None
        found = _cached_keys()(token, self.keys, self.limits)
        if found is None or held_elsewhere(*found.keys):
            return None
        return found

    def decode(
        self, token: str, now: Instant | None = None, keys: KeyResolver | None = None
    ) -> Token:
        """The verified token, the keys (or ``keys``, from :meth:`cached`) consulted as they
        are: a resolver may block."""
        text = signed_text(token, self.limits)
        source = self.keys if keys is None else keys
        return decode_with(text, source, self.allowed, self._at(now), self.limits)

    def decode_async(self, token: str, now: Instant | None = None) -> Awaitable[Token]:
        """The verified token, async keys awaited; software keys verify on the loop.

        A plain function returning the decoder's awaitable: one coroutine fewer per request.
        A malformed token or ``now`` raises at the call, as the awaitable would.
        """
        text = signed_text(token, self.limits)
        return decode_with_async(text, self.keys, self.allowed, self._at(now), self.limits)
