"""RemoteKeySet against real HTTP servers on loopback: caching, refetching, failures, limits."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time

import httpx
import pytest
from jwks_helpers import Clock, Live, ec_keys, silent_server, trickle_server

from josekit import jwk, jws
from josekit.errors import JoseError, JWKSFetchError, KeyNotFoundError
from josekit.jwks import RemoteKeySet
from josekit.policy import Limits


def _token(key: jwk.Key, payload: bytes = b"payload", **header: object) -> str:
    return jws.sign(payload, key, "ES256", header=header or None)


def _verify(token: str, keys: RemoteKeySet) -> bytes:
    return jws.verify(token, keys, algorithms=["ES256"]).payload


# -- fetching and caching ----------------------------------------------------------------------


def test_first_use_fetches_and_verifies(live: Live) -> None:
    private, public = ec_keys("k1", "k2")
    live.app.set_keys(public)
    with RemoteKeySet(live.url) as keys:
        assert live.hits() == 0  # nothing is fetched before first use
        assert _verify(_token(private[1]), keys) == b"payload"
        result = jws.verify(_token(private[0]), keys, algorithms=["ES256"])
    assert result.key is not None
    assert result.key.kid == "k1"
    assert live.hits() == 1


def test_cache_hits_make_no_requests_until_expiry(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    clock = Clock()
    keys = RemoteKeySet(live.url, cache_ttl=300, cooldown=10, clock=clock)
    token = _token(private[0])
    for _ in range(50):
        _verify(token, keys)
        clock.advance(5)  # 250 s in all: still within cache_ttl
    assert live.hits() == 1
    clock.advance(60)
    _verify(token, keys)
    assert live.hits() == 2


def test_max_age_sets_freshness_within_bounds(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public, cache_control="public, max-age=100")
    clock = Clock()
    keys = RemoteKeySet(live.url, cache_ttl=5000, cooldown=10, clock=clock)
    token = _token(private[0])
    _verify(token, keys)
    clock.advance(99)
    _verify(token, keys)
    assert live.hits() == 1
    clock.advance(2)
    _verify(token, keys)
    assert live.hits() == 2


def test_age_header_is_subtracted_from_max_age(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public, cache_control="max-age=100", age="90")
    clock = Clock()
    keys = RemoteKeySet(live.url, cooldown=1, clock=clock)
    token = _token(private[0])
    _verify(token, keys)
    clock.advance(11)
    _verify(token, keys)
    assert live.hits() == 2


@pytest.mark.parametrize(
    ("cache_control", "fresh_for"),
    [("max-age=1", 30.0), ("no-store", 30.0), ("max-age=999999999", 3600.0)],
)
def test_max_age_is_clamped_to_cooldown_and_max_cache_ttl(
    live: Live, cache_control: str, fresh_for: float
) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public, cache_control=cache_control)
    clock = Clock()
    keys = RemoteKeySet(live.url, cooldown=30, max_cache_ttl=3600, clock=clock)
    token = _token(private[0])
    _verify(token, keys)
    clock.advance(fresh_for - 0.5)
    _verify(token, keys)
    assert live.hits() == 1
    clock.advance(1)
    _verify(token, keys)
    assert live.hits() == 2


def test_refresh_is_conditional_on_the_etag(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public, etag='"v1"', cache_control="max-age=60")
    clock = Clock()
    keys = RemoteKeySet(live.url, cooldown=10, clock=clock)
    token = _token(private[0])
    _verify(token, keys)
    assert "if-none-match" not in live.app.requests[0]
    live.app.status, live.app.body = 304, b""
    clock.advance(61)
    _verify(token, keys)  # 304: the cached keys are fresh again
    assert live.app.requests[1]["if-none-match"] == '"v1"'
    clock.advance(59)
    _verify(token, keys)
    assert live.hits() == 2


# -- unknown kid and cooldown --------------------------------------------------------------------


def test_unknown_kid_refetches_once_and_finds_a_new_key(live: Live) -> None:
    private, public = ec_keys("old", "new")
    live.app.set_keys(jwk.KeySet([public.get("old")]))
    clock = Clock()
    keys = RemoteKeySet(live.url, cooldown=30, clock=clock)
    _verify(_token(private[0]), keys)
    live.app.set_keys(public)  # the issuer publishes "new"
    clock.advance(31)
    assert _verify(_token(private[1]), keys) == b"payload"
    assert live.hits() == 2


def test_unknown_kid_within_cooldown_does_not_refetch(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    clock = Clock()
    keys = RemoteKeySet(live.url, cooldown=30, clock=clock)
    _verify(_token(private[0]), keys)
    stranger = jwk.generate("EC", crv="P-256", kid="stranger")
    with pytest.raises(KeyNotFoundError, match="stranger") as info:
        _verify(_token(stranger), keys)
    assert live.url in str(info.value)
    assert live.hits() == 1


def test_a_thousand_random_kids_cost_one_request_per_cooldown(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public, cache_control="max-age=3600")
    clock = Clock()
    keys = RemoteKeySet(live.url, cooldown=30, clock=clock)
    good = _token(private[0])
    _verify(good, keys)
    attacker = jwk.generate("EC", crv="P-256")
    for _ in range(1000):
        token = _token(attacker, kid=secrets.token_urlsafe(12))
        with pytest.raises(KeyNotFoundError):
            _verify(token, keys)
        clock.advance(0.1)  # 100 s of attack in all
    # First fetch + at most one per 30 s cooldown over 100 s.
    assert live.hits() <= 1 + 4
    assert _verify(good, keys) == b"payload"


def test_concurrent_first_use_from_20_threads_makes_one_request(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    live.app.pause = 0.2  # every thread arrives while the first fetch is in flight
    keys = RemoteKeySet(live.url)
    token = _token(private[0])
    barrier = threading.Barrier(20)
    results: list[bytes | BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        try:
            outcome: bytes | BaseException = _verify(token, keys)
        except BaseException as exc:
            outcome = exc
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [b"payload"] * 20
    assert live.hits() == 1


def test_header_urls_are_never_fetched(live: Live) -> None:
    _private, public = ec_keys("k1")
    live.app.set_keys(public)
    keys = RemoteKeySet(live.url)
    attacker = jwk.generate("EC", crv="P-256", kid="evil")
    live.app.routes["/evil.json"] = (
        200,
        {},
        jwk.KeySet([attacker.public()]).to_json().encode(),
    )
    token = _token(attacker, jku=live.base + "/evil.json", x5u=live.base + "/evil.pem")
    with pytest.raises(KeyNotFoundError):
        _verify(token, keys)
    assert live.hits("/evil.json") == 0
    assert live.hits("/evil.pem") == 0


# -- failures ---------------------------------------------------------------------------------


def test_server_down_with_warm_cache_keeps_verifying(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public, cache_control="max-age=60")
    clock = Clock()
    keys = RemoteKeySet(live.url, cooldown=10, stale_if_error=600, clock=clock)
    token = _token(private[0])
    _verify(token, keys)
    live.app.status, live.app.body = 503, b"down"
    clock.advance(61)
    with caplog.at_level(logging.WARNING, logger="josekit.jwks"):
        assert _verify(token, keys) == b"payload"
    assert "cached keys stay in use" in caplog.text
    for _ in range(100):  # still failing: one attempt per cooldown, cached keys serve
        clock.advance(1)
        assert _verify(token, keys) == b"payload"
    assert live.hits() <= 2 + 10
    clock.advance(600)  # past stale_if_error: the failure shows
    with pytest.raises(JWKSFetchError, match="503"):
        _verify(token, keys)


def test_server_gone_with_warm_cache_keeps_verifying() -> None:
    private, public = ec_keys("k1")
    from jwks_helpers import Counting, Scripted, serve

    app = Scripted()
    app.set_keys(public, cache_control="max-age=60")
    clock = Clock()
    with serve(Counting(app)) as base:
        keys = RemoteKeySet(base + "/jwks.json", cooldown=10, clock=clock)
        token = _token(private[0])
        _verify(token, keys)
    clock.advance(61)  # the server has stopped: connection refused
    assert _verify(token, keys) == b"payload"
    with pytest.raises(JWKSFetchError, match="failed"):
        keys.refresh()


def test_server_down_with_cold_cache_raises(live: Live) -> None:
    live.app.status, live.app.body = 500, b"oops"
    clock = Clock()
    keys = RemoteKeySet(live.url, cooldown=10, clock=clock)
    token = _token(jwk.generate("EC", crv="P-256", kid="k1"))
    with pytest.raises(JWKSFetchError, match="HTTP 500"):
        _verify(token, keys)
    with pytest.raises(JWKSFetchError, match="HTTP 500"):  # within cooldown: no new request
        _verify(token, keys)
    assert live.hits() == 1


def test_connection_refused_cold_cache_raises() -> None:
    probe = __import__("socket").socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    keys = RemoteKeySet(f"http://127.0.0.1:{port}/jwks.json", timeout=2)
    with pytest.raises(JWKSFetchError, match="failed"):
        keys.key_set()


def test_server_that_never_answers_times_out() -> None:
    with silent_server() as base:
        keys = RemoteKeySet(base + "/jwks.json", timeout=0.3)
        started = time.monotonic()
        with pytest.raises(JWKSFetchError, match=r"0\.3 s|timed out"):
            keys.key_set()
        assert time.monotonic() - started < 5  # bounded by the timeout, not hanging


def test_trickling_server_is_cut_at_the_overall_deadline() -> None:
    with trickle_server(interval=0.05) as base:
        keys = RemoteKeySet(base + "/jwks.json", timeout=0.4)
        started = time.monotonic()
        with pytest.raises(JWKSFetchError, match=r"within 0\.4 s"):
            keys.key_set()
        # Every read succeeds quickly; only an overall deadline can stop this.
        assert time.monotonic() - started < 3


def test_ten_megabyte_body_is_refused(live: Live) -> None:
    big = b'{"keys":[],"padding":"' + b"x" * 10_000_000 + b'"}'
    live.app.body = big
    keys = RemoteKeySet(live.url, max_bytes=100_000)
    with pytest.raises(JWKSFetchError, match="100000"):
        keys.key_set()


def test_oversized_body_without_content_length_is_cut_while_streaming(live: Live) -> None:
    from starlette.responses import StreamingResponse

    sent: list[int] = []

    async def endless(scope: object, receive: object, send: object) -> None:
        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(12_800):  # 100 MB if nobody stopped reading
                sent.append(1)
                yield b"x" * 8192
                await asyncio.sleep(0)

        await StreamingResponse(chunks())(scope, receive, send)  # type: ignore[arg-type]

    from jwks_helpers import serve

    with serve(endless) as base:
        keys = RemoteKeySet(base + "/jwks.json", max_bytes=64_000, timeout=5)
        with pytest.raises(JWKSFetchError, match="larger than the limit of 64000"):
            keys.key_set()
    assert len(sent) < 12_800  # the client hung up early and the server noticed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>not json</html>", "not valid"),
        (b'{"keys": [], "keys": []}', "duplicate"),
        (b"[]", "not valid"),
        (b'{"nokeys": 1}', "'keys' array"),
        (b'{"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}]}', "not valid"),
    ],
)
def test_invalid_documents_are_refused(live: Live, body: bytes, message: str) -> None:
    live.app.body = body
    keys = RemoteKeySet(live.url, strict=True)
    with pytest.raises(JWKSFetchError, match=message):
        keys.key_set()


def test_duplicate_kids_are_refused(live: Live) -> None:
    _, public = ec_keys("same")
    other = jwk.generate("EC", crv="P-256", kid="same").public()
    live.app.body = json.dumps({"keys": [public.get("same").to_dict(), other.to_dict()]}).encode()
    with pytest.raises(JWKSFetchError, match="duplicate kid"):
        RemoteKeySet(live.url).key_set()


@pytest.mark.parametrize("kind", ["private", "oct"])
def test_private_or_symmetric_keys_are_refused(live: Live, kind: str) -> None:
    key = (
        jwk.generate("EC", crv="P-256", kid="k")
        if kind == "private"
        else jwk.generate("oct", kid="k", size=256)
    )
    live.app.body = json.dumps({"keys": [key.to_dict(private=True)]}).encode()
    with pytest.raises(JWKSFetchError, match="public keys only"):
        RemoteKeySet(live.url).key_set()


def test_too_many_keys_are_refused(live: Live) -> None:
    _, public = ec_keys("a", "b", "c")
    live.app.set_keys(public)
    with pytest.raises(JWKSFetchError, match="more than the limit"):
        RemoteKeySet(live.url, limits=Limits(max_keys=2)).key_set()


def test_compressed_answer_is_refused(live: Live) -> None:
    live.app.headers = {"content-encoding": "gzip"}
    with pytest.raises(JWKSFetchError, match="Content-Encoding"):
        RemoteKeySet(live.url).key_set()
    assert live.app.requests[0]["accept-encoding"] == "identity"


# -- URL rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://issuer.example/jwks.json",
        "http://10.0.0.1/jwks.json",
        "http://[2001:db8::1]/jwks.json",
        "ftp://issuer.example/jwks.json",
        "file:///etc/passwd",
        "/relative/jwks.json",
        "",
    ],
)
def test_non_https_urls_are_refused(url: str) -> None:
    with pytest.raises(JWKSFetchError):
        RemoteKeySet(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://issuer.example/jwks.json",
        "http://127.0.0.1:8080/jwks.json",
        "http://127.5.6.7/jwks.json",
        "http://[::1]:9000/jwks.json",
        "http://localhost/jwks.json",
    ],
)
def test_https_and_loopback_urls_are_accepted(url: str) -> None:
    assert RemoteKeySet(url).url == url


def test_allow_http_opens_plain_http() -> None:
    assert RemoteKeySet("http://issuer.example/jwks.json", allow_http=True).url


def test_redirects_are_not_followed_by_default(live: Live) -> None:
    _, public = ec_keys("k1")
    live.app.routes["/moved"] = (302, {"location": "/jwks.json"}, b"")
    live.app.set_keys(public)
    with pytest.raises(JWKSFetchError, match="redirects are not followed"):
        RemoteKeySet(live.base + "/moved").key_set()
    assert live.hits() == 0
    keys = RemoteKeySet(live.base + "/moved", follow_redirects=True)
    assert [k.kid for k in keys.key_set()] == ["k1"]


def test_followed_redirects_are_checked_like_the_url(live: Live) -> None:
    live.app.routes["/moved"] = (302, {"location": "http://issuer.example/jwks.json"}, b"")
    with pytest.raises(JWKSFetchError, match="plain HTTP"):
        RemoteKeySet(live.base + "/moved", follow_redirects=True).key_set()


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": 0},
        {"timeout": -1},
        {"cooldown": float("nan")},
        {"max_bytes": 0},
        {"max_bytes": True},
        {"cache_ttl": "60"},
        {"cooldown": 100, "max_cache_ttl": 10},
        {"client": object()},
    ],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(JoseError):
        RemoteKeySet("https://issuer.example/jwks.json", **options)  # type: ignore[arg-type]


def test_caller_client_is_used_and_not_closed(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    with httpx.Client() as client:
        with RemoteKeySet(live.url, client=client) as keys:
            assert _verify(_token(private[0]), keys) == b"payload"
        assert not client.is_closed


def test_async_key_set_is_refused_in_sync_code(live: Live) -> None:
    from josekit.jwks import AsyncRemoteKeySet

    token = _token(jwk.generate("EC", crv="P-256", kid="k1"))
    with pytest.raises(JWKSFetchError, match="verify_async"):
        jws.verify(token, AsyncRemoteKeySet(live.url), algorithms=["ES256"])


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 300.0),
        ({"Cache-Control": "public, max-age=120"}, 120.0),
        ({"cache-control": 'max-age="120"'}, 120.0),
        ({"cache-control": "max-age=120", "age": "100"}, 30.0),  # clamped to the lowest
        ({"cache-control": "max-age=99999999999999999999999"}, 86400.0),
        ({"cache-control": "max-age=\u00b2"}, 300.0),  # a Unicode digit is not a number
        ({"cache-control": "max-age=-5"}, 300.0),
        ({"cache-control": "no-cache, max-age=600"}, 30.0),
        ({"content-length": "5", "cache-control": "s-maxage=5"}, 300.0),
    ],
)
def test_freshness_from_headers(headers: dict[str, str], expected: float) -> None:
    from josekit.jwks._http import ttl_from_headers

    assert ttl_from_headers(headers, 300.0, 30.0, 86400.0) == expected


def test_refresh_fetches_now_whatever_the_cooldown(live: Live) -> None:
    _, first = ec_keys("k1")
    live.app.set_keys(first)
    keys = RemoteKeySet(live.url, cooldown=3600, clock=Clock())
    assert [k.kid for k in keys.key_set()] == ["k1"]
    _, second = ec_keys("k2")
    live.app.set_keys(second)
    assert [k.kid for k in keys.key_set()] == ["k1"]  # cached
    assert [k.kid for k in keys.refresh()] == ["k2"]
    assert live.hits() == 2
    assert repr(keys) == f"RemoteKeySet({live.url!r})"
