"""Remote key sets report each fetch: DEBUG log records, WARNING on failure, typed events;
``from_issuer(lazy=True)`` defers discovery to first use and retries it with the cooldown."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from jwks_helpers import Clock, Live, ec_keys

from josekit import jws
from josekit.errors import JWKSFetchError
from josekit.jwks import AsyncRemoteKeySet, FetchEvent, RemoteKeySet


def _metadata(live: Live, issuer: str | None = None) -> None:
    document = {"issuer": issuer or live.base, "jwks_uri": live.url}
    live.app.routes["/.well-known/openid-configuration"] = (200, {}, json.dumps(document).encode())


# -- log records and events ---------------------------------------------------------------------


def test_every_fetch_is_logged_at_debug_and_reported_as_an_event(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    _, public = ec_keys("k1", "k2")
    live.app.set_keys(public, cache_control="max-age=120", etag='"v1"')
    events: list[FetchEvent] = []
    clock = Clock()
    keys = RemoteKeySet(live.url + "?tenant=secret", clock=clock, on_event=events.append)
    with caplog.at_level(logging.DEBUG, logger="josekit.jwks"):
        keys.key_set()
        clock.advance(120)
        live.app.status = 304
        keys.key_set()
    first, second = events
    assert first == FetchEvent(
        document="jwks",
        url=live.url + "?…",
        status=200,
        bytes=len(live.app.body),
        duration=first.duration,
        max_age=120,
        etag_hit=False,
        keys=2,
        error=None,
    )
    assert first.ok
    assert first.duration >= 0
    assert (second.status, second.etag_hit, second.keys, second.ok) == (304, True, 2, True)
    debug = [r.getMessage() for r in caplog.records if r.name == "josekit.jwks"]
    fetched = [m for m in debug if m.startswith("fetched the JWK Set")]
    assert len(fetched) == 2
    assert f"at {live.url}?…: HTTP 200, {len(live.app.body)} bytes" in fetched[0]
    assert "max-age 120" in fetched[0]
    assert "ETag not matched" in fetched[0]
    assert "HTTP 304" in fetched[1]
    assert "ETag matched (304)" in fetched[1]
    ours = [r for r in caplog.records if r.name.startswith("josekit")]
    assert ours
    assert all("secret" not in r.getMessage() for r in ours)


def test_a_failed_fetch_is_a_warning_and_an_event(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    live.app.status = 503
    events: list[FetchEvent] = []
    keys = RemoteKeySet(live.url, clock=Clock(), on_event=events.append)
    with caplog.at_level(logging.DEBUG, logger="josekit.jwks"), pytest.raises(JWKSFetchError):
        keys.key_set()
    (event,) = events
    assert (event.status, event.ok, event.keys) == (503, False, None)
    assert event.error is not None
    assert "HTTP 503" in event.error
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "HTTP 503" in warning.getMessage()
    assert live.url in warning.getMessage()


def test_a_failing_callback_never_breaks_verification(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)

    def broken(event: FetchEvent) -> None:
        raise RuntimeError("metrics backend down")

    keys = RemoteKeySet(live.url, on_event=broken)
    token = jws.sign(b"x", private[0], "ES256")
    with caplog.at_level(logging.WARNING, logger="josekit"):
        assert jws.verify(token, keys, algorithms=["ES256"]).payload == b"x"
    assert "on_event callback raised RuntimeError" in caplog.text


def test_discovery_fetches_are_events_too(live: Live) -> None:
    _, public = ec_keys("k1")
    live.app.set_keys(public)
    _metadata(live)
    events: list[FetchEvent] = []
    keys = RemoteKeySet.from_issuer(live.base, on_event=events.append)
    keys.key_set()
    assert [(e.document, e.status) for e in events] == [("metadata", 200), ("jwks", 200)]


def test_async_key_set_reports_events(live: Live) -> None:
    _, public = ec_keys("k1")
    live.app.set_keys(public)
    events: list[FetchEvent] = []

    async def main() -> None:
        async with AsyncRemoteKeySet(live.url, on_event=events.append) as keys:
            await keys.key_set()

    asyncio.run(main())
    (event,) = events
    assert (event.document, event.status, event.keys) == ("jwks", 200, 1)


# -- lazy discovery ----------------------------------------------------------------------------


def test_lazy_from_issuer_starts_while_the_provider_is_down(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.status = 503
    clock = Clock()
    keys = RemoteKeySet.from_issuer(live.base, lazy=True, clock=clock, cooldown=30)
    assert live.counter.total() == 0  # nothing fetched yet
    token = jws.sign(b"x", private[0], "ES256")
    with pytest.raises(JWKSFetchError, match="HTTP 503"):
        jws.verify(token, keys, algorithms=["ES256"])
    with pytest.raises(JWKSFetchError, match="HTTP 503"):
        jws.verify(token, keys, algorithms=["ES256"])  # within the cooldown: no new request
    assert live.counter.total() == 1
    live.app.status = 200
    live.app.set_keys(public)
    _metadata(live)
    clock.advance(30)
    assert jws.verify(token, keys, algorithms=["ES256"]).payload == b"x"
    assert keys.url == live.url
    assert live.hits("/.well-known/openid-configuration") == 2
    assert live.hits() == 1


def test_lazy_from_issuer_checks_the_issuer_at_first_use(live: Live) -> None:
    _metadata(live, issuer=live.base + "/other")
    keys = RemoteKeySet.from_issuer(live.base, lazy=True, clock=Clock())
    with pytest.raises(JWKSFetchError, match="must match exactly"):
        keys.key_set()
    assert live.hits() == 0


def test_lazy_from_issuer_still_refuses_a_bad_issuer_at_once() -> None:
    with pytest.raises(JWKSFetchError, match="plain HTTP"):
        RemoteKeySet.from_issuer("http://issuer.example", lazy=True)


def test_default_from_issuer_stays_eager(live: Live) -> None:
    live.app.status = 503
    with pytest.raises(JWKSFetchError, match="HTTP 503"):
        RemoteKeySet.from_issuer(live.base)


def test_async_lazy_from_issuer(live: Live) -> None:
    _private, public = ec_keys("k1")
    live.app.status = 503
    clock = Clock()

    async def main() -> None:
        keys = await AsyncRemoteKeySet.from_issuer(live.base, lazy=True, clock=clock)
        assert live.counter.total() == 0
        with pytest.raises(JWKSFetchError, match="HTTP 503"):
            await keys.key_set()
        live.app.status = 200
        live.app.set_keys(public)
        _metadata(live)
        with pytest.raises(JWKSFetchError, match="HTTP 503"):
            await keys.key_set()  # cooldown
        clock.advance(30)
        assert [k.kid for k in await keys.key_set()] == ["k1"]
        await keys.aclose()

    asyncio.run(main())
    assert live.hits("/.well-known/openid-configuration") == 2
