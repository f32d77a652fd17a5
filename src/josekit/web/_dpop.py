"""DPoP-bound access tokens at the resource server (RFC 9449 §7): the proof meets the token.

The proof itself is checked by :func:`josekit.dpop.verify_proof` (the one DPoP check); this
module hands it the request, compares the token's ``cnf.jkt`` with the proof's key through
:func:`josekit.cnf.check_confirmation`, and turns each failure into the refusal RFC 9449
§7.1 and §9 name: ``invalid_dpop_proof``, ``use_dpop_nonce`` (with a fresh ``DPoP-Nonce``) or
``invalid_token`` for a token that is not bound.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..cnf import check_confirmation
from ..dpop import NonceIssuer, normalize_url, verify_proof, verify_proof_async
from ..dpop._proof import proof_algorithms
from ..errors import (
    AlgorithmNotAllowedError,
    BearerError,
    ClaimError,
    DPoPError,
    DPoPNonceError,
    JoseError,
    ReplayCacheError,
)
from ..jwt import Instant, Token
from ..replay import AsyncReplayCache, MemoryReplayCache, ReplayCache
from ._url import expected_url, public_base

__all__ = ["DEFAULT_DPOP_ALGORITHMS", "DPoPBinding"]

DEFAULT_DPOP_ALGORITHMS = ("ES256", "ES384", "Ed25519", "EdDSA", "PS256")
"""The proof algorithms a verifier accepts unless told otherwise (RFC 9449 §11.6)."""

_log = logging.getLogger("josekit.web")

Refuse = Callable[..., BearerError]


class DPoPBinding:
    """The DPoP side of a :class:`~josekit.web.BearerVerifier`: its options and its checks.

    Args:
        algorithms: the asymmetric algorithms accepted for proofs (sent as ``algs``).
        nonce: a :class:`~josekit.dpop.NonceIssuer` when proofs must carry a server nonce.
        replay: the replay cache of proof ``jti`` values; a :class:`MemoryReplayCache` by
            default (one process: replicas need a shared :class:`~josekit.replay.
            RedisReplayCache` or its async twin).
        refuse: the verifier's refusal builder.
        public_url: the API's external base URL; when given, a proof is checked against it
            plus the request's path (:func:`._url.expected_url`), never the request's host.
    """

    __slots__ = ("_async_replay", "_nonce", "_public", "_refuse", "_replay", "algorithms")

    def __init__(
        self,
        algorithms: Iterable[str],
        nonce: NonceIssuer | None,
        replay: ReplayCache | AsyncReplayCache | None,
        refuse: Refuse,
        public_url: str | None = None,
    ) -> None:
        if isinstance(algorithms, (str, bytes)):
            raise AlgorithmNotAllowedError("dpop_algorithms must be a list of algorithm names")
        self.algorithms = tuple(algorithms)
        proof_algorithms(self.algorithms)  # refuse unknown or symmetric ones now
        if nonce is not None and not isinstance(nonce, NonceIssuer):
            raise JoseError("nonce must be a josekit.dpop.NonceIssuer, or None")
        if replay is None:
            replay = MemoryReplayCache()
        if not callable(getattr(replay, "seen", None)):
            raise JoseError("replay must be a replay cache (an object with seen(id, expires_at))")
        self._nonce = nonce
        self._replay = replay
        self._async_replay = inspect.iscoroutinefunction(replay.seen)
        self._refuse = refuse
        self._public = public_base(public_url) if public_url is not None else None

    def _request(
        self, token: Token, access_token: str, method: str, url: str | None, proof: str | None
    ) -> dict[str, Any]:
        """The arguments of the proof check, once the token is known to be DPoP-bound."""
        cnf = token.claims.get("cnf")
        if not (isinstance(cnf, Mapping) and isinstance(cnf.get("jkt"), str)):
            _log.info("access token refused: sent with DPoP but not bound to a DPoP key")
            raise self._refuse("invalid_token", "DPoP")
        if proof is None:
            raise self._refuse("invalid_dpop_proof", "DPoP")
        if url is None:
            raise JoseError(
                "checking a DPoP proof needs the request URL: pass url= (the public URL this "
                "resource is reached at, never one built from the Host header alone)"
            )
        if self._public is not None:
            url = expected_url(self._public, url)
        try:
            url = normalize_url(url)
        except ValueError:
            # The URL came from the request (its Host header, say): no proof can match it.
            _log.info("DPoP proof refused: the request URL is not an absolute http(s) URL")
            raise self._refuse("invalid_dpop_proof", "DPoP") from None
        return {
            "method": method,
            "url": url,
            "algorithms": self.algorithms,
            "access_token": access_token,
            "nonce": self._nonce,
        }

    def _refused(self, exc: JoseError, now: Instant | None) -> BearerError:
        if isinstance(exc, ReplayCacheError):
            _log.warning("DPoP proof not checked, the replay cache is unavailable: %s", exc)
            return self._refuse("unavailable")
        _log.info("DPoP proof refused: %s", exc)
        if isinstance(exc, DPoPNonceError) and self._nonce is not None:
            fresh = self._nonce.new(now=now)
            return self._refuse(
                "use_dpop_nonce", "DPoP", headers={"DPoP-Nonce": fresh, "Cache-Control": "no-store"}
            )
        return self._refuse("invalid_dpop_proof", "DPoP")

    def _bound(self, token: Token, found: Any) -> None:
        try:
            check_confirmation(token.claims, key=found.key)
        except ClaimError as exc:
            _log.info("DPoP proof refused: %s", exc)
            raise self._refuse("invalid_dpop_proof", "DPoP") from exc

    def check(
        self,
        token: Token,
        access_token: str,
        *,
        method: str,
        url: str | None,
        proof: str | None,
        now: Instant | None,
    ) -> None:
        """Verify the request's proof for this token, and the token's binding to its key.

        Raises:
            BearerError: the refusal to send.
            JoseError: no ``url``, or an async replay cache (use :meth:`check_async`).
        """
        args = self._request(token, access_token, method, url, proof)
        if self._async_replay:
            raise JoseError(
                "this BearerVerifier has an async replay cache: call `await "
                "verifier.verify_async(...)`, or give it a sync cache for verify()"
            )
        try:
            found = verify_proof(proof or "", replay=self._replay, now=now, **args)  # type: ignore[arg-type]
        except (DPoPError, ReplayCacheError) as exc:
            raise self._refused(exc, now) from exc
        self._bound(token, found)

    async def check_async(
        self,
        token: Token,
        access_token: str,
        *,
        method: str,
        url: str | None,
        proof: str | None,
        now: Instant | None,
    ) -> None:
        """:meth:`check` for event loops (the replay cache is awaited or run in a thread)."""
        args = self._request(token, access_token, method, url, proof)
        try:
            found = await verify_proof_async(proof or "", replay=self._replay, now=now, **args)
        except (DPoPError, ReplayCacheError) as exc:
            raise self._refused(exc, now) from exc
        self._bound(token, found)
