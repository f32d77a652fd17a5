"""The README quick start is type-checked as written (``make typecheck`` covers tests/typing)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_the_typed_copy_is_the_readme_quick_start() -> None:
    quick_start = _BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))[0]
    typed = (ROOT / "tests" / "typing" / "readme_quickstart.py").read_text(encoding="utf-8")
    assert typed.endswith(quick_start)
    assert "result.key.kid" in quick_start  # Token.key is a Key, not Optional


def test_make_typecheck_covers_it() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"mypy --strict src tests/typing", makefile)
