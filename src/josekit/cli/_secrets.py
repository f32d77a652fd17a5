"""``--secret env:NAME|@FILE|-`` and ``--allow-short-secret``: shared secrets for HS* and JWE.

The secret goes through :meth:`Key.from_secret <josekit.jwk.Key.from_secret>` (the same
short-secret rule as the library). It is never read from the command line itself, where
it would land in the shell history and the process list.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ..errors import JoseError, WeakKeyWarning
from ..jwk import Key
from ._failures import EXIT_INPUT, CliFailure, safe_text
from ._inputs import read_source

__all__ = ["has_secret", "secret_key", "secret_options"]

F = TypeVar("F", bound=Callable[..., Any])

_SECRET = "josekit.secret"
_ALLOW_SHORT = "josekit.allow_short_secret"
_MAX_SECRET = 64 * 1024
_ON_THE_COMMAND_LINE = (
    "--secret takes env:NAME, @FILE or - (stdin), never the secret itself: on the command "
    "line it would land in your shell history and the process list (e.g. export "
    "JWT_SECRET=...; josekit ... --secret env:JWT_SECRET)"
)


def _remember(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def store(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value:
            ctx.meta[name] = value
        return value

    return store


def secret_options(func: F) -> F:
    """Add ``--secret`` and ``--allow-short-secret`` to a command (read back with
    :func:`secret_key`)."""
    func = click.option(
        "--allow-short-secret",
        is_flag=True,
        expose_value=False,
        callback=_remember(_ALLOW_SHORT),
        help="Accept a --secret shorter than the HMAC output (a legacy secret), with a "
        "warning on stderr.",
    )(func)
    return click.option(
        "--secret",
        metavar="env:NAME|@FILE|-",
        expose_value=False,
        callback=_remember(_SECRET),
        help="A shared secret (HS256/384/512, JWE dir or A*KW), taken as bytes: from a "
        "variable, a file (one final newline dropped) or stdin.",
    )(func)


def has_secret() -> bool:
    """True when the running command was given ``--secret``."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and _SECRET in ctx.meta


def _read(spec: str) -> bytes:
    if spec.startswith("env:"):
        data, _ = read_source(spec, "--secret", _MAX_SECRET)
        return data
    if spec == "-" or (spec.startswith("@") and len(spec) > 1):
        data, _ = read_source(spec if spec == "-" else spec[1:], "--secret", _MAX_SECRET)
        return data[:-2] if data.endswith(b"\r\n") else data.removesuffix(b"\n")
    raise CliFailure(_ON_THE_COMMAND_LINE)


def secret_key(algorithms: Sequence[str] = ()) -> Key:
    """The key of ``--secret``, for ``algorithms`` (one of them sets the length it needs).

    Raises:
        CliFailure: the secret is given on the command line, cannot be read, or is too
            short (exit status 2; the message names ``--allow-short-secret``).
    """
    ctx = click.get_current_context()
    data = _read(str(ctx.meta[_SECRET]))
    allow_short = bool(ctx.meta.get(_ALLOW_SHORT))
    alg = algorithms[0] if len(algorithms) == 1 else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", WeakKeyWarning)
        try:
            key = Key.from_secret(data, alg=alg, allow_short=allow_short)
        except JoseError as exc:
            message = str(exc).replace("pass allow_short=True", "pass --allow-short-secret")
            raise CliFailure(f"--secret: {message}", EXIT_INPUT, type(exc).__name__) from None
    for warning in caught:
        text = str(warning.message).replace("(allow_short=True)", "(--allow-short-secret)")
        click.echo(f"josekit: warning: {safe_text(text)}", err=True)
    return key
