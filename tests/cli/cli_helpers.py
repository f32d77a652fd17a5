"""Helpers shared by the command-line tests (imported as a top-level module by pytest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.testing import Result

VECTORS = Path(__file__).parent.parent / "vectors" / "cli"

Invoke = Callable[..., Result]


def load_vector(name: str) -> dict[str, Any]:
    """A JSON vector file from tests/vectors/cli/."""
    data: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return data


def write_json(path: Path, obj: Any) -> str:
    """Write ``obj`` as JSON and return the path as a str."""
    path.write_text(json.dumps(obj), encoding="utf-8")
    return str(path)


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every subcommand of ``group`` (and the group itself) as a tuple of names."""
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(command_paths(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found
