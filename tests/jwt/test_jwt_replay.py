"""jwt.decode(replay=...): a token is accepted once, until its exp."""

from __future__ import annotations

import pytest

from josekit import jwk, jwt
from josekit.errors import InvalidClaimError, InvalidSignatureError, MissingClaimError
from josekit.replay import MemoryReplayCache

KEY = jwk.generate("EC", crv="P-256")
NOW = 1_800_000_000


def decode(token: str, cache: MemoryReplayCache, **options: object) -> jwt.Token:
    return jwt.decode(token, KEY.public(), algorithms=["ES256"], now=NOW, replay=cache, **options)  # type: ignore[arg-type]


def test_a_token_is_accepted_once() -> None:
    cache = MemoryReplayCache(clock=lambda: NOW)
    token = jwt.encode({"jti": "t-1", "exp": NOW + 60}, KEY, "ES256")
    assert decode(token, cache).claims["jti"] == "t-1"
    with pytest.raises(InvalidClaimError) as info:
        decode(token, cache)
    assert info.value.claim == "jti"


def test_remembered_until_exp_plus_leeway() -> None:
    clock = {"now": NOW}
    cache = MemoryReplayCache(clock=lambda: clock["now"])
    decode(jwt.encode({"jti": "t-1", "exp": NOW + 60}, KEY, "ES256"), cache, leeway=5)
    clock["now"] = NOW + 64
    assert cache.seen("probe", NOW + 100) is False
    assert len(cache) == 2
    clock["now"] = NOW + 65
    cache.seen("probe-2", NOW + 100)
    assert len(cache) == 2  # the token's entry expired and was dropped


def test_the_same_jti_from_another_issuer_is_another_token() -> None:
    cache = MemoryReplayCache(clock=lambda: NOW)
    decode(jwt.encode({"iss": "a", "jti": "1", "exp": NOW + 60}, KEY, "ES256"), cache, issuer="a")
    decode(jwt.encode({"iss": "b", "jti": "1", "exp": NOW + 60}, KEY, "ES256"), cache, issuer="b")


def test_jti_and_exp_are_required() -> None:
    cache = MemoryReplayCache(clock=lambda: NOW)
    with pytest.raises(MissingClaimError) as info:
        decode(jwt.encode({"exp": NOW + 60}, KEY, "ES256"), cache)
    assert info.value.claim == "jti"
    with pytest.raises(MissingClaimError) as info:
        decode(jwt.encode({"jti": "x"}, KEY, "ES256"), cache)
    assert info.value.claim == "exp"
    with pytest.raises(InvalidClaimError):
        decode(jwt.encode({"jti": 5, "exp": NOW + 60}, KEY, "ES256"), cache)


def test_a_refused_token_is_not_recorded() -> None:
    cache = MemoryReplayCache(clock=lambda: NOW)
    token = jwt.encode({"jti": "t", "exp": NOW + 60}, KEY, "ES256")
    with pytest.raises(InvalidSignatureError):
        jwt.decode(token[:-4] + "AAAA", KEY.public(), algorithms=["ES256"], now=NOW, replay=cache)
    assert len(cache) == 0
    decode(token, cache)


def test_decode_async_with_sync_and_async_caches() -> None:
    import asyncio

    from josekit.replay import AsyncMemoryReplayCache

    token = jwt.encode({"jti": "t-1", "exp": NOW + 60}, KEY, "ES256")
    for cache in (MemoryReplayCache(clock=lambda: NOW), AsyncMemoryReplayCache(clock=lambda: NOW)):

        async def run(cache: object = cache) -> jwt.Token:
            return await jwt.decode_async(
                token,
                KEY.public(),
                algorithms=["ES256"],
                now=NOW,
                replay=cache,  # type: ignore[arg-type]
            )

        assert asyncio.run(run()).claims["jti"] == "t-1"
        with pytest.raises(InvalidClaimError, match="already accepted"):
            asyncio.run(run())
