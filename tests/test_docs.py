"""Every Python code block in the documentation and the README runs as part of the suite.

The blocks of one page run in order in one namespace, like a script, in a temporary
directory. A page that needs a running service says so with an HTML comment
``<!-- docs-setup: NAME -->``; NAME is one of the fixtures in ``_SETUPS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SETUP = re.compile(r"<!--\s*docs-setup:\s*([\w-]+)\s*-->")


def _blocks(page: Path) -> list[str]:
    return _BLOCK.findall(page.read_text(encoding="utf-8"))


@contextmanager
def _no_setup() -> Iterator[dict[str, Any]]:
    yield {}


_SETUPS: dict[str, Callable[[], AbstractContextManager[dict[str, Any]]]] = {}


def test_every_page_has_been_found() -> None:
    assert (ROOT / "docs" / "index.md") in PAGES
    assert sum(len(_blocks(p)) for p in PAGES) > 10


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _blocks(page)
    if not blocks:
        pytest.skip("no Python code blocks on this page")
    monkeypatch.chdir(tmp_path)
    setups = _SETUP.findall(page.read_text(encoding="utf-8"))
    setup = _SETUPS[setups[0]] if setups else _no_setup
    with setup() as namespace:
        namespace["__name__"] = "__docs__"
        for number, code in enumerate(blocks, 1):
            compiled = compile(code, f"{page.name}[block {number}]", "exec")
            exec(compiled, namespace)  # running our own documentation
