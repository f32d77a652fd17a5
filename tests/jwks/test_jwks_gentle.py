"""Fetched JWK Sets that fail gently: one bad member is skipped, the other keys keep working."""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

import pytest
from jwks_helpers import Clock, Live, ec_keys

from josekit import jws
from josekit.errors import InvalidKeyError, JWKSFetchError, KeyNotFoundError
from josekit.jwks import RemoteKeySet

BAD_MEMBERS: list[tuple[Any, str]] = [
    ({"kty": "EC", "crv": "P-256", "kid": "bad", "x": "AAAA", "y": "AAAA"}, "32 bytes"),
    ({"kty": "RSA", "kid": "bad", "n": "AQAB"}, "missing required member 'e'"),
    ({"kty": "EC", "crv": "P-192", "kid": "bad", "x": "AA", "y": "AA"}, "not supported"),
    ({"kty": "wobbly", "kid": "bad"}, "kty 'wobbly' is not supported"),
    ({"kid": "bad"}, "no 'kty'"),
    ("not an object", "not a JSON object"),
]


def _serve(live: Live, members: list[Any]) -> None:
    live.app.body = json.dumps({"keys": members}).encode()


@pytest.mark.parametrize(("bad", "reason"), BAD_MEMBERS)
def test_one_bad_member_is_skipped_and_the_others_keep_working(
    live: Live, bad: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    private, public = ec_keys("k1", "k2")
    _serve(live, [public.get("k1").to_dict(), bad, public.get("k2").to_dict()])
    keys = RemoteKeySet(live.url, clock=Clock())
    with caplog.at_level(logging.WARNING, logger="josekit"):
        for signer in private:
            token = jws.sign(b"x", signer, "ES256")
            assert jws.verify(token, keys, algorithms=["ES256"]).payload == b"x"
        bad_token = jws.sign(b"x", private[0], "ES256", header={"kid": "bad"})
        with pytest.raises(KeyNotFoundError, match="no key"):
            jws.verify(bad_token, keys, algorithms=["ES256"])
        for key in keys.key_set():  # every key's material, read and checked on first use
            with contextlib.suppress(InvalidKeyError):
                key.public_crypto_key  # noqa: B018
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    (warning,) = [w for w in warnings if "member 1" in w]
    assert reason in warning
    assert live.url in warning
    for value in ("AAAA", "AQAB"):  # the member's material is never in the record
        assert value not in warning
    assert live.hits() == 1


@pytest.mark.parametrize(("bad", "reason"), BAD_MEMBERS[:2])
def test_strict_refuses_the_whole_set(live: Live, bad: Any, reason: str) -> None:
    _, public = ec_keys("k1")
    _serve(live, [public.get("k1").to_dict(), bad])
    with pytest.raises(JWKSFetchError, match=f"member 1.*{reason}"):
        RemoteKeySet(live.url, strict=True).key_set()


def test_duplicate_kid_still_refuses_the_set(live: Live) -> None:
    _, public = ec_keys("k1")
    member = public.get("k1").to_dict()
    _serve(live, [member, {"kty": "wobbly"}, member])
    with pytest.raises(JWKSFetchError, match="duplicate kid 'k1'"):
        RemoteKeySet(live.url).key_set()


def test_private_member_refuses_the_set_before_any_key_is_imported(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    from josekit.jwk import Key

    private, public = ec_keys("k1")
    imported: list[object] = []
    original = Key.import_key

    def counting(data: Any, **kwargs: Any) -> Key:
        imported.append(data)
        return original(data, **kwargs)

    monkeypatch.setattr(Key, "import_key", counting)
    leaked = {**private[0].to_dict(private=True), "kid": "leaked"}
    _serve(live, [public.get("k1").to_dict(), leaked])
    with pytest.raises(JWKSFetchError, match=r"member 1 .*is a private key"):
        RemoteKeySet(live.url).key_set()
    with pytest.raises(JWKSFetchError, match="private key"):
        RemoteKeySet(live.url, strict=True).key_set()
    assert imported == []


@pytest.mark.parametrize(
    ("members", "message"),
    [([], r"is empty; it holds no key"), ([{"kty": "wobbly"}, 5], "all 2 members were skipped")],
)
def test_an_empty_set_says_it_is_empty(live: Live, members: list[Any], message: str) -> None:
    _serve(live, members)
    with pytest.raises(JWKSFetchError, match=message):
        RemoteKeySet(live.url).key_set()


def test_an_empty_set_does_not_replace_the_cached_keys(live: Live) -> None:
    private, public = ec_keys("k1")
    live.app.set_keys(public)
    clock = Clock()
    keys = RemoteKeySet(live.url, clock=clock, cache_ttl=60, cooldown=30)
    token = jws.sign(b"x", private[0], "ES256")
    assert jws.verify(token, keys, algorithms=["ES256"]).payload == b"x"
    _serve(live, [])
    clock.advance(61)
    assert jws.verify(token, keys, algorithms=["ES256"]).payload == b"x"  # stale, still used
    assert live.hits() == 2
