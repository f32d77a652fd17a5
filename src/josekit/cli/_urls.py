"""URLs on the command line: ``--allow-http``, checking a URL before any request, remote sets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import JWKSFetchError
from ._failures import EXIT_INPUT, CliFailure, cli_wording

__all__ = ["allow_http_option", "allows_http", "check_url", "remote_key_set"]

F = TypeVar("F", bound=Callable[..., Any])

_ALLOW_HTTP = "josekit.allow_http"
_NEEDS_HTTPX = "fetching {url} needs httpx: pip install 'josekit[remote]'"


def _set_allow_http(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[_ALLOW_HTTP] = True
    return value


def allow_http_option(func: F) -> F:
    """Add ``--allow-http`` (plain HTTP to hosts other than loopback) to a command."""
    option = click.option(
        "--allow-http",
        is_flag=True,
        expose_value=False,
        callback=_set_allow_http,
        help="Allow plain http:// URLs to hosts other than loopback (only on a trusted "
        "network: anyone on the path could replace the keys).",
    )
    return option(func)


def allows_http() -> bool:
    """True when the running command was given ``--allow-http``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(_ALLOW_HTTP))


def check_url(url: str, what: str) -> str:
    """Refuse, as a usage error (exit 2), a URL the library would refuse before any request."""
    try:
        from ..jwks._http import check_url as library_check
    except ImportError:  # pragma: no cover - the module imports httpx lazily
        raise CliFailure(_NEEDS_HTTPX.format(url=url)) from None
    try:
        return library_check(url, allows_http(), what)
    except JWKSFetchError as exc:
        raise CliFailure(cli_wording(str(exc)), EXIT_INPUT, type(exc).__name__) from None


def remote_key_set(url: str, **options: Any) -> Any:
    """A :class:`~josekit.jwks.RemoteKeySet` for ``url`` (fetched when first used)."""
    check_url(url, "JWK Set URL")
    try:
        from ..jwks import RemoteKeySet

        return RemoteKeySet(url, allow_http=allows_http(), **options)
    except ImportError:
        raise CliFailure(_NEEDS_HTTPX.format(url=url)) from None
