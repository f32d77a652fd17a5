"""Failures and exit codes, and the JSON and text every command writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import (
    AlgorithmNotAllowedError,
    ClaimError,
    DecryptionError,
    InvalidSignatureError,
    JoseError,
    JWKSFetchError,
    KeyNotFoundError,
    KeyStoreError,
    LimitExceededError,
    MalformedError,
)

__all__ = [
    "EXIT_CODES",
    "EXIT_FETCH",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_REJECTED",
    "CliFailure",
    "dump_json",
    "emit_json",
    "exit_code_for",
    "cli_wording",
    "failure_from",
    "json_mode",
    "json_option",
    "safe_text",
]

EXIT_OK = 0
EXIT_REJECTED = 1
"""The token was examined and refused: bad signature, failed decryption, invalid claims..."""
EXIT_INPUT = 2
"""The command line or an input (file, key, token syntax) was wrong."""
EXIT_FETCH = 3
"""A remote resource (a JWK Set, discovery metadata) could not be fetched."""

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (EXIT_OK, "done: verified, decrypted, written"),
    (EXIT_REJECTED, "the token was checked and rejected: signature, tag, claims, key not found"),
    (EXIT_INPUT, "the input or the invocation is wrong: unreadable token or key, weak key,"),
    (-1, "bad claim value, private key missing for signing, unknown option"),
    (EXIT_FETCH, "a remote resource could not be fetched: JWK Set or discovery unreachable,"),
    (-1, "HTTP error status (a 404 from a JWK Set URL is 3, not 1)"),
)
"""Every exit status and what it means, as shown in every command's ``--help`` (-1: a
continuation line)."""

_EXIT_BY_ERROR: tuple[tuple[type[JoseError], int], ...] = (
    (JWKSFetchError, EXIT_FETCH),
    (InvalidSignatureError, EXIT_REJECTED),
    (DecryptionError, EXIT_REJECTED),
    (ClaimError, EXIT_REJECTED),
    (KeyNotFoundError, EXIT_REJECTED),
    (AlgorithmNotAllowedError, EXIT_REJECTED),
)
"""The exit status of a library error, first match wins; any other error is bad input."""

_CLI_WORDING: tuple[tuple[str, str], ...] = (
    ("pass allow_http=True", "pass --allow-http"),
    ("pass follow_redirects=True", "give the final URL"),
)
"""Library phrases that name Python arguments, and what the command line says instead."""

_NOT_REJECTIONS: tuple[type[JoseError], ...] = (
    MalformedError,
    LimitExceededError,
    JWKSFetchError,
    KeyStoreError,
)
"""Errors that say nothing about the token's validity, even while verifying it."""

F = TypeVar("F", bound=Callable[..., Any])


class CliFailure(click.ClickException):
    """A failure reported on one line of standard error, with a chosen exit code.

    In ``--json`` mode the same failure is also written to standard output as
    ``{"error": {"type": ..., "message": ..., "exit_code": ...}}``.
    """

    def __init__(self, message: str, exit_code: int = EXIT_INPUT, kind: str = "UsageError"):
        super().__init__(" ".join(message.split()))
        self.exit_code = exit_code  # type: ignore[misc]  # click declares a ClassVar
        self.kind = kind
        # Decided now: by the time click shows the error, the command's context is gone.
        ctx = click.get_current_context(silent=True)
        self.as_json = ctx is not None and json_mode(ctx)

    def show(self, file: Any = None) -> None:
        """Print the one-line message (and the JSON error object in ``--json`` mode)."""
        if self.as_json:
            emit_json(
                {
                    "error": {
                        "type": self.kind,
                        "message": self.message,
                        "exit_code": self.exit_code,
                    }
                }
            )
        label = "rejected" if self.exit_code == EXIT_REJECTED else "error"
        click.echo(f"josekit: {label}: {safe_text(self.message)}", err=True)


def exit_code_for(exc: JoseError) -> int:
    """1 for a token that was examined and refused, 3 for a failed fetch, 2 for bad input."""
    for error, code in _EXIT_BY_ERROR:
        if isinstance(exc, error):
            return code
    return EXIT_INPUT


def cli_wording(message: str) -> str:
    """A library message with Python argument names replaced by the command-line options."""
    for library, cli in _CLI_WORDING:
        message = message.replace(library, cli)
    return message


def failure_from(
    exc: JoseError, context: str | None = None, *, verifying: bool = False
) -> CliFailure:
    """The :class:`CliFailure` for a library error, optionally prefixed with what failed.

    With ``verifying=True`` (the error came from checking a token against the caller's keys
    and algorithms) every error except a malformed or oversized token, or a key set that
    could not be fetched or read, means the token was rejected: exit status 1 (a failed
    fetch is 3). A key that
    does not fit the token's ``alg`` is such a rejection (it is how algorithm-confusion
    attempts fail).
    """
    message = cli_wording(str(exc) or type(exc).__name__)
    if context:
        message = f"{context}: {message}"
    code = exit_code_for(exc)
    if verifying and not isinstance(exc, _NOT_REJECTIONS):
        code = EXIT_REJECTED
    return CliFailure(message, code, type(exc).__name__)


# -- output ---------------------------------------------------------------------------------


def json_mode(ctx: click.Context) -> bool:
    """True when ``--json`` was given to this command or to ``josekit`` itself."""
    return bool(ctx.meta.get("josekit.json"))


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta["josekit.json"] = True
    return value


def json_option(func: F) -> F:
    """Add ``--json`` (machine-readable output) to a command."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_json,
        help="Write one JSON document to stdout instead of human-readable text.",
    )(func)


def safe_text(text: str, keep_newlines: bool = False) -> str:
    """Escape control characters so that untrusted text cannot drive the terminal."""
    out = []
    for ch in text:
        if ch.isprintable() or (keep_newlines and ch in "\n\t"):
            out.append(ch)
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def dump_json(obj: Any, indent: int | None = 2) -> str:
    """JSON text for display or scripts: UTF-8 kept, every non-printable character escaped."""
    text = json.dumps(obj, indent=indent, ensure_ascii=False)
    # json.dumps escapes C0 controls inside strings; escape the rest (DEL, C1, separators).
    out = []
    for ch in text:
        if ch.isprintable() or ch in "\n ":
            out.append(ch)
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:  # a non-printable astral character: JSON needs a surrogate pair
            code = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out)


def emit_json(obj: Any) -> None:
    """Write ``obj`` as indented JSON to stdout."""
    click.echo(dump_json(obj))
