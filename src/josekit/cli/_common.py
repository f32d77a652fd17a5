"""What every command shares: failures and exit codes, inputs, keys, times, JSON output."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

import click

from .._json import loads_object
from ..algorithms import Registry
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
    UnsupportedAlgorithmError,
)
from ..jwk import Key, KeySet
from ..policy import DEFAULT_LIMITS

__all__ = [
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_REJECTED",
    "CliFailure",
    "allow_list",
    "dump_json",
    "emit_json",
    "exit_code_for",
    "failure_from",
    "json_mode",
    "json_option",
    "load_key",
    "load_key_source",
    "now_option",
    "parse_duration",
    "parse_now",
    "read_input",
    "read_source",
    "safe_text",
    "write_private_file",
]

EXIT_OK = 0
EXIT_REJECTED = 1
"""The token was examined and refused: bad signature, failed decryption, invalid claims..."""
EXIT_INPUT = 2
"""The command line or an input (file, key, token syntax) was wrong."""

MAX_KEY_FILE = 1_000_000
"""Largest key or JWK Set file read, in bytes."""
MAX_PAYLOAD_FILE = 64 * 1024 * 1024
"""Largest payload read for signing or encryption, in bytes."""

_REJECTIONS: tuple[type[JoseError], ...] = (
    InvalidSignatureError,
    DecryptionError,
    ClaimError,
    KeyNotFoundError,
    AlgorithmNotAllowedError,
)

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
    """1 for a token that was examined and refused, 2 for bad input."""
    return EXIT_REJECTED if isinstance(exc, _REJECTIONS) else EXIT_INPUT


def failure_from(
    exc: JoseError, context: str | None = None, *, verifying: bool = False
) -> CliFailure:
    """The :class:`CliFailure` for a library error, optionally prefixed with what failed.

    With ``verifying=True`` (the error came from checking a token against the caller's keys
    and algorithms) every error except a malformed or oversized token, or a key set that
    could not be fetched or read, means the token was rejected: exit status 1. A key that
    does not fit the token's ``alg`` is such a rejection (it is how algorithm-confusion
    attempts fail).
    """
    message = str(exc) or type(exc).__name__
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


# -- inputs ---------------------------------------------------------------------------------


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
    """Read a command argument: ``-`` for stdin, ``@PATH`` for a file, else the text itself."""
    if value == "-":
        return _read_stdin(what, limit), "stdin"
    if value.startswith("@") and len(value) > 1:
        return _read_file(value[1:], what, limit), value[1:]
    data = value.encode("utf-8")
    if len(data) > limit:
        raise CliFailure(f"{what} is larger than the limit of {limit} bytes")
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


# -- keys -----------------------------------------------------------------------------------


def _password(spec: str | None) -> bytes | None:
    if spec is None:
        return None
    data, _ = read_source(spec, "--password", 64 * 1024)
    return data.rstrip(b"\r\n")


def _is_key_set(data: bytes) -> bool:
    text = data.lstrip()
    if not text.startswith(b"{"):
        return False
    try:
        obj = loads_object(data, "JWK")
    except JoseError:
        return False
    return "keys" in obj and "kty" not in obj


def load_key(
    spec: str, what: str = "--key", password: str | None = None, *, allow_set: bool = False
) -> Key:
    """Load one key (JWK, PEM or DER) from a file, ``env:NAME`` or ``-``.

    Errors name the source and the problem, never the key material.
    """
    data, label = read_source(spec, what)
    if _is_key_set(data):
        try:
            keys = KeySet.import_key_set(data)
        except JoseError as exc:
            raise failure_from(exc, f"cannot load the JWK Set from {label}") from None
        if len(keys) == 1 and allow_set:
            return keys.keys[0]
        raise CliFailure(f"{what} {label} holds a JWK Set of {len(keys)} keys: give a single JWK")
    try:
        return Key.import_key(data, password=_password(password))
    except JoseError as exc:
        raise CliFailure(
            f"cannot load the key from {label}: {exc}", EXIT_INPUT, type(exc).__name__
        ) from None


def load_key_set_file(spec: str, what: str = "--jwks") -> KeySet:
    """Load a JWK Set from a file, ``env:NAME`` or ``-``."""
    data, label = read_source(spec, what)
    try:
        return KeySet.import_key_set(data)
    except JoseError as exc:
        raise CliFailure(
            f"cannot load the JWK Set from {label}: {exc}", EXIT_INPUT, type(exc).__name__
        ) from None


def load_key_source(
    key: str | None,
    jwks: str | None,
    password: str | None = None,
    remote: Callable[[str], Any] | None = None,
) -> Any:
    """The key, or the key set, a verifying or decrypting command uses.

    ``--key`` may name a single key or a JWK Set; ``--jwks`` a JWK Set file or (when
    ``remote`` is given) an ``http(s)://`` URL.
    """
    if (key is None) == (jwks is None):
        raise CliFailure("give exactly one of --key or --jwks")
    if key is not None:
        data, label = read_source(key, "--key")
        if _is_key_set(data):
            try:
                return KeySet.import_key_set(data)
            except JoseError as exc:
                raise CliFailure(
                    f"cannot load the JWK Set from {label}: {exc}", EXIT_INPUT, type(exc).__name__
                ) from None
        try:
            return Key.import_key(data, password=_password(password))
        except JoseError as exc:
            raise CliFailure(
                f"cannot load the key from {label}: {exc}", EXIT_INPUT, type(exc).__name__
            ) from None
    assert jwks is not None
    if jwks.startswith(("http://", "https://")):
        if remote is None:
            raise CliFailure("--jwks takes a file here, not a URL")
        return remote(jwks)
    return load_key_set_file(jwks)


# -- algorithms -----------------------------------------------------------------------------


def split_names(values: Iterable[str]) -> list[str]:
    """Option values, each possibly a comma-separated list, as one flat list."""
    names: list[str] = []
    for value in values:
        names.extend(part.strip() for part in value.split(",") if part.strip())
    return names


def allow_list(registry: Registry[Any], values: Sequence[str], option: str = "--alg") -> list[str]:
    """Validate a repeatable ``--alg``-style option against an algorithm table."""
    names = split_names(values)
    if not names:
        raise CliFailure(
            f"{option} is required: name the algorithms you accept, e.g. {option} "
            f"{next(iter(registry))}"
        )
    for name in names:
        try:
            registry.lookup(name)
        except UnsupportedAlgorithmError as exc:
            close = [known for known in registry if known.lower() == name.lower()]
            if close:  # algorithm names are case-sensitive
                raise CliFailure(f"{option} {name}: did you mean {close[0]}?") from None
            raise CliFailure(f"{option} {name}: {exc}") from None
    return names


# -- time -----------------------------------------------------------------------------------

NOW_ENV = "JOSEKIT_NOW"
"""Environment variable that fixes the current time (a date or seconds since the epoch)."""


def parse_now(value: str | None) -> float | None:
    """Parse a ``--now``/``JOSEKIT_NOW`` value: an ISO 8601 date-time or epoch seconds."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return float(int(text))
    except OverflowError:
        raise CliFailure(f"--now {text[:20]}... is out of range") from None
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise CliFailure(
            f"--now {text!r} is neither seconds since 1970 nor an ISO 8601 date-time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def now_option(func: F) -> F:
    """Add the hidden ``--now`` option (also read from ``JOSEKIT_NOW``) used by tests."""
    return click.option(
        "--now",
        "now",
        envvar=NOW_ENV,
        hidden=True,
        default=None,
        help="Pretend the current time is this (ISO 8601 or epoch seconds).",
    )(func)


def current_time(now: str | None) -> float:
    """The moment to judge times against: ``--now`` if given, else the clock."""
    fixed = parse_now(now)
    return time.time() if fixed is None else fixed


_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str, option: str) -> int:
    """Seconds from ``90``, ``90s``, ``15m``, ``2h``, ``7d`` or ``1w``."""
    text = value.strip().lower()
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(number) :] or "s"
    if not number.isdigit() or unit not in _UNITS:
        raise CliFailure(
            f"{option} {value!r} is not a duration: write seconds, or a number with "
            "s, m, h, d or w (e.g. 15m)"
        )
    return int(number) * _UNITS[unit]


def format_duration(seconds: float) -> str:
    """``42 s``, ``4 min``, ``2 h``, ``3 days`` or ``5 years`` (rounded down)."""
    s = int(abs(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 2 * 86400:
        return f"{s // 3600} h"
    if s < 2 * 365 * 86400:
        return f"{s // 86400} days"
    return f"{s // (365 * 86400)} years"


def format_date(value: float) -> str:
    """A NumericDate as ``2011-03-22 18:43:00 UTC`` (or a note when out of range)."""
    try:
        moment = datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return "out of range"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
