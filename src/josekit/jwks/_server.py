"""The JWKS endpoint: an ASGI application (Starlette) publishing a key store's public keys."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .._b64 import b64e_str
from .._json import dumps_bytes
from ..errors import JoseError
from ..jwk import KeySet
from ._http import check_url
from ._store import KeyStore

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["JWKS_PATH", "PublicKeySource", "create_app"]

JWKS_PATH = "/.well-known/jwks.json"
"""Where :func:`create_app` serves the JWK Set."""
_DISCOVERY_PATH = "/.well-known/openid-configuration"
_MEDIA_TYPE = "application/jwk-set+json"
_MIN_WAIT = 1.0
_RETRY_WAIT = 30.0
_log = logging.getLogger("josekit.jwks")


@runtime_checkable
class PublicKeySource(Protocol):
    """Anything that can say which public keys to publish (a :class:`KeyStore` does)."""

    def public_key_set(self) -> KeySet:
        """The keys to publish."""
        ...


def _import_starlette() -> Any:
    try:
        import starlette.applications
        import starlette.concurrency
        import starlette.responses
        import starlette.routing
    except ImportError as exc:
        raise ImportError(
            "josekit.jwks.create_app serves keys with Starlette, which is not installed: "
            "pip install 'josekit[server]'"
        ) from exc
    return starlette


def _etag(body: bytes) -> str:
    return '"' + b64e_str(hashlib.sha256(body).digest()[:18]) + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        value = candidate.strip()
        if value == "*" or value.removeprefix("W/") == etag:
            return True
    return False


def _default_max_age(store: PublicKeySource) -> int:
    if isinstance(store, KeyStore):
        try:
            return int(min(store.policy.publish_ahead.total_seconds() / 2, 3600))
        except JoseError:  # no policy given and none saved yet
            pass
    return 300


def _wait(store: KeyStore, next_due: float | None, interval: float | None) -> float:
    """Seconds until the next background rotate(): the fixed interval, or until it is due."""
    if interval is not None:
        return interval
    longest = max(_MIN_WAIT, store.policy.publish_ahead.total_seconds() / 2)
    if next_due is None:
        return longest
    return min(max(next_due, _MIN_WAIT), longest)


async def _rotate_forever(store: KeyStore, interval: float | None, run: Any) -> None:
    """Call ``store.rotate()`` on schedule; failures are logged and retried, never raised."""
    while True:
        try:
            result = await run(store.rotate)
            if result.changed:
                _log.info(
                    "key store %r rotated: created %s, activated %s, retired %s, removed %s",
                    store.storage,
                    result.created,
                    result.activated,
                    result.retired,
                    list(result.removed),
                )
            due = None
            if result.next_due is not None:
                due = result.next_due.timestamp() - await run(store.clock)
            wait = _wait(store, due, interval)
        except (JoseError, OSError) as exc:
            _log.warning("key store %r: background rotation failed: %s", store.storage, exc)
            wait = interval if interval is not None else _RETRY_WAIT
        await asyncio.sleep(wait)


def create_app(
    store: PublicKeySource,
    *,
    issuer: str | None = None,
    max_age: int | None = None,
    metadata: Mapping[str, Any] | None = None,
    rotate: bool = True,
    rotate_interval: float | None = None,
) -> Starlette:
    """An ASGI application serving ``GET /.well-known/jwks.json`` (and discovery, optionally).

    The JWK Set holds public keys only (``oct`` keys are never published), is served as
    ``application/jwk-set+json`` with ``Cache-Control: public, max-age=...`` and a strong
    ``ETag``, and a request whose ``If-None-Match`` matches gets ``304 Not Modified``. The
    store is read on every request (a :class:`KeyStore` re-parses only when the file changed),
    so rotations done by another process are served at once.

    With ``issuer``, ``GET /.well-known/openid-configuration`` serves
    ``{"issuer": issuer, "jwks_uri": issuer + "/.well-known/jwks.json",
    "id_token_signing_alg_values_supported": [...]}`` plus ``metadata``; mount the app at
    the issuer's path. Run it with any ASGI server, e.g.
    ``uvicorn.run(create_app(store), host=..., port=...)``.

    Args:
        store: a :class:`KeyStore` or anything with ``public_key_set()``.
        issuer: the issuer identifier, to serve the discovery document.
        max_age: seconds verifiers may cache the answers; by default half the store's
            ``publish_ahead`` (at most an hour), or 300 for other sources. Keep it at most
            ``publish_ahead``, or verifiers may meet a key before they have fetched it.
        metadata: more members for the discovery document.
        rotate: with a :class:`KeyStore`, call its :meth:`~KeyStore.rotate` in the
            background while the app runs (through the ASGI lifespan; every replica may do
            so: the storage lets one of them make each change, and every replica serves the
            new state within the store's ``refresh`` interval). Failures are logged
            (logger ``josekit.jwks``) and retried.
        rotate_interval: seconds between background rotations; by default until the next
            change is due, at least 1 s and at most ``publish_ahead / 2``.

    Raises:
        ImportError: Starlette is not installed (``pip install 'josekit[server]'``).
        JoseError: an invalid argument.
    """
    starlette = _import_starlette()
    if not isinstance(store, PublicKeySource):
        raise JoseError(f"store must have a public_key_set() method, not {type(store).__name__}")
    seconds = _default_max_age(store) if max_age is None else max_age
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        raise JoseError(f"max_age must be an int >= 0, not {max_age!r}")
    if issuer is not None:
        check_url(issuer, allow_http=False, what="issuer")
    cache_control = f"public, max-age={seconds}"
    extra = dict(metadata or {})
    responses = starlette.responses
    run_in_threadpool = starlette.concurrency.run_in_threadpool

    async def published() -> KeySet:
        keys: KeySet = await run_in_threadpool(store.public_key_set)
        return KeySet(k.public() for k in keys if not k.is_symmetric)

    def answer(request: Any, body: bytes, media_type: str) -> Any:
        etag = _etag(body)
        headers = {"Cache-Control": cache_control, "ETag": etag}
        if _matches(request.headers.get("if-none-match"), etag):
            return responses.Response(status_code=304, headers=headers)
        return responses.Response(body, media_type=media_type, headers=headers)

    async def jwks(request: Any) -> Any:
        keys = await published()
        return answer(request, dumps_bytes(keys.to_dict()), _MEDIA_TYPE)

    async def discovery(request: Any) -> Any:
        assert issuer is not None
        keys = await published()
        document = {
            "issuer": issuer,
            "jwks_uri": issuer.rstrip("/") + JWKS_PATH,
            "id_token_signing_alg_values_supported": sorted({k.alg for k in keys if k.alg}),
            **extra,
        }
        return answer(request, dumps_bytes(document), "application/json")

    routes = [starlette.routing.Route(JWKS_PATH, jwks, methods=["GET"])]
    if issuer is not None:
        routes.append(starlette.routing.Route(_DISCOVERY_PATH, discovery, methods=["GET"]))
    background = rotate and isinstance(store, KeyStore)
    if rotate_interval is not None and (
        isinstance(rotate_interval, bool)
        or not isinstance(rotate_interval, (int, float))
        or rotate_interval <= 0
    ):
        raise JoseError(f"rotate_interval must be seconds > 0, not {rotate_interval!r}")

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        task = None
        if background:
            assert isinstance(store, KeyStore)
            task = asyncio.create_task(_rotate_forever(store, rotate_interval, run_in_threadpool))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app: Starlette = starlette.applications.Starlette(routes=routes, lifespan=lifespan)
    return app
