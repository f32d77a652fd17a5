"""``josekit jwks fetch|rotate|serve`` and ``--jwks URL``, against servers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
import uvicorn
from cli_helpers import Invoke, write_json

from josekit import Key, KeySet, jwk, jws, jwt

DAY = 86400


class Routes(dict[str, bytes]):
    """Path -> body served by the test server, and the paths it was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[Routes] = Routes()

    def do_GET(self) -> None:
        self.routes.requests.append(self.path)
        body = self.routes.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, Routes, list[Key]]]:
    """A JWK Set (and discovery document) served on 127.0.0.1 by a thread."""
    keys = [
        jwk.generate("EC", kid="ec-1", alg="ES256", use="sig"),
        jwk.generate("RSA", kid="rsa-1"),
    ]
    routes = Routes()
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    routes["/jwks.json"] = KeySet([k.public() for k in keys]).to_json().encode()
    routes["/.well-known/openid-configuration"] = json.dumps(
        {"issuer": base, "jwks_uri": f"{base}/jwks.json"}
    ).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, routes, keys
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_lists_the_keys(invoke: Invoke, jwks_server: tuple[str, Routes, list[Key]]) -> None:
    base, _, keys = jwks_server
    result = invoke("jwks", "fetch", f"{base}/jwks.json")
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[1].split() == ["kid", "kty", "crv/size", "alg", "use", "thumbprint", "(SHA-256)"]
    assert lines[2].split() == ["ec-1", "EC", "P-256", "ES256", "sig", keys[0].thumbprint()]
    assert lines[3].split() == ["rsa-1", "RSA", "2048", "bits", "-", "-", keys[1].thumbprint()]
    out = json.loads(invoke("jwks", "fetch", f"{base}/jwks.json", "--json").stdout)
    assert [k["kid"] for k in out["keys"]] == ["ec-1", "rsa-1"]
    assert KeySet.import_key_set(out["jwks"]).get("ec-1") == keys[0].public()


def test_fetch_by_issuer(invoke: Invoke, jwks_server: tuple[str, Routes, list[Key]]) -> None:
    base, _, _ = jwks_server
    out = json.loads(invoke("jwks", "fetch", "--issuer", base, "--json").stdout)
    assert out["source"] == f"{base}/jwks.json"
    assert len(out["keys"]) == 2


def test_fetch_errors(invoke: Invoke, jwks_server: tuple[str, Routes, list[Key]]) -> None:
    base, routes, _ = jwks_server
    missing = invoke("jwks", "fetch", f"{base}/nope")
    assert missing.exit_code == 3  # a fetch error, not a usage error
    assert (
        missing.stderr
        == f"josekit: error: cannot fetch the JWK Set: {base}/nope answered HTTP 404\n"
    )
    routes["/bad"] = b'{"keys": [{"kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0"}]}'
    secret = invoke("jwks", "fetch", f"{base}/bad")
    assert secret.exit_code == 3
    assert "c2VjcmV0" not in secret.stderr
    insecure = invoke("jwks", "fetch", "http://example.com/jwks.json")
    assert insecure.exit_code == 2
    assert "plain HTTP" in insecure.stderr
    assert "--allow-http" in insecure.stderr
    assert "allow_http" not in insecure.stderr  # no Python argument names
    issuer = invoke("jwks", "fetch", "--issuer", "http://example.com")
    assert issuer.exit_code == 2
    assert "--allow-http" in issuer.stderr
    assert invoke("jwks", "fetch").exit_code == 2
    assert invoke("jwks", "fetch", f"{base}/jwks.json", "--issuer", base).exit_code == 2


def test_fetch_from_an_unreachable_server_says_what_to_check(invoke: Invoke) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/jwks.json"
    down = invoke("jwks", "fetch", url)
    assert down.exit_code == 3
    assert down.stderr == (
        f"josekit: error: cannot fetch the JWK Set: fetching {url} failed (no connection to "
        "the server: check the URL and that the server is up, ConnectError)\n"
    )


def test_verify_with_a_remote_jwks(
    invoke: Invoke, jwks_server: tuple[str, Routes, list[Key]]
) -> None:
    base, _, keys = jwks_server
    token = jws.sign(b"remote", keys[0], "ES256")
    result = invoke("jws", "verify", token, "--jwks", f"{base}/jwks.json", "--alg", "ES256")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "remote"
    stranger = jws.sign(b"x", jwk.generate("EC", kid="nobody"), "ES256")
    unknown = invoke("jws", "verify", stranger, "--jwks", f"{base}/jwks.json", "--alg", "ES256")
    assert unknown.exit_code == 1
    down = invoke("jws", "verify", token, "--jwks", f"{base}/missing.json", "--alg", "ES256")
    assert down.exit_code == 3  # a fetch failure says nothing about the token
    assert "HTTP 404" in down.stderr
    jwt_down = invoke(
        "jwt",
        "decode",
        jwt.encode({"sub": "a"}, keys[0], "ES256"),
        "--jwks",
        f"{base}/missing.json",
        "--alg",
        "ES256",
    )
    assert jwt_down.exit_code == 3, jwt_down.stderr
    plain = invoke("jws", "verify", token, "--jwks", "http://example.com/j", "--alg", "ES256")
    assert plain.exit_code == 2
    assert "--allow-http" in plain.stderr


def test_allow_http_lets_plain_http_through(invoke: Invoke) -> None:
    # 192.0.2.1 (TEST-NET-1) never answers: with --allow-http the fetch is tried and times out.
    url = "http://192.0.2.1/jwks.json"
    assert invoke("jwks", "fetch", url, "--timeout", "1").exit_code == 2
    tried = invoke("jwks", "fetch", url, "--timeout", "1", "--allow-http")
    assert tried.exit_code == 3, tried.stderr
    assert "plain HTTP" not in tried.stderr


def test_fetch_writes_the_set_to_a_file(
    invoke: Invoke, jwks_server: tuple[str, Routes, list[Key]], tmp_path: Path
) -> None:
    base, _, keys = jwks_server
    out = tmp_path / "jwks.json"
    out.write_text("old", encoding="utf-8")
    result = invoke("jwks", "fetch", f"{base}/jwks.json", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"wrote 2 key(s) from {base}/jwks.json to {out}" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    fetched = KeySet.import_key_set(out.read_text(encoding="utf-8"))
    assert [k.kid for k in fetched] == [k.kid for k in keys]
    assert all(not k.is_private for k in fetched)
    assert [p.name for p in tmp_path.iterdir()] == ["jwks.json"]  # no temporary file left


def test_urls_in_token_headers_are_never_fetched(
    invoke: Invoke, jwks_server: tuple[str, Routes, list[Key]], tmp_path: Path
) -> None:
    base, routes, keys = jwks_server
    attacker = jwk.generate("EC", kid="ec-1")
    header = {"jku": f"{base}/jwks.json", "x5u": f"{base}/cert.pem"}
    token = jws.sign(b"forged", attacker, "ES256", header=header)
    trusted = write_json(tmp_path / "trusted.jwk", keys[0].public().to_dict())
    result = invoke("jws", "verify", token, "--key", trusted, "--alg", "ES256")
    assert result.exit_code == 1
    report = json.loads(invoke("inspect", token, "--json").stdout)
    assert any("'jku'" in w for w in report["warnings"])
    assert routes.requests == []


def test_rotate_schedule(invoke: Invoke, tmp_path: Path) -> None:
    store = str(tmp_path / "keys")
    policy = ["--store", store, "--alg", "ES256", "--rotate-every", "7d", "--publish-ahead", "2h",
              "--retire-after", "1d"]  # fmt: skip
    t0 = 1_800_000_000

    def rotate(at: int) -> dict[str, Any]:
        result = invoke("jwks", "rotate", *policy, "--json", "--now", str(at))
        assert result.exit_code == 0, result.stderr
        out: dict[str, Any] = json.loads(result.stdout)
        return out

    first = rotate(t0)
    assert first["created"] == first["activated"] == first["current"]
    assert [k["status"] for k in first["keys"]] == ["current"]
    assert stat_mode(Path(store)) == 0o700
    assert rotate(t0 + 3600)["changed"] is False
    ahead = rotate(t0 + 7 * DAY - 2 * 3600)
    assert ahead["created"] is not None
    assert sorted(k["status"] for k in ahead["keys"]) == ["current", "next"]
    switched = rotate(t0 + 7 * DAY)
    assert switched["activated"] == ahead["created"]
    assert switched["retired"] == first["current"]
    removed = rotate(t0 + 8 * DAY)
    assert removed["removed"] == [first["current"]]
    human = invoke("jwks", "rotate", *policy, "--now", str(t0 + 8 * DAY))
    assert human.stdout.startswith("nothing to do: the schedule is up to date")
    assert ahead["created"] in human.stdout


def stat_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


def test_rotate_errors(invoke: Invoke, tmp_path: Path) -> None:
    store = str(tmp_path / "keys")
    bad_alg = invoke("jwks", "rotate", "--store", store, "--alg", "HS256")
    assert bad_alg.exit_code == 2
    assert "cannot rotate alg 'HS256'" in bad_alg.stderr
    bad_span = invoke("jwks", "rotate", "--store", store, "--rotate-every", "1h")
    assert bad_span.exit_code == 2
    assert "publish_ahead" in bad_span.stderr
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    public_dir = invoke("jwks", "rotate", "--store", str(shared))
    assert public_dir.exit_code == 2
    assert "chmod 700" in public_dir.stderr


def test_serve_builds_the_app(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = str(tmp_path / "keys")
    missing = invoke("jwks", "serve", "--store", store)
    assert missing.exit_code == 2
    assert "jwks rotate --store" in missing.stderr
    rotated = json.loads(invoke("jwks", "rotate", "--store", store, "--json").stdout)
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    result = invoke(
        "jwks", "serve", "--store", store, "--port", "9999", "--issuer", "https://issuer.example"
    )
    assert result.exit_code == 0, result.stderr
    assert "serving 1 public key(s) at http://127.0.0.1:9999/.well-known/jwks.json" in result.stderr
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 9999)
    with warnings.catch_warnings():  # Starlette's notice about its httpx-based test client
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    client = TestClient(calls[0]["app"])
    served = client.get("/.well-known/jwks.json").json()
    assert [k["kid"] for k in served["keys"]] == [rotated["current"]]
    assert "d" not in served["keys"][0]
    discovery = client.get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "https://issuer.example"
    as_json = invoke("jwks", "serve", "--store", store, "--port", "9998", "--json")
    assert json.loads(as_json.stdout) == {
        "serving": "http://127.0.0.1:9998/.well-known/jwks.json",
        "keys": 1,
        "issuer": None,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_in_a_process_then_fetch_and_verify(invoke: Invoke, tmp_path: Path) -> None:
    store = str(tmp_path / "keys")
    assert invoke("jwks", "rotate", "--store", store).exit_code == 0
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "JOSEKIT_NOW"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "josekit.cli",
            "jwks",
            "serve",
            "--store",
            store,
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.get(url, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/jwk-set+json")
        fetched = json.loads(invoke("jwks", "fetch", url, "--json").stdout)
        assert len(fetched["keys"]) == 1
        from datetime import timedelta

        from josekit.jwks import KeyStore, RotationPolicy

        signing = KeyStore(
            store, RotationPolicy("ES256", timedelta(days=7), timedelta(hours=2), timedelta(days=1))
        ).signing_key()
        key_file = write_json(tmp_path / "signing.jwk", signing.to_dict(True))
        token = invoke("jwt", "encode", "--key", key_file, "--sub", "s", "--exp-in", "5m")
        decoded = invoke(
            "jwt", "decode", token.stdout.strip(), "--jwks", url, "--alg", "ES256", "--json"
        )
        assert decoded.exit_code == 0, decoded.stderr
        assert json.loads(decoded.stdout)["claims"]["sub"] == "s"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_missing_extras_are_named(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = jws.sign(b"x", jwk.generate("EC"), "ES256")
    monkeypatch.setitem(sys.modules, "httpx", None)  # type: ignore[arg-type]
    verify = invoke(
        "jws", "verify", token, "--jwks", "https://issuer.example/jwks", "--alg", "ES256"
    )
    assert verify.exit_code == 2
    assert "pip install 'josekit[remote]'" in verify.stderr
    fetch = invoke("jwks", "fetch", "https://issuer.example/jwks")
    assert fetch.exit_code == 2
    assert "pip install 'josekit[remote]'" in fetch.stderr
    store = str(tmp_path / "keys")
    assert invoke("jwks", "rotate", "--store", store).exit_code == 0
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # type: ignore[arg-type]
    serve = invoke("jwks", "serve", "--store", store)
    assert serve.exit_code == 2
    assert "pip install 'josekit[server]'" in serve.stderr
