"""The keys awaited for one token, as a sync resolver: what :func:`prefetch_keys` returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._header import parse_protected
from ..errors import KeyNotFoundError, LimitExceededError, MalformedError
from ..jwk import Key
from ..policy import Limits

__all__ = ["PrefetchedKeys", "compact_header"]


class PrefetchedKeys:
    """A sync resolver holding the keys awaited for one token header."""

    __slots__ = ("_header", "_keys", "_operation")

    def __init__(self, header: Mapping[str, Any], operation: str, keys: Sequence[Key]) -> None:
        self._header = (header.get("kid"), header.get("alg"))
        self._operation = operation
        self._keys = tuple(keys)

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        if (header.get("kid"), header.get("alg")) != self._header or operation != self._operation:
            raise KeyNotFoundError(
                "these keys were prefetched for another token header: call prefetch_keys() "
                "with the token being verified"
            )
        return self._keys

    def __repr__(self) -> str:
        return f"<prefetched keys {[k.kid for k in self._keys]!r}>"


def compact_header(token: str | bytes, limits: Limits) -> tuple[dict[str, Any], str]:
    """The protected header of a compact JWS (operation ``verify``) or JWE (``decrypt``)."""
    if isinstance(token, (bytes, bytearray)):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedError("a compact token must be ASCII text") from None
    if not isinstance(token, str):
        raise MalformedError(f"token must be a str, not {type(token).__name__}")
    if len(token) > limits.max_token_size:
        raise LimitExceededError(f"the token is larger than the limit of {limits.max_token_size}")
    dots = token.count(".")
    if dots not in (2, 4):
        raise MalformedError(
            "prefetch_keys() takes a compact JWS (three parts) or JWE (five parts); for a JSON "
            "serialization, await keys.candidates_async(header, operation) for each signature "
            "or recipient"
        )
    return parse_protected(token[: token.index(".")], limits), "verify" if dots == 2 else "decrypt"
