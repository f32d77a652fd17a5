"""The typed async backend of tests/typing (checked by mypy --strict) also runs."""

from __future__ import annotations

import runpy
from pathlib import Path

TYPED = Path(__file__).resolve().parent.parent / "typing" / "async_backend.py"


def test_the_typed_backend_runs() -> None:
    runpy.run_path(str(TYPED), run_name="__main__")  # its asserts hold
