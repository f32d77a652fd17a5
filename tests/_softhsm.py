"""A throwaway SoftHSM2 token for the tests: ``softhsm2-util --init-token`` in a temp dir.

``tests/conftest.py`` imports the session-scoped fixture :func:`softhsm_token`: it writes a
``softhsm2.conf`` whose ``directories.tokendir`` is a temporary directory, points
``SOFTHSM2_CONF`` at it for the whole process, and initialises one token. A missing SoftHSM2
fails under ``CI=true`` and skips elsewhere (see ``_pg.unavailable``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from _pg import unavailable

__all__ = ["SoftHSMToken", "softhsm_token"]

_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)


@dataclass(frozen=True)
class SoftHSMToken:
    """Initialised tokens: the module to load, the main token's label and user PIN, and a
    spare token (``spare_label``, ``spare_pin``) that no fixture logs in to."""

    module: str
    label: str
    pin: str
    conf: Path
    spare_label: str = "josekit-spare"
    spare_pin: str = "9876-spare-pin"


def _module() -> str | None:
    given = os.environ.get("SOFTHSM2_MODULE")
    for path in ((given,) if given else ()) + _MODULES:
        if os.path.exists(path):
            return path
    return None


@pytest.fixture(scope="session")
def softhsm_token() -> Iterator[SoftHSMToken]:
    """One SoftHSM2 token for the test session (fails under CI=true if SoftHSM2 is missing)."""
    module, util = _module(), shutil.which("softhsm2-util")
    if module is None or util is None:
        unavailable(
            "SoftHSM2 not found: install it (Debian: apt-get install -y softhsm2, "
            "or run 'make services'), or point SOFTHSM2_MODULE at libsofthsm2.so"
        )
        raise AssertionError("unreachable")
    with tempfile.TemporaryDirectory(prefix="josekit-softhsm-") as tmp:
        root = Path(tmp)
        (root / "tokens").mkdir()
        conf = root / "softhsm2.conf"
        conf.write_text(
            f"directories.tokendir = {root / 'tokens'}\n"
            "objectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
        )
        previous = os.environ.get("SOFTHSM2_CONF")
        os.environ["SOFTHSM2_CONF"] = str(conf)
        token = SoftHSMToken(module, "josekit-test", "1234-test-pin", conf)
        for label, pin in ((token.label, token.pin), (token.spare_label, token.spare_pin)):
            subprocess.run(
                [util, "--init-token", "--free", "--label", label,
                 "--pin", pin, "--so-pin", "5678-so-pin"],
                check=True, capture_output=True,
            )  # fmt: skip
        try:
            yield token
        finally:
            if previous is None:
                os.environ.pop("SOFTHSM2_CONF", None)
            else:
                os.environ["SOFTHSM2_CONF"] = previous
