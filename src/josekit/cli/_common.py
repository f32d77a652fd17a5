"""What every command shares, in one import: failures, inputs, keys, times, algorithm lists.

The pieces live in :mod:`._failures` (exit codes, one-line errors, JSON output),
:mod:`._inputs` (arguments, files, stdin), :mod:`._keysource` (keys and key sets) and
:mod:`._times` (``--now``, durations); the algorithm allow-lists are here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT, SIGNATURE_ALGORITHMS, Registry
from ..errors import UnsupportedAlgorithmError
from ._failures import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_REJECTED,
    CliFailure,
    dump_json,
    emit_json,
    exit_code_for,
    failure_from,
    json_mode,
    json_option,
    safe_text,
)
from ._inputs import (
    MAX_KEY_FILE,
    MAX_PAYLOAD_FILE,
    read_input,
    read_source,
    read_token,
    write_private_file,
)
from ._keysource import load_key, load_key_set_file, load_key_source
from ._secrets import has_secret
from ._times import (
    NOW_ENV,
    current_time,
    format_date,
    format_duration,
    now_option,
    parse_duration,
    parse_now,
)

__all__ = [
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_REJECTED",
    "MAX_KEY_FILE",
    "MAX_PAYLOAD_FILE",
    "NOW_ENV",
    "CliFailure",
    "allow_list",
    "current_time",
    "dump_json",
    "emit_json",
    "exit_code_for",
    "failure_from",
    "format_date",
    "format_duration",
    "json_mode",
    "json_option",
    "load_key",
    "load_key_set_file",
    "load_key_source",
    "now_option",
    "parse_duration",
    "parse_now",
    "read_input",
    "read_source",
    "read_token",
    "safe_text",
    "split_names",
    "write_private_file",
]


def split_names(values: Iterable[str]) -> list[str]:
    """Option values, each possibly a comma-separated list, as one flat list."""
    names: list[str] = []
    for value in values:
        names.extend(part.strip() for part in value.split(",") if part.strip())
    return names


_EXAMPLES: tuple[tuple[Registry[Any], tuple[str, ...]], ...] = (
    (SIGNATURE_ALGORITHMS, ("ES256", "RS256")),
    (KEY_MANAGEMENT, ("ECDH-ES+A256KW", "RSA-OAEP-256")),  # never RSA1_5 nor PBES2
    (CONTENT_ENCRYPTION, ("A256GCM",)),
)
"""The algorithms a "required" hint suggests for each table: sound, common choices."""


def _examples(registry: Registry[Any]) -> tuple[str, ...]:
    if registry is SIGNATURE_ALGORITHMS and has_secret():
        return ("HS256",)  # a shared secret is for HMAC
    for table, names in _EXAMPLES:
        if table is registry:
            return names
    return (next(iter(registry)),)


def allow_list(registry: Registry[Any], values: Sequence[str], option: str = "--alg") -> list[str]:
    """Validate a repeatable ``--alg``-style option against an algorithm table."""
    names = split_names(values)
    if not names:
        raise CliFailure(
            f"{option} is required: name the algorithms you accept, e.g. "
            + " or ".join(f"{option} {name}" for name in _examples(registry))
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
