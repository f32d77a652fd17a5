"""``--key`` / ``--jwks`` / ``--password``: where verifying and decrypting commands get keys."""

from __future__ import annotations

from typing import Any

import click

from ._common import CliFailure, load_key_source

__all__ = ["key_source_options", "remote_key_set", "resolve_key_source"]


def key_source_options(func: Any) -> Any:
    """Add ``--key``, ``--jwks`` and ``--password`` to a command."""
    func = click.option(
        "--password",
        metavar="env:NAME|FILE",
        help="Password of an encrypted PEM/DER key given with --key.",
    )(func)
    func = click.option(
        "--jwks",
        "jwks_spec",
        metavar="FILE|URL|env:NAME",
        help="A JWK Set: a file, an https:// URL, or env:NAME; the token's kid picks the key.",
    )(func)
    return click.option(
        "--key",
        "key_spec",
        metavar="FILE|env:NAME|-",
        help="A key (JWK, PEM or DER) or a JWK Set, from a file, env:NAME or - (stdin).",
    )(func)


def remote_key_set(url: str) -> Any:
    """A :class:`~josekit.jwks.RemoteKeySet` for ``url`` (fetched when first used)."""
    try:
        from ..jwks import RemoteKeySet

        return RemoteKeySet(url)
    except ImportError:
        raise CliFailure(f"fetching {url} needs httpx: pip install 'josekit[remote]'") from None


def resolve_key_source(key_spec: str | None, jwks_spec: str | None, password: str | None) -> Any:
    """The :class:`~josekit.Key` or key set given by ``--key``/``--jwks``."""
    return load_key_source(key_spec, jwks_spec, password, remote=remote_key_set)
