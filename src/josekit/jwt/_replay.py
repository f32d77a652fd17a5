"""Refusing a JWT seen before: its ``jti`` is recorded in a replay cache until it expires."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from .._b64 import b64e_str
from ..errors import InvalidClaimError, MissingClaimError
from ..replay import AsyncReplayCache, ReplayCache, seen_async

__all__ = ["check_replay", "record_async", "replay_entry"]


def replay_entry(claims: Mapping[str, Any], leeway: float) -> tuple[str, float]:
    """The replay-cache id of a validated token (from ``iss`` and ``jti``) and its expiry.

    The id is remembered until the token could no longer be accepted: ``exp`` plus leeway.

    Raises:
        MissingClaimError: the token has no ``jti``, or no ``exp`` to bound how long it
            must be remembered.
        InvalidClaimError: ``jti`` is not a non-empty string.
    """
    jti = claims.get("jti")
    if jti is None:
        raise MissingClaimError(
            "replay protection needs the token's 'jti' claim, which is absent", "jti"
        )
    if type(jti) is not str or not jti:
        raise InvalidClaimError("claim 'jti' must be a non-empty string", "jti")
    exp = claims.get("exp")
    if exp is None:
        raise MissingClaimError(
            "replay protection needs the token's 'exp' claim, to know how long to remember "
            "its 'jti'",
            "exp",
        )
    iss = claims.get("iss")
    scope = "\x00".join((iss if type(iss) is str else "", jti)).encode()
    return "jwt:" + b64e_str(hashlib.sha256(scope).digest()), float(exp) + leeway


def _replayed() -> InvalidClaimError:
    return InvalidClaimError("the token was already accepted once (its 'jti' was seen)", "jti")


def check_replay(claims: Mapping[str, Any], replay: ReplayCache, leeway: float) -> None:
    """Record a validated token's ``jti``; refuse it if it was recorded before."""
    id, expires_at = replay_entry(claims, leeway)
    if replay.seen(id, expires_at):
        raise _replayed()


async def record_async(
    claims: Mapping[str, Any], replay: ReplayCache | AsyncReplayCache, leeway: float
) -> None:
    """:func:`check_replay` for the async paths: an async cache is awaited, a sync one called."""
    id, expires_at = replay_entry(claims, leeway)
    if await seen_async(replay, id, expires_at):
        raise _replayed()
