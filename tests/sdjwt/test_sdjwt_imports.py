"""josekit.sdjwt needs cryptography only; IssuerMetadataKeys names the extra it needs."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from josekit import sdjwt


def test_importing_sdjwt_imports_no_extra() -> None:
    code = (
        "import sys, josekit.sdjwt; "
        "print(sorted(m for m in ('httpx', 'starlette', 'uvicorn', 'redis') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_issuer_metadata_keys_without_httpx_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ImportError, match=r"josekit\[remote\]"):
        sdjwt.IssuerMetadataKeys("https://issuer.example")
    with pytest.raises(ImportError, match=r"josekit\[remote\]"):
        sdjwt.AsyncIssuerMetadataKeys("https://issuer.example")


def test_the_exported_names_are_pinned() -> None:
    assert sdjwt.__all__ == sorted(sdjwt.__all__, key=lambda n: (not n.isupper(), n))
    assert {"SD", "issue", "parse", "present", "verify", "VerifiedSDJWT", "SDJWT"} <= set(
        sdjwt.__all__
    )
    for name in sdjwt.__all__:
        obj = getattr(sdjwt, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name
