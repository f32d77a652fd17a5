"""Signing through a PKCS#11 token (SoftHSM2) against the same josekit call with software keys.

Rows ``hsm.sign.ES256`` and ``hsm.sign.RS256``: the ``josekit`` column signs a compact JWS
with a key pair generated in a SoftHSM2 token (``josekit.pkcs11``); the ``floor`` column is
the same ``jws.sign`` with a software key of the same type, so the ratio is what keeping the
key in the token costs (module lock, session pool, object lookup, ``C_Sign``, the check of
the signature with the public half). No target: the figure is for the docs.

The token: ``JOSEKIT_BENCH_PKCS11_MODULE``, ``..._TOKEN`` and ``..._PIN`` when set (the tests
use the session's token), else a throwaway token in a temporary directory (``SOFTHSM2_CONF``)
set up on first use. Without SoftHSM2 or python-pkcs11 the rows are left out.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from _harness import FLOOR, JOSEKIT, Benchmark, CheckError, Prepared, Target

from josekit import jwk, jws

__all__ = ["benchmarks"]

PAYLOAD = b'{"iss":"https://issuer.example","sub":"alice","aud":"api","exp":1900000000}'
_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
_SPECS = {"ES256": ("EC", "P-256", None), "RS256": ("RSA", None, 2048)}
_TOKEN: list[Any] = []


def _module() -> str | None:
    given = os.environ.get("JOSEKIT_BENCH_PKCS11_MODULE")
    return given or next((m for m in _MODULES if os.path.exists(m)), None)


def _available() -> bool:
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        return False
    return _module() is not None and (
        "JOSEKIT_BENCH_PKCS11_TOKEN" in os.environ or shutil.which("softhsm2-util") is not None
    )


def _token() -> Any:
    from josekit.pkcs11 import Pkcs11Token

    if _TOKEN:
        return _TOKEN[0]
    module = _module()
    assert module is not None
    label = os.environ.get("JOSEKIT_BENCH_PKCS11_TOKEN")
    pin = os.environ.get("JOSEKIT_BENCH_PKCS11_PIN")
    if label is None or pin is None:
        root = Path(tempfile.mkdtemp(prefix="josekit-bench-softhsm-"))
        atexit.register(shutil.rmtree, root, True)
        (root / "tokens").mkdir()
        conf = root / "softhsm2.conf"
        conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n")
        os.environ["SOFTHSM2_CONF"] = str(conf)
        label, pin = "josekit-bench", "bench-pin-1234"
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", label,
             "--pin", pin, "--so-pin", "bench-so-pin"],
            check=True, capture_output=True,
        )  # fmt: skip
    _TOKEN.append(Pkcs11Token(module, token_label=label, pin=pin))
    return _TOKEN[0]


def _sign(alg: str) -> Prepared:
    kty, crv, size = _SPECS[alg]
    hsm = _token().generate(kty, crv=crv, size=size, label=f"bench-{alg}")
    soft = jwk.generate(kty, crv=crv, size=size)
    for key in (hsm, soft):  # both must produce tokens that verify with their public half
        compact = jws.sign(PAYLOAD, key, alg=alg)
        if jws.verify(compact, key.public(), algorithms=[alg]).payload != PAYLOAD:
            raise CheckError(f"{alg} signature of {key!r} does not verify")
    return Prepared(
        {
            JOSEKIT: functools.partial(jws.sign, PAYLOAD, hsm, alg=alg),
            FLOOR: functools.partial(jws.sign, PAYLOAD, soft, alg=alg),
        }
    )


def benchmarks() -> list[Benchmark]:
    """ES256 and RS256 signing in SoftHSM2 against software keys (none without SoftHSM2)."""
    if not _available():
        return []
    return [
        Benchmark(
            f"hsm.sign.{alg}",
            functools.partial(_sign, alg),
            Target(),
            f"sign a compact {alg} JWS with a SoftHSM2 key (floor: the same with a software key)",
        )
        for alg in _SPECS
    ]
