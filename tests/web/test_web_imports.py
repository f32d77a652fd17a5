"""josekit.web needs no extra; each adapter names its extra when its framework is missing."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_web_imports_no_framework_and_no_http_client() -> None:
    code = (
        "import sys, josekit.web, josekit.integrations; "
        "print(sorted(m for m in ('httpx', 'starlette', 'fastapi', 'flask', 'django', 'mcp') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("module", "framework", "extra"),
    [
        ("fastapi", "fastapi", "fastapi"),
        ("starlette", "starlette", "server"),
        ("flask", "flask", "flask"),
        ("django", "rest_framework", "django"),
        ("mcp", "mcp", "mcp"),
    ],
)
def test_a_missing_framework_names_the_extra(module: str, framework: str, extra: str) -> None:
    code = (
        f"import sys; sys.modules[{framework!r}] = None\n"
        "try:\n"
        f"    import josekit.integrations.{module}\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert f"pip install 'josekit[{extra}]'" in out.stdout
