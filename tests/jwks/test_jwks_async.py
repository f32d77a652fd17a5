"""AsyncRemoteKeySet and the async verify/decode/decrypt functions, in a real event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
import pytest
from jwks_helpers import Clock, Live, ec_keys, silent_server

from josekit import KeySet, jwe, jwk, jws, jwt
from josekit.errors import (
    InvalidSignatureError,
    JoseError,
    JWKSFetchError,
    KeyNotFoundError,
    MalformedError,
)
from josekit.jwks import (
    AsyncKeyResolver,
    AsyncRemoteKeySet,
    decode_jwt_async,
    decrypt_async,
    prefetch_keys,
    verify_async,
)

T = TypeVar("T")


def run(factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await factory()

    return asyncio.run(main())


def test_verify_async_fetches_without_blocking_the_loop(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    live.app.pause = 0.3
    token = jws.sign(b"hello", private[0], "ES256")
    ticks: list[float] = []

    async def main() -> bytes:
        async def ticker() -> None:
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        background = asyncio.ensure_future(ticker())
        async with AsyncRemoteKeySet(live.url) as keys:
            assert isinstance(keys, AsyncKeyResolver)
            result = await verify_async(token, keys, algorithms=["ES256"])
        background.cancel()
        return result.payload

    assert run(main) == b"hello"
    assert len(ticks) >= 10  # the loop kept running during the 0.3 s fetch


def test_concurrent_tasks_share_one_fetch(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    live.app.pause = 0.2
    token = jwt.encode({"sub": "alice", "iss": "https://issuer.example"}, private[0], "ES256")

    async def main() -> list[str]:
        async with AsyncRemoteKeySet(live.url) as keys:
            results = await asyncio.gather(
                *(
                    decode_jwt_async(
                        token, keys, algorithms=["ES256"], issuer="https://issuer.example"
                    )
                    for _ in range(20)
                )
            )
        return [r.claims["sub"] for r in results]

    assert run(main) == ["alice"] * 20
    assert live.hits() == 1


def test_decode_jwt_async_validates_claims_and_signature(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    expired = jwt.encode({"sub": "a", "exp": 1000}, private[0], "ES256")
    forged = jwt.encode({"sub": "a"}, jwk.generate("EC", crv="P-256", kid="k1"), "ES256")

    async def main() -> None:
        async with AsyncRemoteKeySet(live.url) as keys:
            with pytest.raises(JoseError, match="exp"):
                await decode_jwt_async(expired, keys, algorithms=["ES256"], now=2000)
            with pytest.raises(InvalidSignatureError):
                await decode_jwt_async(forged, keys, algorithms=["ES256"])

    run(main)


def test_unknown_kid_refetch_respects_cooldown(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    clock = Clock()
    attacker = jwk.generate("EC", crv="P-256")

    async def main() -> None:
        async with AsyncRemoteKeySet(live.url, cooldown=30, clock=clock) as keys:
            await verify_async(jws.sign(b"x", private[0], "ES256"), keys, algorithms=["ES256"])
            for index in range(200):
                token = jws.sign(b"x", attacker, "ES256", header={"kid": f"random-{index}"})
                with pytest.raises(KeyNotFoundError):
                    await verify_async(token, keys, algorithms=["ES256"])
                clock.advance(0.5)  # 100 s in all

    run(main)
    assert live.hits() <= 1 + 4


def test_async_warm_cache_survives_an_outage(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public, cache_control="max-age=60")
    clock = Clock()
    token = jws.sign(b"x", private[0], "ES256")

    async def main() -> None:
        async with AsyncRemoteKeySet(live.url, cooldown=10, clock=clock) as keys:
            await verify_async(token, keys, algorithms=["ES256"])
            live.app.status = 502
            clock.advance(61)
            assert (await verify_async(token, keys, algorithms=["ES256"])).payload == b"x"
            with pytest.raises(JWKSFetchError, match="502"):
                await keys.refresh()

    run(main)


def test_async_cold_cache_failure_raises(live: Live) -> None:
    live.app.status = 404

    async def main() -> None:
        async with AsyncRemoteKeySet(live.url) as keys:
            with pytest.raises(JWKSFetchError, match="404"):
                await keys.key_set()

    run(main)


def test_async_server_that_never_answers_times_out() -> None:
    with silent_server() as base:

        async def main() -> None:
            async with AsyncRemoteKeySet(base + "/jwks.json", timeout=0.3) as keys:
                with pytest.raises(JWKSFetchError, match=r"within 0\.3 s"):
                    await keys.key_set()

        started = time.monotonic()
        run(main)
        assert time.monotonic() - started < 5


def test_async_from_issuer(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    live.app.routes["/.well-known/openid-configuration"] = (
        200,
        {},
        jwt_json({"issuer": live.base, "jwks_uri": live.url}),
    )

    async def main() -> str:
        keys = await AsyncRemoteKeySet.from_issuer(live.base)
        async with keys:
            token = jws.sign(b"x", private[0], "ES256")
            await verify_async(token, keys, algorithms=["ES256"])
            return keys.url

    assert run(main) == live.url


def test_async_client_of_the_caller_is_kept_open(live: Live) -> None:
    _, public = ec_keys("k1")
    live.app.set_keys(public)

    async def main() -> bool:
        async with httpx.AsyncClient() as client:
            async with AsyncRemoteKeySet(live.url, client=client) as keys:
                assert [k.kid for k in await keys.key_set()] == ["k1"]
            return client.is_closed

    assert run(main) is False
    with pytest.raises(JoseError, match="AsyncClient"):
        AsyncRemoteKeySet(live.url, client=httpx.Client())  # type: ignore[arg-type]


def test_prefetch_keys_feeds_any_sync_function(live: Live) -> None:
    private, public = ec_keys("k1", "k2")
    live.app.set_keys(public)
    first = jws.sign(b"one", private[0], "ES256")
    second = jws.sign(b"two", private[1], "ES256")

    async def main() -> None:
        async with AsyncRemoteKeySet(live.url) as keys:
            resolver = await prefetch_keys(first, keys)
            assert jws.verify(first, resolver, algorithms=["ES256"]).payload == b"one"
            with pytest.raises(KeyNotFoundError, match="another token"):
                jws.verify(second, resolver, algorithms=["ES256"])
            with pytest.raises(MalformedError, match="compact"):
                await prefetch_keys('{"payload": ""}', keys)

    run(main)


def test_sync_sources_work_with_the_async_functions() -> None:
    signer = jwk.generate("OKP", crv="Ed25519", kid="s")
    token = jws.sign(b"x", signer, "Ed25519")
    recipient = jwk.generate("EC", crv="P-256", kid="r")
    encrypted = jwe.encrypt(b"secret", recipient.public(), "ECDH-ES+A128KW", "A128GCM")

    async def main() -> tuple[bytes, bytes, bytes]:
        by_key = await verify_async(token, signer.public(), algorithms=["Ed25519"])
        by_set = await verify_async(token, KeySet([signer.public()]), algorithms=["Ed25519"])
        opened = await decrypt_async(encrypted, KeySet([recipient]), algorithms=["ECDH-ES+A128KW"])
        return by_key.payload, by_set.payload, opened.plaintext

    assert run(main) == (b"x", b"x", b"secret")


def jwt_json(document: dict[str, str]) -> bytes:
    import json

    return json.dumps(document).encode()
