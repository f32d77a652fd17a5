"""``make demo``: it begins with the common case and ends by saying how to go on."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart_demo.py"


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(QUICKSTART), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_demo_begins_with_hs256_then_rs256_through_a_jwk_set() -> None:
    out = _run()
    lines = out.splitlines()
    assert "simulated time" in lines[0]
    assert "examples/quickstart_demo.py" in lines[1]
    hs256 = out.index("HS256 with a shared secret")
    rs256 = out.index("RS256 from an identity provider publishing its JWK Set at http://127.0.0.1:")
    assert hs256 < rs256
    assert "verified: sub=alice" in out
    assert "verified through the JWK Set: sub=bob" in out
    assert "a token signed by another key is refused" in out
    assert "a short secret is refused" in out
    for name in ("demo.py", "jwks_demo.py", "sdjwt_demo.py", "web_demo.py"):
        assert f"examples/{name}" in out


def test_the_demo_runs_on_simulated_time() -> None:
    first, second = _run(), _run()
    times = re.compile(r"^\s+(\d\d:\d\d:\d\d)\s", re.M)
    assert times.findall(first) == times.findall(second) == ["09:01:00", "09:30:00", "09:00:10",
                                                             "09:00:20"]  # fmt: skip


def test_make_demo_runs_the_quickstart_first_and_ends_with_next_steps() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    scripts = [line.split("examples/", 1)[1] for line in recipe if "examples/" in line]
    assert scripts[0] == "quickstart_demo.py"
    assert scripts[-1] == "quickstart_demo.py --next-steps"
    named = _run().rsplit("The rest of `make demo` runs ", 1)[1]
    for script in scripts[1:-1]:  # the demo names the files that hold the code of each part
        assert f"examples/{script}" in named, script


def test_the_demo_ends_by_saying_how_to_run_josekit_and_python_from_the_venv() -> None:
    out = _run("--next-steps")
    assert ".venv/bin/josekit --help" in out
    assert ".venv/bin/python" in out
