"""Remote key sets under failure: every failure counts, no worker outlives its deadline,
no credentials in URLs, and the loopback exception only for URLs the caller configured."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time

import httpx
import pytest
from jwks_helpers import Clock, Live, dripping_server, ec_keys

from josekit.errors import JWKSFetchError
from josekit.jwks import AsyncRemoteKeySet, RemoteKeySet
from josekit.jwks._discovery import jwks_uri_from
from josekit.jwks._http import Fetched
from josekit.jwks._urls import redact_url
from josekit.policy import DEFAULT_LIMITS

# -- every failure counts against the cooldown and is a JWKSFetchError ----------------------------


def test_unparsable_redirect_location_is_a_fetch_error_and_counts(live: Live) -> None:
    live.app.routes["/moved"] = (302, {"location": "http://[::1"}, b"")
    clock = Clock()
    keys = RemoteKeySet(live.base + "/moved", follow_redirects=True, cooldown=30, clock=clock)
    with pytest.raises(JWKSFetchError, match="moved"):
        keys.key_set()
    with pytest.raises(JWKSFetchError):
        keys.key_set()
    assert live.hits("/moved") == 1  # the second call waited for the cooldown
    clock.advance(30)
    with pytest.raises(JWKSFetchError):
        keys.key_set()
    assert live.hits("/moved") == 2


class _Exploding(httpx.BaseTransport):
    """A transport whose every request fails with an exception httpx never raises."""

    def __init__(self) -> None:
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise RuntimeError("unexpected failure while fetching (secret detail)")


def test_any_exception_during_fetch_is_a_fetch_error_and_counts() -> None:
    transport = _Exploding()
    clock = Clock()
    with httpx.Client(transport=transport) as client:
        keys = RemoteKeySet("https://issuer.example/jwks.json", client=client, clock=clock)
        with pytest.raises(JWKSFetchError, match="RuntimeError") as caught:
            keys.key_set()
        assert "secret detail" not in str(caught.value)
        with pytest.raises(JWKSFetchError):
            keys.key_set()
        assert transport.calls == 1


def test_any_exception_while_reading_the_set_is_a_fetch_error_and_counts(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    from josekit.jwks import _cache

    def broken(*args: object, **kwargs: object) -> object:
        raise AttributeError("a key import that goes wrong in an unforeseen way")

    monkeypatch.setattr(_cache, "parse_key_set", broken)
    _, public = ec_keys("k1")
    live.app.set_keys(public)
    keys = RemoteKeySet(live.url, clock=Clock())
    with pytest.raises(JWKSFetchError, match="AttributeError"):
        keys.key_set()
    with pytest.raises(JWKSFetchError):
        keys.key_set()
    assert live.hits() == 1


def test_async_any_exception_is_a_fetch_error_and_counts() -> None:
    asyncio.run(_async_any_exception())


async def _async_any_exception() -> None:
    class Exploding(httpx.AsyncBaseTransport):
        calls = 0

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            Exploding.calls += 1
            raise RuntimeError("boom")

    async with httpx.AsyncClient(transport=Exploding()) as client:
        keys = AsyncRemoteKeySet("https://issuer.example/jwks.json", client=client, clock=Clock())
        with pytest.raises(JWKSFetchError, match="RuntimeError"):
            await keys.key_set()
        with pytest.raises(JWKSFetchError):
            await keys.key_set()
    assert Exploding.calls == 1


# -- a server trickling headers leaves nothing behind ---------------------------------------------


def header_trickle_server() -> contextlib.AbstractContextManager[tuple[str, threading.Event]]:
    """Sends a status line, then one header byte every 20 ms, for as long as the client stays."""
    return dripping_server(b"HTTP/1.1 200 OK\r\nx-slow: ", b"a", 0.02)


def _fetch_workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "josekit-jwks-fetch"]


def _eventually(condition: object, seconds: float = 5.0) -> bool:
    """Poll ``condition`` (a callable) until it holds or ``seconds`` pass (no timing asserted)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return bool(condition())  # type: ignore[operator]


def test_header_trickle_leaves_no_worker_socket_or_pooled_connection() -> None:
    with header_trickle_server() as (base, closed), httpx.Client() as client:
        keys = RemoteKeySet(base + "/jwks.json", timeout=0.3, client=client)
        with pytest.raises(JWKSFetchError, match=r"within 0\.3 s"):
            keys.key_set()
        assert _eventually(lambda: not _fetch_workers()), "the fetch worker is still running"
        assert _eventually(closed.is_set), "the connection to the server is still open"
        assert client._transport._pool.connections == []  # type: ignore[attr-defined]


def test_repeated_header_trickle_refreshes_do_not_accumulate_workers() -> None:
    with header_trickle_server() as (base, _closed):
        keys = RemoteKeySet(base + "/jwks.json", timeout=0.2)
        for _ in range(3):
            with pytest.raises(JWKSFetchError):
                keys.refresh()
        assert _eventually(lambda: not _fetch_workers())
        keys.close()


def test_async_header_trickle_leaves_no_pooled_connection() -> None:
    with header_trickle_server() as (base, closed):

        async def main() -> list[object]:
            async with httpx.AsyncClient() as client:
                keys = AsyncRemoteKeySet(base + "/jwks.json", timeout=0.3, client=client)
                with pytest.raises(JWKSFetchError, match=r"within 0\.3 s"):
                    await keys.key_set()
                return list(client._transport._pool.connections)  # type: ignore[attr-defined]

        assert asyncio.run(main()) == []
        assert _eventually(closed.is_set), "the connection to the server is still open"


# -- credentials in URLs are refused, URLs are redacted ------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://user:hunter2@issuer.example/jwks.json",
        "https://hunter2@issuer.example/jwks.json",
        "http://user:hunter2@127.0.0.1:8080/jwks.json",
    ],
)
def test_userinfo_in_a_configured_url_is_refused_without_showing_it(url: str) -> None:
    with pytest.raises(JWKSFetchError, match="credentials") as caught:
        RemoteKeySet(url)
    assert "hunter2" not in str(caught.value)
    with pytest.raises(JWKSFetchError, match="credentials") as caught:
        RemoteKeySet.from_issuer(url.replace("/jwks.json", ""))
    assert "hunter2" not in str(caught.value)


def test_userinfo_in_a_redirect_target_is_refused_without_showing_it(live: Live) -> None:
    target = live.base.replace("//", "//user:hunter2@") + "/jwks.json"
    live.app.routes["/moved"] = (302, {"location": target}, b"")
    with pytest.raises(JWKSFetchError, match="credentials") as caught:
        RemoteKeySet(live.base + "/moved", follow_redirects=True).key_set()
    assert "hunter2" not in str(caught.value)
    with pytest.raises(JWKSFetchError, match="redirects are not followed") as caught:
        RemoteKeySet(live.base + "/moved").key_set()
    assert "hunter2" not in str(caught.value)


def test_userinfo_in_a_jwks_uri_is_refused_without_showing_it(live: Live) -> None:
    jwks_uri = live.base.replace("//", "//user:hunter2@") + "/jwks.json"
    live.app.routes["/.well-known/openid-configuration"] = (
        200,
        {},
        json.dumps({"issuer": live.base, "jwks_uri": jwks_uri}).encode(),
    )
    with pytest.raises(JWKSFetchError, match="credentials") as caught:
        RemoteKeySet.from_issuer(live.base)
    assert "hunter2" not in str(caught.value)


def test_query_strings_stay_out_of_messages_logs_and_reprs(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    live.app.status = 500
    keys = RemoteKeySet(live.url + "?sig=hunter2", clock=Clock())
    assert "hunter2" not in repr(keys)
    with (
        caplog.at_level(logging.DEBUG, logger="josekit.jwks"),
        pytest.raises(JWKSFetchError, match="HTTP 500") as caught,
    ):
        keys.key_set()
    assert "hunter2" not in str(caught.value)
    assert caplog.records
    assert all("hunter2" not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@host.example:8443/a/b?x=1#f", "https://host.example:8443/a/b?…"),
        ("http://[::1]:9000/jwks", "http://[::1]:9000/jwks"),
        ("not a url", "<not a URL>"),
        ("https://host.example:99999/", "<not a URL>"),
    ],
)
def test_redacted_urls(url: str, shown: str) -> None:
    assert redact_url(url) == shown


# -- plain HTTP to loopback only for URLs the caller configured ------------------------------------


def _metadata(issuer: str, jwks_uri: str) -> Fetched:
    body = json.dumps({"issuer": issuer, "jwks_uri": jwks_uri}).encode()
    return Fetched(issuer + "/.well-known/openid-configuration", 200, body, {})


@pytest.mark.parametrize(
    "jwks_uri",
    ["http://127.0.0.1:6379/jwks", "http://localhost/jwks", "http://[::1]:8080/jwks"],
)
def test_remote_issuer_cannot_point_at_plain_http_loopback(jwks_uri: str) -> None:
    issuer = "https://issuer.example"
    with pytest.raises(JWKSFetchError, match="only for URLs you configure"):
        jwks_uri_from(_metadata(issuer, jwks_uri), issuer, False, DEFAULT_LIMITS)


def test_loopback_issuer_may_name_a_plain_http_loopback_jwks_uri() -> None:
    issuer = "http://127.0.0.1:8080"
    uri = "http://localhost:9090/jwks"
    assert jwks_uri_from(_metadata(issuer, uri), issuer, False, DEFAULT_LIMITS) == uri


class _Rewrite(httpx.BaseTransport):
    """Sends every request to a loopback server instead (the issuer's host stays in the URL)."""

    def __init__(self, base: str) -> None:
        self._target = httpx.URL(base)
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self._target.scheme, host=self._target.host, port=self._target.port
        )
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def test_remote_issuer_metadata_pointing_at_loopback_is_refused(live: Live) -> None:
    issuer = "https://issuer.example"
    live.app.routes["/.well-known/openid-configuration"] = (
        200,
        {},
        json.dumps({"issuer": issuer, "jwks_uri": live.url}).encode(),
    )
    _, public = ec_keys("k1")
    live.app.set_keys(public)
    with (
        httpx.Client(transport=_Rewrite(live.base)) as client,
        pytest.raises(JWKSFetchError, match="only for URLs you configure"),
    ):
        RemoteKeySet.from_issuer(issuer, client=client)
    assert live.hits() == 0


def test_redirect_to_another_loopback_origin_over_http_is_refused(live: Live) -> None:
    _, public = ec_keys("k1")
    live.app.set_keys(public)
    other = live.base.replace("127.0.0.1", "localhost")
    live.app.routes["/moved"] = (302, {"location": other + "/jwks.json"}, b"")
    with pytest.raises(JWKSFetchError, match="only for URLs you configure"):
        RemoteKeySet(live.base + "/moved", follow_redirects=True).key_set()
    assert live.hits() == 0
    # On the configured origin itself, a redirect is still followed.
    live.app.routes["/moved"] = (302, {"location": "/jwks.json"}, b"")
    assert [k.kid for k in RemoteKeySet(live.base + "/moved", follow_redirects=True).key_set()]
