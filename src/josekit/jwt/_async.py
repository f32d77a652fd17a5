"""The async twins of the JWT encoders and decoders: the same checks, keys that may be awaited.

The cryptography is CPU work of microseconds; only finding the keys may need the network.
So each decoder first checks the token's form exactly as its sync twin does, then gets the
candidate keys without blocking the event loop, then runs the sync decoder with them:

* an async key source (:class:`~josekit.jwks.AsyncRemoteKeySet`, anything with
  ``candidates_async``) is awaited;
* a :class:`~josekit.Key` or an in-memory :class:`~josekit.KeySet` is used as it is;
* any other resolver (a sync :class:`~josekit.jwks.RemoteKeySet`, which may fetch) runs in a
  worker thread, so a slow key server never stalls the loop.

A key held by a backend (``jwk.external_key``) signs or decrypts through the bridge of
:mod:`josekit.algorithms._bridge`: the sync code runs in a worker thread and an async
backend's calls are awaited on this loop. The encoders are the sync ones run that way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from functools import cache, partial
from typing import TYPE_CHECKING, Any, TypeVar, Union

from ..algorithms._bridge import held_elsewhere, offload
from ..jwk import Key, KeyResolver, KeySet
from ..policy import DEFAULT_LIMITS, Limits
from ..replay import AsyncReplayCache, ReplayCache
from ._claims import ClaimChecks, Duration, Instant, StringOrList, seconds
from ._encrypted import (
    DecryptionKeySource,
    decode_encrypted,
    encode_nested,
    encrypted_text,
    nested_text,
    open_nested,
)
from ._profiles import decode_access_token, decode_id_token
from ._replay import record_async
from ._signed import decode, decode_with, encode, signed_text
from ._token import NestedToken, Token

if TYPE_CHECKING:
    from ..jwks import AsyncKeyResolver
    from ..jwks._prefetch import PrefetchedKeys

__all__ = [
    "AnyKeySource",
    "decode_access_token_async",
    "decode_async",
    "decode_encrypted_async",
    "decode_id_token_async",
    "decode_nested_async",
    "decode_with_async",
    "encode_async",
    "encode_nested_async",
]

AnyKeySource = Union["AsyncKeyResolver", KeyResolver, Key]
"""A key, a key set or resolver, or an async key source such as ``AsyncRemoteKeySet``."""

_T = TypeVar("_T")


def _is_async(source: object) -> bool:
    return callable(getattr(source, "candidates_async", None))


@cache
def _prefetch() -> Callable[..., Awaitable[PrefetchedKeys]]:
    # In the jwks package (whose facade imports much more): imported on first use, once.
    from ..jwks._prefetch import prefetched

    return prefetched


async def _with_keys(text: str, source: Any, limits: Limits, run: Callable[[Any], _T]) -> _T:
    """Run ``run(keys)`` with keys that never block the loop (see the module docs).

    Software keys run at once, on the loop (an awaited key set's cached keys included: no
    thread, no extra task); keys held by a backend and sync resolvers in a worker thread.
    """
    if not isinstance(source, (Key, KeySet, str, bytes)) and _is_async(source):
        found = await _prefetch()(text, source, limits)
        if not held_elsewhere(*found.keys):
            return run(found)
        return await offload(partial(run, found), *found.keys)
    return await offload(partial(run, source), source)


def decode_with_async(
    text: str, source: Any, allowed: Collection[str], checks: ClaimChecks, limits: Limits
) -> Awaitable[Token]:
    """:func:`~josekit.jwt._signed.decode_with` for event loops, any key source.

    For callers that check their options once (``web.BearerVerifier``); ``text`` is a
    compact JWS as from :func:`~josekit.jwt._signed.signed_text`. It returns the awaitable
    of :func:`_with_keys` (no coroutine of its own).
    """
    return _with_keys(
        text, source, limits, lambda keys: decode_with(text, keys, allowed, checks, limits)
    )


async def encode_async(
    claims: Mapping[str, Any],
    key: Key,
    alg: str,
    *,
    header: Mapping[str, Any] | None = None,
) -> str:
    """:func:`josekit.jwt.encode` for event loops: same arguments, same result and errors.

    A key whose backend is an :class:`~josekit.jwk.AsyncExternalPrivateKey` (a remote KMS)
    is awaited on this loop; a sync backend runs in a worker thread; a software key signs
    at once.
    """
    return await offload(partial(encode, claims, key, alg, header=header), key)


async def encode_nested_async(
    claims: Mapping[str, Any],
    signing_key: Key,
    sign_alg: str,
    encryption_key: DecryptionKeySource,
    alg: str,
    enc: str | None,
    *,
    header: Mapping[str, Any] | None = None,
    encryption_header: Mapping[str, Any] | None = None,
) -> str:
    """:func:`josekit.jwt.encode_nested` for event loops, the signing key held by any backend."""
    run = partial(
        encode_nested,
        claims,
        signing_key,
        sign_alg,
        encryption_key,
        alg,
        enc,
        header=header,
        encryption_header=encryption_header,
    )
    return await offload(run, signing_key)


async def decode_async(
    token: str | bytes,
    key_or_keyset: AnyKeySource,
    *,
    algorithms: Iterable[str],
    issuer: StringOrList | None = None,
    audience: StringOrList | None = None,
    subject: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    typ: str | None = None,
    max_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
    replay: ReplayCache | AsyncReplayCache | None = None,
) -> Token:
    """:func:`josekit.jwt.decode` for event loops: same arguments, any key source.

    ``replay`` may be a :class:`~josekit.replay.ReplayCache` or an
    :class:`~josekit.replay.AsyncReplayCache` (awaited).

    Raises:
        JoseError: as :func:`~josekit.jwt.decode`, plus
            :class:`~josekit.errors.JWKSFetchError` when remote keys could not be fetched.
    """
    text = signed_text(token, limits)
    run = partial(
        decode,
        text,
        algorithms=algorithms,
        issuer=issuer,
        audience=audience,
        subject=subject,
        leeway=leeway,
        required=required,
        typ=typ,
        max_age=max_age,
        now=now,
        limits=limits,
    )
    result = await _with_keys(text, key_or_keyset, limits, run)
    if replay is not None:
        await record_async(result.claims, replay, seconds(leeway, "leeway"))
    return result


async def decode_access_token_async(
    token: str | bytes,
    key_or_keyset: AnyKeySource,
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
    """:func:`josekit.jwt.decode_access_token` (RFC 9068) for event loops, any key source."""
    text = signed_text(token, limits)

    def run(keys: Any) -> Token:
        return decode_access_token(
            text,
            keys,
            algorithms=algorithms,
            issuer=issuer,
            audience=audience,
            subject=subject,
            client_id=client_id,
            leeway=leeway,
            required=required,
            max_age=max_age,
            now=now,
            limits=limits,
        )

    return await _with_keys(text, key_or_keyset, limits, run)


async def decode_id_token_async(
    token: str | bytes,
    key_or_keyset: AnyKeySource,
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
    """:func:`josekit.jwt.decode_id_token` (OIDC Core) for event loops, any key source."""
    text = signed_text(token, limits)

    def run(keys: Any) -> Token:
        return decode_id_token(
            text,
            keys,
            algorithms=algorithms,
            issuer=issuer,
            client_id=client_id,
            nonce=nonce,
            leeway=leeway,
            required=required,
            max_age=max_age,
            max_auth_age=max_auth_age,
            now=now,
            limits=limits,
            access_token=access_token,
            code=code,
            state=state,
            response_type=response_type,
        )

    return await _with_keys(text, key_or_keyset, limits, run)


async def decode_encrypted_async(
    token: str | bytes,
    key_or_keyset: DecryptionKeySource | AsyncKeyResolver,
    *,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None = None,
    issuer: StringOrList | None = None,
    audience: StringOrList | None = None,
    subject: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    typ: str | None = None,
    max_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Token:
    """:func:`josekit.jwt.decode_encrypted` for event loops, any key source."""
    text = encrypted_text(token, limits, "jwt.decode_encrypted()")

    def run(keys: Any) -> Token:
        return decode_encrypted(
            text,
            keys,
            algorithms=algorithms,
            encryptions=encryptions,
            issuer=issuer,
            audience=audience,
            subject=subject,
            leeway=leeway,
            required=required,
            typ=typ,
            max_age=max_age,
            now=now,
            limits=limits,
        )

    return await _with_keys(text, key_or_keyset, limits, run)


async def decode_nested_async(
    token: str | bytes,
    decryption_key: DecryptionKeySource | AsyncKeyResolver,
    verification_key: AnyKeySource,
    *,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None = None,
    signing_algorithms: Iterable[str],
    issuer: StringOrList | None = None,
    audience: StringOrList | None = None,
    subject: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    typ: str | None = None,
    max_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> NestedToken:
    """:func:`josekit.jwt.decode_nested` for event loops: each key source may be async.

    The decryption keys are found for the outer JWE, the verification keys for the signed
    JWT inside it, each without blocking the loop.
    """
    from ..algorithms.signing import SIGNATURE_ALGORITHMS
    from ._claims import claim_checks

    checks = claim_checks(
        issuer=issuer,
        audience=audience,
        subject=subject,
        leeway=leeway,
        required=required,
        typ=typ,
        max_age=max_age,
        now=now,
    )
    allowed = SIGNATURE_ALGORITHMS.allowed(signing_algorithms, "signing_algorithms")
    text = nested_text(token, limits)
    outer, inner = await _with_keys(
        text,
        decryption_key,
        limits,
        lambda keys: open_nested(text, keys, algorithms, encryptions, limits),
    )
    signed = await _with_keys(
        inner,
        verification_key,
        limits,
        lambda keys: decode_with(inner, keys, allowed, checks, limits),
    )
    return NestedToken(signed.claims, signed.header, signed.key, outer.header, outer.key)
