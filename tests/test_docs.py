"""Every Python code block in the documentation and the README runs as part of the suite.

The blocks of one page run in order in one namespace, like a script, in a temporary
directory. A page that needs a running service says so with an HTML comment
``<!-- docs-setup: NAME -->``; NAME is one of the fixtures in ``_SETUPS``, or ``softhsm``
(the session's SoftHSM2 token: ``MODULE``, ``TOKEN_LABEL`` and the ``HSM_PIN`` variable).
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from _uvicorn import serve_on

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SETUP = re.compile(r"<!--\s*docs-setup:\s*([\w-]+)\s*-->")


def _blocks(page: Path) -> list[str]:
    return _BLOCK.findall(page.read_text(encoding="utf-8"))


CODE_PAGES = [page for page in PAGES if _blocks(page)]  # a page without code has nothing to run


@contextmanager
def _no_setup() -> Iterator[dict[str, Any]]:
    yield {}


@contextmanager
def _openid_provider() -> Iterator[dict[str, Any]]:
    """A loopback OpenID provider: discovery and JWKS from a KeyStore, and one fresh ID token.

    The page gets ``ISSUER`` (the provider's issuer URL), ``TOKEN`` (an ES256 ID token for
    audience ``my-client``, valid for ten minutes) and ``provider_store`` (the KeyStore).
    """
    from josekit import jwt
    from josekit.jwks import KeyStore, MemoryKeyStorage, RotationPolicy, create_app

    store = KeyStore(
        MemoryKeyStorage(),
        RotationPolicy(
            alg="ES256",
            rotate_every=timedelta(days=7),
            publish_ahead=timedelta(hours=2),
            retire_after=timedelta(hours=3),
        ),
    )
    store.rotate(now=int(time.time()))  # whole seconds: the page's datetimes are exact
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
        now = int(time.time())
        token = jwt.encode(
            {"iss": issuer, "sub": "alice", "aud": "my-client", "iat": now, "exp": now + 600},
            store.signing_key(),
            "ES256",
        )
        with serve_on(create_app(store, issuer=issuer), sock):
            yield {"ISSUER": issuer, "TOKEN": token, "provider_store": store}


@contextmanager
def _postgres() -> Iterator[dict[str, Any]]:
    """A throwaway PostgreSQL server: the page gets ``DSN``."""
    from _pg import PostgresUnavailable, postgres_server, unavailable

    try:
        server = postgres_server()
        running = server.__enter__()
    except PostgresUnavailable as exc:
        unavailable(str(exc))
        raise
    try:
        yield {"DSN": running.dsn}
    finally:
        server.__exit__(None, None, None)


_SETUPS: dict[str, Callable[[], AbstractContextManager[dict[str, Any]]]] = {
    "openid-provider": _openid_provider,
    "postgres": _postgres,
}


def test_every_page_has_been_found() -> None:
    assert (ROOT / "docs" / "index.md") in PAGES
    assert sum(len(_blocks(p)) for p in PAGES) > 10


@pytest.mark.parametrize("page", CODE_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    blocks = _blocks(page)
    monkeypatch.chdir(tmp_path)
    setups = _SETUP.findall(page.read_text(encoding="utf-8"))
    setup = _SETUPS[setups[0]] if setups and setups[0] != "softhsm" else _no_setup
    with setup() as namespace:
        if setups and setups[0] == "softhsm":  # tests/_softhsm.py, one token per session
            hsm = request.getfixturevalue("softhsm_token")
            monkeypatch.setenv("HSM_PIN", hsm.pin)
            namespace.update(MODULE=hsm.module, TOKEN_LABEL=hsm.label)
        namespace["__name__"] = "__docs__"
        for number, code in enumerate(blocks, 1):
            compiled = compile(code, f"{page.name}[block {number}]", "exec")
            exec(compiled, namespace)  # running our own documentation


_ROW = re.compile(r"^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", re.MULTILINE)


def _algorithm_tables() -> dict[str, dict[str, tuple[str, str, str]]]:
    """The algorithm page's rows, by section heading: name -> (family, key type, status)."""
    text = (ROOT / "docs" / "guide" / "algorithms.md").read_text(encoding="utf-8")
    tables: dict[str, dict[str, tuple[str, str, str]]] = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title = section.splitlines()[0]
        rows = {m[1]: (m[2].strip(), m[3].strip(), m[5].strip()) for m in _ROW.finditer(section)}
        if rows:
            tables[title] = rows
    return tables


def test_algorithm_page_lists_exactly_the_registries() -> None:
    from josekit.algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT, SIGNATURE_ALGORITHMS
    from josekit.algorithms.hpke import HPKE_SUITES

    tables = _algorithm_tables()
    jws_rows = tables["Signatures (JWS `alg`)"]
    km_rows = tables["Key management (JWE `alg`)"]
    enc_rows = tables["Content encryption (JWE `enc`)"]
    assert list(jws_rows) == list(SIGNATURE_ALGORITHMS)
    assert list(km_rows) == list(KEY_MANAGEMENT)
    assert list(enc_rows) == list(CONTENT_ENCRYPTION)
    for name, (family, kty, _) in jws_rows.items():
        assert family == SIGNATURE_ALGORITHMS[name].family, name
        assert kty.split()[0] == SIGNATURE_ALGORITHMS[name].kty, name
    for name, (family, kty, status) in km_rows.items():
        row = KEY_MANAGEMENT[name]
        assert family == row.family, name
        assert {t for t in re.findall(r"\b(?:RSA|EC|OKP|oct|AKP)\b", kty)} <= row.key_types, name
        assert ("on request" in status) == (name in KEY_MANAGEMENT.opt_in), name
        if name.startswith("HPKE-"):
            suite = HPKE_SUITES[int(name.split("-")[1])]
            assert ("not available" in status) == (suite.missing() is not None), name
            assert kty.split()[0] == suite.kty, name
    for name, (family, _, _) in enc_rows.items():
        assert family == CONTENT_ENCRYPTION[name].family, name


def test_every_page_is_in_the_navigation() -> None:
    listed = set(re.findall(r":\s*(\S+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert listed == pages
