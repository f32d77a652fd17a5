"""A griffe extension for the API reference: Sphinx roles in docstrings become inline code.

josekit's docstrings use reStructuredText roles (``:class:`~josekit.Key` ``), which
mkdocstrings would show literally. This turns each into inline code: ``~a.b.C`` shows ``C``,
other targets show as written.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj):`([^`]+)`")


def _target(match: re.Match[str]) -> str:
    text = match.group(1).strip()
    explicit = re.fullmatch(r"(.+?)\s*<([^>]+)>", text)
    if explicit:
        return f"`{explicit.group(1)}`"
    if text.startswith("~"):
        text = text[1:].rsplit(".", 1)[-1]
    return f"`{text}`"


class SphinxRoles(griffe.Extension):
    """Rewrite the Sphinx roles of every docstring."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(_target, obj.docstring.value)
