"""Human-readable output: rich tables and colour on a terminal, plain text otherwise."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from ._common import dump_json, safe_text

__all__ = ["Printer", "printer"]

_STYLES = {"bad": "bold red", "warn": "yellow", "good": "bold green", "dim": "dim"}


class Printer:
    """Writes human output to stdout (or stderr); uses rich only when ``fancy`` is true.

    Every string that came from a token or a key passes through :func:`safe_text`, so a
    claim cannot carry terminal escape sequences to the screen.
    """

    def __init__(self, fancy: bool, err: bool = False) -> None:
        self.fancy = fancy
        self.err = err
        self._console: Any = None
        if fancy:
            from rich.console import Console

            stream = sys.stderr if err else sys.stdout
            self._console = Console(
                file=stream, force_terminal=True, highlight=False, soft_wrap=False
            )

    def line(self, text: str = "", style: str | None = None) -> None:
        """One line of text, in a style (``bad``, ``warn``, ``good``, ``dim``) on a terminal."""
        text = safe_text(text, keep_newlines=True)
        if self.fancy:
            from rich.text import Text

            self._console.print(Text(text, style=_STYLES.get(style or "", "")))
        else:
            click.echo(text, err=self.err)

    def heading(self, text: str) -> None:
        """A section title, after a blank line."""
        self.line()
        if self.fancy:
            from rich.text import Text

            self._console.print(Text(safe_text(text), style="bold underline"))
        else:
            click.echo(f"== {safe_text(text)} ==", err=self.err)

    def json(self, obj: Any) -> None:
        """Indented JSON (highlighted on a terminal)."""
        text = dump_json(obj)
        if self.fancy:
            from rich.syntax import Syntax

            self._console.print(Syntax(text, "json", theme="ansi_dark", background_color="default"))
        else:
            click.echo(text, err=self.err)

    def table(
        self, columns: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None
    ) -> None:
        """A table; plain mode aligns columns with spaces."""
        cells = [[safe_text(str(c)) for c in row] for row in rows]
        if self.fancy:
            from rich.table import Table

            table = Table(title=title, title_justify="left")
            for column in columns:
                table.add_column(column, overflow="fold")
            for row in cells:
                table.add_row(*row)
            self._console.print(table)
            return
        if title:
            self.heading(title)
        widths = [
            max([len(columns[i])] + [len(row[i]) for row in cells]) for i in range(len(columns))
        ]
        click.echo(
            "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
            err=self.err,
        )
        for row in cells:
            click.echo(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(),
                err=self.err,
            )

    def fields(self, rows: Sequence[tuple[str, str]]) -> None:
        """Name/value lines, names aligned."""
        if not rows:
            return
        width = max(len(name) for name, _ in rows)
        if self.fancy:
            from rich.text import Text

            for name, value in rows:
                text = Text(safe_text(name).ljust(width) + "  ", style="bold")
                text.append(safe_text(value))
                self._console.print(text)
            return
        for name, value in rows:
            click.echo(f"{safe_text(name).ljust(width)}  {safe_text(value)}", err=self.err)


def use_rich(ctx: click.Context, err: bool = False) -> bool:
    """Rich output only on a terminal, unless ``--color`` or ``NO_COLOR`` says otherwise."""
    choice = ctx.find_root().meta.get("josekit.color", "auto")
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return (sys.stderr if err else sys.stdout).isatty()


def printer(ctx: click.Context, err: bool = False) -> Printer:
    """The :class:`Printer` for this command's stdout (or stderr)."""
    return Printer(use_rich(ctx, err), err)
