"""Where commands read their inputs (arguments, ``@FILE``, ``env:NAME``, stdin) and write files."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from typing import Any

import click

from ..policy import DEFAULT_LIMITS
from ._failures import CliFailure, safe_text

__all__ = [
    "MAX_KEY_FILE",
    "MAX_PAYLOAD_FILE",
    "read_input",
    "read_source",
    "read_token",
    "write_private_file",
    "write_public_file",
]

MAX_KEY_FILE = 1_000_000
"""Largest key or JWK Set file read, in bytes."""
MAX_PAYLOAD_FILE = 64 * 1024 * 1024
"""Largest payload read for signing or encryption, in bytes."""


def write_private_file(path: str, data: str, *, overwrite: bool = False) -> None:
    """Write secret material to a file readable only by its owner (mode 0600).

    Raises:
        FileExistsError: the file exists and ``overwrite`` is false.
    """
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    fd = os.open(path, flags, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), stat.S_IRUSR | stat.S_IWUSR)
        fh.write(data)


def write_public_file(path: str, data: str) -> None:
    """Write public data to ``path`` (mode 0644), replacing it in one step.

    The text goes to a temporary file beside ``path``, which then takes its place, so a
    reader (a web server, a verifier) never sees half a file.
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".josekit-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o644)
            fh.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _read_limited(stream: Any, limit: int, what: str) -> bytes:
    data = bytes(stream.read(limit + 1))
    if len(data) > limit:
        raise CliFailure(f"{what} is larger than the limit of {limit} bytes")
    return data


def _claim_stdin(what: str) -> None:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return
    root = ctx.find_root()
    previous = root.meta.get("josekit.stdin")
    if previous is not None:
        raise CliFailure(f"{what} and {previous} cannot both be read from stdin ('-')")
    root.meta["josekit.stdin"] = what


def _read_stdin(what: str, limit: int) -> bytes:
    _claim_stdin(what)
    return _read_limited(sys.stdin.buffer, limit, what)


def _read_file(path: str, what: str, limit: int) -> bytes:
    try:
        with open(path, "rb") as fh:
            return _read_limited(fh, limit, what)
    except FileNotFoundError:
        raise CliFailure(f"{what}: no such file: {path}") from None
    except IsADirectoryError:
        raise CliFailure(f"{what}: {path} is a directory, not a file") from None
    except PermissionError:
        raise CliFailure(f"{what}: permission denied reading {path}") from None
    except OSError as exc:
        raise CliFailure(f"{what}: cannot read {path}: {exc.strerror or exc}") from None


def read_source(spec: str, what: str, limit: int = MAX_KEY_FILE) -> tuple[bytes, str]:
    """Read ``env:NAME``, ``-`` (stdin) or a file path; return the bytes and a printable label.

    The label names where the data came from, never the data itself.
    """
    if spec.startswith("env:"):
        name = spec[4:]
        if not name:
            raise CliFailure(f"{what}: write env:NAME to read an environment variable")
        value = os.environ.get(name)
        if value is None:
            raise CliFailure(f"{what}: environment variable {name} is not set")
        if not value.strip():
            raise CliFailure(f"{what}: environment variable {name} is empty")
        return value.encode("utf-8"), f"env:{name}"
    if spec == "-":
        return _read_stdin(what, limit), "stdin"
    return _read_file(spec, what, limit), spec


def read_input(value: str, what: str, limit: int) -> tuple[bytes, str]:
    """Read a command argument: ``-`` for stdin, ``@PATH`` for a file, else the text itself.

    Text that names an existing file is still taken as text (a file is read only with
    ``@``), with a one-line note on stderr saying so.
    """
    if value == "-":
        return _read_stdin(what, limit), "stdin"
    if value.startswith("@") and len(value) > 1:
        return _read_file(value[1:], what, limit), value[1:]
    data = value.encode("utf-8")
    if len(data) > limit:
        raise CliFailure(f"{what} is larger than the limit of {limit} bytes")
    if len(value) < 4096 and "\n" not in value and os.path.isfile(value):
        shown = safe_text(value)
        click.echo(
            f"josekit: note: {what} is the text '{shown}'; to read the file, write @{shown}",
            err=True,
        )
    return data, "argument"


def read_token(value: str, what: str = "the token") -> str:
    """Read a token argument (text, ``@FILE`` or ``-``) and strip surrounding whitespace."""
    data, source = read_input(value, what, DEFAULT_LIMITS.max_token_size)
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise CliFailure(f"{what} is not UTF-8 text") from None
    if not text:
        raise CliFailure(f"{what} is empty")
    # A token starts with eyJ (base64url of '{"') or '{'; anything else that names a file
    # was probably meant as @FILE.
    if source == "argument" and not text.startswith(("eyJ", "{")) and os.path.isfile(text):
        raise CliFailure(f"{what} {text!r} is a file name: write @{text} to read the token from it")
    return text
