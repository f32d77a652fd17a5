"""BearerVerifier: an HTTP request's access token, verified by one set of rules (RFC 6750).

Every framework adapter calls :meth:`BearerVerifier.verify` (or :meth:`~BearerVerifier.
verify_async`) with the request's ``Authorization`` value and gets a :class:`Principal` or a
:class:`~josekit.errors.BearerError` that is already an HTTP answer. The steps, in order:

1. credentials: the header parsed once (:mod:`._header`); the scheme checked against the
   ``dpop`` mode; a token in the URL refused unless enabled;
2. the token: verified and validated as :func:`josekit.jwt.decode` does, under the profile,
   its options checked once (:class:`._token.TokenRules`);
3. the binding: :meth:`BearerVerifier._check_binding`, the one place where a token's ``cnf``
   and the request's proof of possession meet;
4. the scopes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from ..dpop import NonceIssuer
from ..errors import BearerError, JoseError, JWKSFetchError
from ..jwt import Duration, Instant, StringOrList, Token
from ..jwt._claims import media_type
from ..policy import DEFAULT_LIMITS, Limits
from ..replay import AsyncReplayCache, ReplayCache
from ._challenge import refuse, scope_names
from ._dpop import DEFAULT_DPOP_ALGORITHMS, DPoPBinding
from ._header import Credentials, HeaderRefused, form_token, parse_authorization, url_token
from ._metadata import _url
from ._principal import Principal, principal, token_scopes
from ._token import PROFILES, TokenRules, key_mode

__all__ = ["BearerVerifier", "sync_refused"]

_log = logging.getLogger("josekit.web")


# Tokens that are never access tokens, whatever the profile (SECURITY-NOTES-2 §3 #8).
_NOT_ACCESS_TOKENS = frozenset({"dpop+jwt", "kb+jwt", "jwt+sd-jwt"})

# The schemes each DPoP mode accepts, and the scheme its bare challenge names.
_MODES: dict[str, tuple[frozenset[str], str]] = {
    "disabled": (frozenset({"Bearer"}), "Bearer"),
    "allowed": (frozenset({"Bearer", "DPoP"}), "Bearer"),
    "required": (frozenset({"DPoP"}), "DPoP"),
}


def sync_refused(where: str) -> JoseError:
    """The error of a synchronous use of a verifier whose keys must be awaited."""
    return JoseError(
        f"{where} is synchronous, but this BearerVerifier holds an AsyncRemoteKeySet: give it "
        "a RemoteKeySet, or call `await verifier.verify_async(...)` from async code"
    )


class BearerVerifier:
    """Verify the access token of an HTTP request; the rules every adapter shares.

    Args:
        keys: the issuer's keys: a :class:`~josekit.Key`, a :class:`~josekit.KeySet`, a
            :class:`~josekit.jwks.RemoteKeySet` or (for :meth:`verify_async` only) an
            :class:`~josekit.jwks.AsyncRemoteKeySet`.
        issuer: the expected ``iss`` (exact match), or several accepted ones.
        audience: this resource's identifier (RFC 8707 / RFC 9728 ``resource``); the
            token's ``aud`` must contain it.
        algorithms: the JWS algorithms accepted; required and non-empty.
        profile: ``"access_token"`` validates an RFC 9068 JWT access token (``typ: at+jwt``,
            ``client_id``, ``jti``... required); ``"jwt"`` plain JWT claim validation
            (``exp`` still required).
        required_scopes: scopes every request must carry (more per route in the adapters).
        leeway: clock skew tolerated on ``exp``/``nbf``/``iat``, in seconds or a timedelta.
        typ: the header ``typ`` required, instead of the profile's (``at+jwt`` or any).
        dpop: ``"disabled"`` (the ``DPoP`` scheme is refused), ``"allowed"`` (Bearer and
            DPoP-bound tokens) or ``"required"`` (DPoP only). With ``Authorization: DPoP
            <token>`` the request's ``DPoP`` proof is verified by
            :func:`josekit.dpop.verify_proof` for the token, the method and the URL, and the
            token's ``cnf.jkt`` must be the proof key's thumbprint. A DPoP-bound token
            (``cnf``) sent as Bearer is always refused (RFC 9449 §7.2), and so is an unbound
            token sent as DPoP.
        dpop_algorithms: the asymmetric algorithms accepted for DPoP proofs (the ``algs``
            of DPoP challenges).
        nonce: a :class:`~josekit.dpop.NonceIssuer` to demand server nonces in proofs: a
            proof without a current one is answered ``use_dpop_nonce`` with a fresh
            ``DPoP-Nonce`` header (RFC 9449 §9).
        replay: the replay cache of proofs; an in-process
            :class:`~josekit.replay.MemoryReplayCache` by default. Replicas share a
            :class:`~josekit.replay.RedisReplayCache` (or, for :meth:`verify_async`, an
            :class:`~josekit.replay.AsyncRedisReplayCache`).
        public_url: the API's external base URL behind a reverse proxy (``https://api.
            example.com/base``; https, or http to loopback): a DPoP ``htu`` is then checked
            against it + the request's path, never the scheme, ``Host`` or port it came with.
        realm: the ``realm`` of the challenges, if any.
        resource_metadata: the RFC 9728 metadata URL named in every challenge (see
            :func:`metadata_url`).
        allow_query_token: accept the token from an ``access_token`` query parameter (RFC
            6750 §2.3) when the request has no ``Authorization`` header. Off by default:
            URLs end up in logs.
        allow_form_token: accept the token from an ``access_token`` parameter of a
            form-encoded body (RFC 6750 §2.2), read by the adapter; off by default.
        limits: size limits for decoding.

    Raises:
        JoseError: an option is invalid (no algorithms, an empty issuer, a realm with a
            quote, an unknown profile, keys of the wrong type, a bad ``public_url``...).
    """

    def __init__(
        self,
        keys: Any,
        *,
        issuer: StringOrList,
        audience: StringOrList,
        algorithms: Iterable[str],
        profile: str = "access_token",
        required_scopes: Iterable[str] = (),
        leeway: Duration = 0,
        typ: str | None = None,
        dpop: str = "allowed",
        dpop_algorithms: Iterable[str] = DEFAULT_DPOP_ALGORITHMS,
        nonce: NonceIssuer | None = None,
        replay: ReplayCache | AsyncReplayCache | None = None,
        public_url: str | None = None,
        realm: str | None = None,
        resource_metadata: str | None = None,
        allow_query_token: bool = False,
        allow_form_token: bool = False,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._mode = key_mode(keys)
        if profile not in PROFILES:
            raise JoseError(f"profile is one of {sorted(PROFILES)}, not {profile!r}")
        if dpop not in _MODES:
            raise JoseError(f"dpop is one of {sorted(_MODES)}, not {dpop!r}")
        if issuer is None or audience is None:
            raise JoseError("a BearerVerifier needs an issuer and an audience (this resource)")
        # Checked once here, never per request.
        self._token = TokenRules(
            keys,
            self._mode,
            PROFILES[profile],
            issuer=issuer,
            audience=audience,
            algorithms=algorithms,
            leeway=leeway,
            typ=typ,
            limits=limits,
        )
        self._any_typ = self._token.typ is None
        self._scopes = frozenset(scope_names(required_scopes, "required_scopes"))
        self._schemes, self._scheme = _MODES[dpop]
        self.dpop = dpop
        self._allow = {"query": bool(allow_query_token), "form": bool(allow_form_token)}
        self._challenge: dict[str, Any] = {
            "realm": realm,
            "resource_metadata": (
                _url(resource_metadata, "resource_metadata", https_only=False)
                if resource_metadata is not None
                else None
            ),
        }
        self._dpop = DPoPBinding(dpop_algorithms, nonce, replay, self._refuse, public_url)
        refuse("missing", **self._challenge)  # a realm that cannot be sent fails here

    def __repr__(self) -> str:
        return (
            f"BearerVerifier(issuer={self._token.issuer!r}, "
            f"audience={self._token.audience!r}, dpop={self.dpop!r})"
        )

    # -- the steps ---------------------------------------------------------------------------

    def _refuse(self, kind: str, scheme: str | None = None, **extra: Any) -> BearerError:
        scheme = scheme or self._scheme
        if scheme == "DPoP":
            extra["algs"] = self._dpop.algorithms
        return refuse(kind, scheme=scheme, **self._challenge, **extra)

    def _credentials(
        self, authorization: str | None, url: str | None, form: str | None
    ) -> Credentials:
        """Step 1: the one credential of the request, or the refusal."""
        try:
            found = parse_authorization(authorization)
            elsewhere = {"query": url_token(url), "form": form_token(form)}
        except HeaderRefused as refused:
            raise self._refuse(refused.kind) from None
        for where, token in elsewhere.items():
            if token is None:
                continue
            if not self._allow[where]:
                raise self._refuse(where)
            if found is not None:
                raise self._refuse("multiple")  # RFC 6750 §2: one method per request
            found = Credentials("Bearer", token)
        if found is None:
            raise self._refuse("missing")
        if found.scheme not in self._schemes:
            raise self._refuse("scheme_dpop" if self.dpop == "required" else "scheme")
        return found

    def _check_issuer(self, credentials: Credentials) -> None:
        """Before keys are fetched: a token from an issuer not configured is refused."""
        if self._token.stranger(credentials.token):
            _log.info("access token refused: its iss is not a configured issuer")
            raise self._refuse("invalid_token", credentials.scheme)

    def _refused_token(self, exc: JoseError, scheme: str) -> BearerError:
        """A decode failure as a refusal: an outage is a 503, anything else the token's fault."""
        if isinstance(exc, JWKSFetchError):
            _log.warning("access token not verified, the keys are unavailable: %s", exc)
            return self._refuse("unavailable")
        _log.info("access token refused: %s: %s", type(exc).__name__, exc)
        return self._refuse("invalid_token", scheme)

    def _check_binding(
        self,
        credentials: Credentials,
        token: Token,
        *,
        method: str,
        url: str | None,
        dpop: str | None,
    ) -> bool:
        """Step 3: the token's binding (``cnf``) against the request's proof, RFC 9449 §7.

        The one place where a request sent with the ``DPoP`` scheme is handed to the DPoP
        check (:class:`._dpop.DPoPBinding`, over :func:`josekit.dpop.verify_proof`). A token
        bound to a key (any ``cnf``) is never usable as a Bearer token: its binding cannot
        be ignored (RFC 9449 §7.2, RFC 7800). Returns whether a proof must be checked.
        """
        if credentials.scheme == "Bearer":
            if "cnf" in token.claims:
                raise self._refuse("invalid_token")
            return False
        return True

    def _principal(
        self,
        credentials: Credentials,
        token: Token,
        method: str,
        url: str | None,
        dpop: str | None,
        now: Instant | None = None,
    ) -> Principal:
        """Steps 3 and 4, once the token verified."""
        if self._any_typ:
            self._check_kind(token)
        if self._check_binding(credentials, token, method=method, url=url, dpop=dpop):
            self._dpop.check(token, credentials.token, method=method, url=url, proof=dpop, now=now)
        return self._grant(credentials, token)

    async def _principal_async(
        self,
        credentials: Credentials,
        token: Token,
        method: str,
        url: str | None,
        dpop: str | None,
        now: Instant | None,
    ) -> Principal:
        """:meth:`_principal` with the DPoP proof's replay cache awaited."""
        if self._any_typ:
            self._check_kind(token)
        if self._check_binding(credentials, token, method=method, url=url, dpop=dpop):
            await self._dpop.check_async(
                token, credentials.token, method=method, url=url, proof=dpop, now=now
            )
        return self._grant(credentials, token)

    def _grant(self, credentials: Credentials, token: Token) -> Principal:
        """Step 4: the scopes, and the principal."""
        scopes = token_scopes(token.claims)
        if scopes is None:
            _log.info("access token refused: its scope claim is not a string")
            raise self._refuse("invalid_token", credentials.scheme)
        found = principal(token, scopes)
        self.require_scopes(found, self._scopes)
        return found

    def _check_kind(self, token: Token) -> None:
        """With no ``typ`` pinned, still refuse the JWTs that are never access tokens."""
        typ = token.header.get("typ")
        if isinstance(typ, str):
            kind = media_type(typ)
            if kind in _NOT_ACCESS_TOKENS or kind.endswith("+sd-jwt"):
                _log.info("access token refused: its typ %r marks another kind of token", typ)
                raise self._refuse("invalid_token")

    # -- the public API ----------------------------------------------------------------------

    @property
    def issuer(self) -> StringOrList:
        """The accepted issuer(s)."""
        return self._token.issuer

    @property
    def audience(self) -> StringOrList:
        """This resource's identifier(s): the ``aud`` a token must contain."""
        return self._token.audience

    @property
    def async_only(self) -> bool:
        """True when the keys can only be awaited (an ``AsyncRemoteKeySet``): no :meth:`verify`."""
        return self._mode == "async"

    def challenge(self) -> str:
        """The bare challenge for a request without credentials (RFC 6750 §3.1)."""
        header = self._refuse("missing").www_authenticate
        assert header is not None
        return header

    def require_scopes(self, principal: Principal, scopes: Iterable[str]) -> None:
        """Refuse with 403 ``insufficient_scope`` unless the principal has every scope.

        Raises:
            BearerError: a scope is missing; the challenge names the scopes needed.
        """
        needed = scopes if isinstance(scopes, frozenset) else frozenset(scope_names(scopes))
        if not needed <= principal.scopes:
            scheme = "DPoP" if principal.token.claims.get("cnf") is not None else "Bearer"
            raise self._refuse("insufficient_scope", scheme, scope=sorted(needed | self._scopes))

    def verify(
        self,
        authorization: str | None,
        *,
        method: str = "GET",
        url: str | None = None,
        dpop: str | None = None,
        form_token: str | None = None,
        now: Instant | None = None,
    ) -> Principal:
        """Verify a request's credentials; return its :class:`Principal`.

        Args:
            authorization: the ``Authorization`` header value; several header lines joined
                by ``", "`` (as RFC 9110 combines them), or ``None`` when absent.
            method: the request method (for DPoP's ``htm``).
            url: the request URL as the server knows it (for DPoP's ``htu``, of which only
                the path counts with ``public_url``; and to find a token in the query).
            dpop: the request's ``DPoP`` header (a proof), if any.
            form_token: the ``access_token`` parameter of a form-encoded body, if the
                adapter found one (several values joined by ``", "``).
            now: the current time, for tests; defaults to the clock.

        Raises:
            BearerError: the request is refused; ``.status``, ``.error`` and
                ``.www_authenticate`` are the answer to send.
            JoseError: the verifier holds an :class:`~josekit.jwks.AsyncRemoteKeySet`, which
                only :meth:`verify_async` can use (a programming error, not a 503).
        """
        if self._mode == "async":
            raise sync_refused("verify()")
        credentials = self._credentials(authorization, url, form_token)
        cached = self._token.cached(credentials.token)
        if cached is None:
            self._check_issuer(credentials)  # only a lookup that may fetch needs it
        try:
            token = self._token.decode(credentials.token, now, cached)
        except JoseError as exc:
            raise self._refused_token(exc, credentials.scheme) from exc
        return self._principal(credentials, token, method, url, dpop, now)

    async def verify_async(
        self,
        authorization: str | None,
        *,
        method: str = "GET",
        url: str | None = None,
        dpop: str | None = None,
        form_token: str | None = None,
        now: Instant | None = None,
    ) -> Principal:
        """:meth:`verify` for event loops: the key lookup never blocks the loop.

        An :class:`~josekit.jwks.AsyncRemoteKeySet` is awaited; a sync
        :class:`~josekit.jwks.RemoteKeySet` is consulted in a worker thread. Keys either
        holds in its fresh cache are used at once, on the loop.

        Raises:
            BearerError: as :meth:`verify`.
        """
        credentials = self._credentials(authorization, url, form_token)
        cached = self._token.cached(credentials.token)
        if cached is None:
            self._check_issuer(credentials)  # only a lookup that may fetch needs it
        try:
            if cached is not None:
                token = self._token.decode(credentials.token, now, cached)
            elif self._mode == "resolver":
                token = await asyncio.to_thread(self._token.decode, credentials.token, now)
            else:
                token = await self._token.decode_async(credentials.token, now)
        except JoseError as exc:
            raise self._refused_token(exc, credentials.scheme) from exc
        if credentials.scheme == "Bearer":  # no proof to check, nothing to await
            return self._principal(credentials, token, method, url, dpop, now)
        return await self._principal_async(credentials, token, method, url, dpop, now)
