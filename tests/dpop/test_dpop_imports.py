"""josekit.dpop, josekit.cnf and josekit.replay import no extra until it is used."""

from __future__ import annotations

import inspect
import subprocess
import sys

import josekit.cnf
import josekit.dpop
import josekit.replay


def test_importing_needs_no_extra() -> None:
    code = (
        "import sys, josekit.dpop, josekit.cnf, josekit.replay\n"
        "assert 'httpx' not in sys.modules and 'redis' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names() -> None:
    for module in (josekit.dpop, josekit.cnf, josekit.replay):
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert value.__doc__, f"{module.__name__}.{name} has no docstring"
    assert josekit.dpop.DPoPAuth.__module__ == "josekit.dpop._client"
