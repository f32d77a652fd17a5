"""RedisReplayCache against a real redis-server started for the test session."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import pytest
import redis
from dpop_helpers import URL, forge

from josekit import dpop, jwk
from josekit.errors import DPoPError, ReplayCacheError
from josekit.replay import AsyncRedisReplayCache, RedisReplayCache


def test_second_sighting_is_a_replay(redis_client: Any) -> None:
    cache = RedisReplayCache(redis_client)
    later = time.time() + 60
    assert cache.seen("a", later) is False
    assert cache.seen("a", later) is True
    assert redis_client.get("josekit:a") == b"1"


def test_entries_expire_at_expires_at(redis_client: Any) -> None:
    cache = RedisReplayCache(redis_client, prefix="t:")
    expires_at = time.time() + 3600.25
    cache.seen("a", expires_at)
    assert redis_client.expiretime("t:a") == math.ceil(expires_at)


def test_a_past_expiry_records_nothing(redis_client: Any) -> None:
    cache = RedisReplayCache(redis_client)
    assert cache.seen("old", time.time() - 10) is False
    assert redis_client.exists("josekit:old") == 0


def test_prefixes_separate_uses(redis_client: Any) -> None:
    later = time.time() + 60
    assert RedisReplayCache(redis_client, prefix="a:").seen("x", later) is False
    assert RedisReplayCache(redis_client, prefix="b:").seen("x", later) is False


def test_two_verifiers_sharing_one_redis_refuse_a_replayed_proof(
    redis_url: str, redis_client: Any
) -> None:
    """Two replicas, each with its own client and cache object, one Redis server."""
    key = jwk.generate("EC", crv="P-256")
    now = int(time.time())
    proof = dpop.create_proof(key, "GET", URL, iat=now)
    replica_1 = RedisReplayCache(redis_url)
    replica_2 = RedisReplayCache(redis.Redis.from_url(redis_url))
    options: dict[str, Any] = {"method": "GET", "url": URL, "algorithms": ["ES256"], "now": now}
    dpop.verify_proof(proof, replay=replica_1, **options)
    with pytest.raises(DPoPError) as info:
        dpop.verify_proof(proof, replay=replica_2, **options)
    assert info.value.check == "jti"
    (stored,) = redis_client.keys("josekit:dpop:*")
    assert redis_client.expiretime(stored) == now + 300 + 5


def test_unreachable_redis_fails_closed() -> None:
    with socket_port() as port:
        cache = RedisReplayCache(f"redis://:hunter2@127.0.0.1:{port}/0")
    with pytest.raises(ReplayCacheError) as info:
        cache.seen("a", time.time() + 60)
    assert "hunter2" not in str(info.value)
    key = jwk.generate("EC", crv="P-256")
    with pytest.raises(ReplayCacheError):
        dpop.verify_proof(
            forge(key, iat=1000),
            method="GET",
            url=URL,
            algorithms=["ES256"],
            replay=cache,
            now=1000,
        )


def test_async_twin(redis_url: str, redis_client: Any) -> None:
    async def run() -> tuple[bool, bool]:
        cache = AsyncRedisReplayCache(redis_url)
        later = time.time() + 60
        return await cache.seen("a", later), await cache.seen("a", later)

    assert asyncio.run(run()) == (False, True)


class socket_port:
    """A loopback port that nothing listens on (bound, then released)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_sync_redis_cache_from_async_code(redis_url: str) -> None:
    from josekit.replay import seen_async

    cache = RedisReplayCache(redis_url, prefix="s:")
    later = time.time() + 60

    async def run() -> tuple[bool, bool]:
        return await seen_async(cache, "a", later), await seen_async(cache, "a", later)

    assert asyncio.run(run()) == (False, True)


def test_two_bearer_verifiers_sharing_one_redis(redis_url: str) -> None:
    """Two replicas of a resource server (sync and async), one Redis: a proof works once."""
    from josekit import cnf, jwt
    from josekit.errors import BearerError
    from josekit.web import BearerVerifier

    issuer = jwk.generate("EC", crv="P-256", alg="ES256")
    client = jwk.generate("EC", crv="P-256")
    now = int(time.time())
    claims = {"iss": "i", "aud": "a", "exp": now + 60, "cnf": cnf.confirmation(client)}
    token = jwt.encode(claims, issuer, "ES256")
    options: dict[str, Any] = {
        "issuer": "i",
        "audience": "a",
        "algorithms": ["ES256"],
        "profile": "jwt",
        "dpop": "required",
    }
    replica_1 = BearerVerifier(issuer.public(), replay=RedisReplayCache(redis_url), **options)
    replica_2 = BearerVerifier(issuer.public(), replay=AsyncRedisReplayCache(redis_url), **options)
    proof = dpop.create_proof(client, "GET", URL, access_token=token, iat=now)
    replica_1.verify("DPoP " + token, dpop=proof, url=URL, now=now)

    fresh = dpop.create_proof(client, "GET", URL, access_token=token, iat=now)

    async def on_replica_2() -> str | None:
        try:
            await replica_2.verify_async("DPoP " + token, dpop=proof, url=URL, now=now)
        except BearerError as exc:
            refused = exc.error
        else:
            refused = None
        await replica_2.verify_async("DPoP " + token, dpop=fresh, url=URL, now=now)
        return refused

    assert asyncio.run(on_replica_2()) == "invalid_dpop_proof"
