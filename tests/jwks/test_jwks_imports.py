"""josekit.jwks imports without its extras; a missing extra is named when it is needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import josekit.jwks
from josekit.jwks import (
    AsyncRemoteKeySet,
    KeyStore,
    MemoryKeyStorage,
    RemoteKeySet,
    RotationPolicy,
    create_app,
)

_BLOCK_EXTRAS = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("httpx", "starlette", "uvicorn", "psycopg"):
            raise ImportError(f"blocked: {name}")
        return None
sys.meta_path.insert(0, Block())
"""


def test_public_names_are_pinned() -> None:
    assert sorted(josekit.jwks.__all__) == sorted(
        [
            "JWKS_PATH",
            "AsyncKeyResolver",
            "AsyncRemoteKeySet",
            "FetchEvent",
            "FileKeyStorage",
            "KeySource",
            "KeyStatus",
            "KeyStorage",
            "KeyStore",
            "MemoryKeyStorage",
            "PostgresKeyStorage",
            "PublicKeySource",
            "RemoteKeySet",
            "RotationPolicy",
            "RotationResult",
            "create_app",
            "decode_jwt_async",
            "decrypt_async",
            "prefetch_keys",
            "verify_async",
        ]
    )
    for name in josekit.jwks.__all__:
        if name != "JWKS_PATH":
            assert getattr(josekit.jwks, name).__doc__


def test_importing_josekit_does_not_import_jwks_or_its_extras() -> None:
    code = (
        "import sys, josekit, josekit.jws, josekit.jwt, josekit.jwe, josekit.jwk\n"
        "loaded = [m for m in ('josekit.jwks', 'httpx', 'starlette', 'uvicorn')"
        " if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "import josekit.jwks\n"
        "loaded = [m for m in ('httpx', 'starlette', 'uvicorn', 'psycopg') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)


def test_missing_extras_are_named(tmp_path: Path) -> None:
    code = _BLOCK_EXTRAS + (
        "from datetime import timedelta\n"
        "from josekit.jwks import (AsyncRemoteKeySet, KeyStore, RemoteKeySet,"
        " RotationPolicy, create_app)\n"
        "for make, extra in ((lambda: RemoteKeySet('https://a.example/k'), 'josekit[remote]'),"
        " (lambda: AsyncRemoteKeySet('https://a.example/k'), 'josekit[remote]'),"
        " (lambda: create_app(store), 'josekit[server]'),"
        " (lambda: KeyStore('postgresql://127.0.0.1/db'), 'josekit[postgres]')):\n"
        "    if 'store' not in globals():\n"
        f"        store = KeyStore({str(tmp_path / 'keys')!r}, RotationPolicy('ES256',"
        " timedelta(hours=1), timedelta(minutes=5), timedelta(hours=1)))\n"
        "        store.rotate()\n"
        "        assert store.signing_key().kid\n"
        "    try:\n"
        "        make()\n"
        "    except ImportError as exc:\n"
        "        assert extra in str(exc), exc\n"
        "    else:\n"
        "        raise AssertionError('no ImportError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)


def test_missing_httpx_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ImportError, match=r"josekit\[remote\]"):
        RemoteKeySet("https://issuer.example/jwks.json")
    with pytest.raises(ImportError, match=r"josekit\[remote\]"):
        AsyncRemoteKeySet("https://issuer.example/jwks.json")


def test_missing_starlette_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    store = KeyStore(
        MemoryKeyStorage(),
        RotationPolicy("ES256", timedelta(hours=1), timedelta(minutes=5), timedelta(hours=1)),
    )
    monkeypatch.setitem(sys.modules, "starlette.applications", None)
    with pytest.raises(ImportError, match=r"josekit\[server\]"):
        create_app(store)
