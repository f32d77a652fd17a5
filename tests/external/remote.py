"""Running a test scenario against the KMS with one ``httpx.AsyncClient``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from kms_service import Kms, RemoteKmsKey

from josekit.jwk import Key, external_key

T = TypeVar("T")


async def remote_key(client: httpx.AsyncClient, key_id: str) -> tuple[Key, RemoteKmsKey]:
    """The josekit key of ``key_id``: the public half asked of the KMS, the rest held there."""
    backend = RemoteKmsKey(client, key_id)
    public = Key.import_key(await backend.public_key(), kid=key_id)
    return external_key(public, backend), backend


def run(
    base_url: str | Kms,
    scenario: Callable[[httpx.AsyncClient], Awaitable[T]],
    timeout: float = 10,
) -> T:
    """``scenario(client)`` in a fresh event loop, the client on ``base_url``."""
    url = base_url.url if isinstance(base_url, Kms) else base_url

    async def main() -> T:
        async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
            return await scenario(client)

    return asyncio.run(main())
