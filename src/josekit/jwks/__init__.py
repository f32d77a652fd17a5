"""JWK Sets over HTTP: remote key sets for verifiers, a rotating key store and its endpoint.

Verifier side (needs ``pip install 'josekit[remote]'``, i.e. httpx)::

    from josekit import jwt
    from josekit.jwks import RemoteKeySet

    keys = RemoteKeySet.from_issuer("https://issuer.example")     # or RemoteKeySet(jwks_url)
    token = jwt.decode(raw, keys, algorithms=["ES256"], issuer="https://issuer.example")

:class:`RemoteKeySet` is a key resolver, so it goes wherever a key set does. It caches,
honours ``Cache-Control: max-age``, refetches on an unknown ``kid`` at most once per
cooldown, shares one fetch between concurrent callers, keeps using cached keys for a while
when the server is down, and refuses plain HTTP (except to loopback), redirects, slow or
oversized answers and invalid key sets. In an event loop, use :class:`AsyncRemoteKeySet`
with :func:`verify_async`, :func:`decode_jwt_async`, :func:`decrypt_async` or
:func:`prefetch_keys`.

Issuer side (the endpoint needs ``pip install 'josekit[server]'``: Starlette and uvicorn)::

    from datetime import timedelta
    from josekit import jwt
    from josekit.jwks import KeyStore, RotationPolicy, create_app

    store = KeyStore("/var/lib/issuer/keys", RotationPolicy(
        alg="ES256",
        rotate_every=timedelta(days=7),
        publish_ahead=timedelta(hours=2),   # >= the verifiers' cache TTL (the max-age)
        retire_after=timedelta(hours=3),    # >= longest token lifetime + cache TTL
    ))
    store.rotate()                          # run periodically (at least every publish_ahead/2)
    token = jwt.encode(claims, store.signing_key(), "ES256")
    app = create_app(store, issuer="https://issuer.example")   # serve with uvicorn

``import josekit`` never imports this package, and importing it never imports httpx or
Starlette: they are imported when a remote key set or the app is created, and a missing one
raises an ImportError naming the extra to install.
"""

from __future__ import annotations

from ._async import (
    AsyncKeyResolver,
    AsyncRemoteKeySet,
    decode_jwt_async,
    decrypt_async,
    prefetch_keys,
    verify_async,
)
from ._events import FetchEvent
from ._keysource import KeySource
from ._policy import KeyStatus, RotationPolicy, RotationResult
from ._remote import RemoteKeySet
from ._server import JWKS_PATH, PublicKeySource, create_app
from ._storage import KeyStorage, MemoryKeyStorage
from ._storage_file import FileKeyStorage
from ._storage_postgres import PostgresKeyStorage
from ._store import KeyStore

__all__ = [
    "JWKS_PATH",
    "AsyncKeyResolver",
    "AsyncRemoteKeySet",
    "FetchEvent",
    "FileKeyStorage",
    "KeySource",
    "KeyStatus",
    "KeyStorage",
    "KeyStore",
    "MemoryKeyStorage",
    "PostgresKeyStorage",
    "PublicKeySource",
    "RemoteKeySet",
    "RotationPolicy",
    "RotationResult",
    "create_app",
    "decode_jwt_async",
    "decrypt_async",
    "prefetch_keys",
    "verify_async",
]
