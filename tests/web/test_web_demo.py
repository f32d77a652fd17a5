"""``make demo``'s protected-API script runs and shows an acceptance and the refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "examples" / "web_demo.py"


def test_the_demo_accepts_the_token_and_refuses_the_forgery() -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "GET /items with the issuer's token: 200" in out
    assert "GET /items with a forged token (same kid, another key): 401" in out
    assert 'error="invalid_token"' in out
    assert "DELETE /items with the issuer's token, a scope missing: 403" in out
