"""BearerVerifier with remote keys already cached: used on the loop, and no fetch for strangers.

A remote key set (sync or async) whose fresh cache holds a token's key answers without a
fetch, so ``verify_async`` uses it at once: no worker thread (the loop's default executor
here refuses any work), and the token's issuer needs no peek first. A lookup that may fetch
(an unknown ``kid``) still peeks, and a stranger's token never causes the fetch.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jwks_helpers import Counting, serve
from web_helpers import AUDIENCE, ISSUER, Issuer

from josekit import KeySet
from josekit.errors import BearerError
from josekit.jwks import AsyncRemoteKeySet, RemoteKeySet, create_app
from josekit.web import BearerVerifier

STRANGER = "https://stranger.example"


class _Published:
    def __init__(self, keys: KeySet) -> None:
        self.keys = keys

    def public_key_set(self) -> KeySet:
        return self.keys


class _NoThreads(concurrent.futures.ThreadPoolExecutor):
    """A default executor that refuses work: any hop to a worker thread fails the test."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{fn!r} was sent to a worker thread")


@pytest.fixture(scope="module")
def jwks(issuer: Issuer) -> Iterator[tuple[str, Counting]]:
    counter = Counting(create_app(_Published(issuer.keys)))
    with serve(counter) as base:
        yield base + "/.well-known/jwks.json", counter


def _verifier(keys: Any) -> BearerVerifier:
    return BearerVerifier(keys, issuer=ISSUER, audience=AUDIENCE, algorithms=["ES256"])


def _hits(counter: Counting) -> int:
    return counter.counts["/.well-known/jwks.json"]


async def _refused(verifier: BearerVerifier, token: str) -> BearerError:
    with pytest.raises(BearerError) as caught:
        await verifier.verify_async("Bearer " + token)
    return caught.value


def test_async_key_set_cached_keys_verify_on_the_loop(
    issuer: Issuer, jwks: tuple[str, Counting]
) -> None:
    url, counter = jwks

    async def main() -> None:
        async with AsyncRemoteKeySet(url, allow_http=True, cooldown=0) as keys:
            verifier = _verifier(keys)
            before = _hits(counter)
            assert (await verifier.verify_async("Bearer " + issuer.live_token())).subject
            assert _hits(counter) == before + 1
            asyncio.get_running_loop().set_default_executor(_NoThreads())
            for _ in range(3):
                principal = await verifier.verify_async("Bearer " + issuer.live_token())
                assert principal.subject == "alice"
            # Cached, a stranger's token is refused by the decoder, with the same answer.
            err = await _refused(verifier, issuer.live_token(iss=STRANGER))
            assert (err.status, err.error) == (401, "invalid_token")
            assert _hits(counter) == before + 1

    asyncio.run(main())


def test_sync_key_set_cached_keys_verify_on_the_loop(
    issuer: Issuer, jwks: tuple[str, Counting]
) -> None:
    url, counter = jwks

    async def main() -> None:
        with RemoteKeySet(url, allow_http=True, cooldown=0) as keys:
            verifier = _verifier(keys)
            before = _hits(counter)
            # Cold: the fetch runs in a worker thread.
            assert (await verifier.verify_async("Bearer " + issuer.live_token())).subject
            assert _hits(counter) == before + 1
            asyncio.get_running_loop().set_default_executor(_NoThreads())
            for _ in range(3):
                principal = await verifier.verify_async("Bearer " + issuer.live_token())
                assert principal.subject == "alice"
            assert _hits(counter) == before + 1

    asyncio.run(main())


def test_a_lookup_that_may_fetch_still_spares_strangers(
    issuer: Issuer, jwks: tuple[str, Counting]
) -> None:
    url, counter = jwks
    unknown = {"kid": "not-cached"}

    async def main() -> None:
        async with AsyncRemoteKeySet(url, allow_http=True, cooldown=0) as keys:
            verifier = _verifier(keys)
            await keys.key_set()
            before = _hits(counter)
            err = await _refused(verifier, issuer.live_token(iss=STRANGER, header=unknown))
            assert (err.status, err.error) == (401, "invalid_token")
            assert _hits(counter) == before
            # The same token from the configured issuer does refetch (cooldown 0).
            err = await _refused(verifier, issuer.live_token(header=unknown))
            assert err.status == 401
            assert _hits(counter) == before + 1

    asyncio.run(main())
