"""Every benchmark's interoperability checks, run without timing anything.

Building a benchmark makes josekit and each other library (PyJWT, joserfc, jwcrypto,
python-jose) read each other's tokens and refuse damaged ones (and, for JWTs, invalid
claims). So this is also an interoperability test of josekit against those libraries.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

for name in ("jwt", "joserfc", "jwcrypto", "jose"):
    pytest.importorskip(name)

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import run  # noqa: E402
from _harness import LIBRARIES  # noqa: E402

ALL, MODULE_NOTES = run.discover()

# joserfc warns on each use of "EdDSA" (RFC 9864 prefers "Ed25519"); the benchmarks use it.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")


def test_every_module_loads() -> None:
    assert MODULE_NOTES == []
    assert {b.id.split(".")[0] for b in ALL} >= {"jws", "jwe", "jwt", "hsm"}


@pytest.mark.parametrize("bench", ALL, ids=[b.id for b in ALL])
def test_every_library_interoperates(
    bench: run.Benchmark, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if bench.id.startswith("hsm."):  # signs in the session's SoftHSM2 token (tests/_softhsm.py)
        hsm = request.getfixturevalue("softhsm_token")
        monkeypatch.setenv("JOSEKIT_BENCH_PKCS11_MODULE", hsm.module)
        monkeypatch.setenv("JOSEKIT_BENCH_PKCS11_TOKEN", hsm.label)
        monkeypatch.setenv("JOSEKIT_BENCH_PKCS11_PIN", hsm.pin)
    prepared = bench.build()
    failed = {lib: note for lib, note in prepared.notes.items() if not note.startswith("n/a")}
    assert failed == {}
    assert {"josekit", "floor"} <= set(prepared.timed)
    assert set(prepared.timed) <= set(LIBRARIES)
    for fn in prepared.timed.values():
        fn()  # each timed callable runs as built
