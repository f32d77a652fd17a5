"""What a remote key set reports about each fetch: log records and :class:`FetchEvent` objects.

Every fetch (of a JWK Set, or of issuer metadata during discovery) is logged at DEBUG on the
``josekit.jwks`` logger with the redacted URL, the status, the size, the duration, the
``max-age`` and whether the ``ETag`` matched (304); a failed fetch is logged at WARNING with
the reason. A key set given ``on_event=`` also receives each fetch as a :class:`FetchEvent`,
for metrics. A callback that raises is logged and otherwise ignored: metrics never decide
whether a token verifies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ._http import Fetched, max_age_of
from ._urls import redact_url

__all__ = ["EventHandler", "FetchEvent", "report"]

_log = logging.getLogger("josekit.jwks")


@dataclass(frozen=True, slots=True)
class FetchEvent:
    """One fetch made by a :class:`~josekit.jwks.RemoteKeySet` (or its async twin).

    Attributes:
        document: ``"jwks"`` for the JWK Set, ``"metadata"`` for issuer metadata.
        url: the URL fetched, redacted (no userinfo, query or fragment).
        status: the final HTTP status, or None when no answer arrived.
        bytes: the size of the body received (0 without an answer).
        duration: seconds the fetch took (from a monotonic clock).
        max_age: the answer's ``Cache-Control: max-age`` in seconds, None without one.
        etag_hit: True for a ``304 Not Modified`` answer to a conditional request.
        keys: how many keys the set holds after this fetch (None for metadata or a failure).
        error: why the fetch failed, None when it succeeded.
    """

    document: str
    url: str
    status: int | None
    bytes: int
    duration: float
    max_age: int | None
    etag_hit: bool
    keys: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        """True when the fetch succeeded."""
        return self.error is None


EventHandler = Callable[[FetchEvent], object]
"""A callable that receives each :class:`FetchEvent` (its return value is ignored)."""


def _headers(fetched: Fetched | None) -> Mapping[str, str]:
    return fetched.headers if fetched is not None else {}


def report(
    handler: EventHandler | None,
    document: str,
    url: str,
    fetched: Fetched | None,
    duration: float,
    error: BaseException | None,
    keys: int | None = None,
    note: str = "",
) -> FetchEvent:
    """Log one fetch (a failure at WARNING, with ``note`` appended) and hand it to ``handler``."""
    event = FetchEvent(
        document=document,
        url=redact_url(fetched.url if fetched is not None else url),
        status=fetched.status if fetched is not None else None,
        bytes=len(fetched.body) if fetched is not None else 0,
        duration=duration,
        max_age=max_age_of(_headers(fetched)),
        etag_hit=fetched is not None and fetched.status == 304,
        keys=keys if error is None else None,
        error=str(error) if error is not None else None,
    )
    if event.error is None:
        _log.debug(
            "fetched the %s at %s: HTTP %s, %d bytes in %.3f s, max-age %s, ETag %s, %s keys",
            "JWK Set" if document == "jwks" else "metadata",
            event.url,
            event.status,
            event.bytes,
            event.duration,
            event.max_age if event.max_age is not None else "none",
            "matched (304)" if event.etag_hit else "not matched",
            event.keys if event.keys is not None else "no",
        )
    else:
        _log.warning(
            "fetching the %s at %s failed after %.3f s (HTTP %s, %d bytes): %s%s",
            "JWK Set" if document == "jwks" else "metadata",
            event.url,
            event.duration,
            event.status if event.status is not None else "none",
            event.bytes,
            event.error,
            note,
        )
    if handler is not None:
        try:
            handler(event)
        except Exception as exc:  # a metrics callback must not break verification
            _log.warning(
                "the on_event callback raised %s; the event is dropped", type(exc).__name__
            )
    return event
