"""``josekit jwks rotate|status|serve --store ...`` and ``jwt encode --store``."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helpers import Invoke, write_json

from josekit import jwk, jwt
from josekit.cli._access_log import AccessLog
from josekit.jwks import KeyStore, create_app

T0 = 1_800_000_000
DAY = 86400
POLICY = ["--alg", "ES256", "--rotate-every", "7d", "--publish-ahead", "2h", "--retire-after", "1d"]


def _utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _json(result: Any) -> dict[str, Any]:
    assert result.exit_code == 0, result.output + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_rotate_says_what_it_did_and_when_the_next_step_is_due(
    invoke: Invoke, tmp_path: Path
) -> None:
    store = str(tmp_path / "keys")
    first = invoke("jwks", "rotate", "--store", store, *POLICY, "--now", str(T0))
    assert first.exit_code == 0, first.stderr
    assert "created " in first.stdout
    assert "activated " in first.stdout
    assert f"next step due: {_utc(T0 + 7 * DAY - 7200)} (in 6 days)" in first.stdout
    assert "publish the next key" in first.stdout
    # the policy was saved: later runs need no policy options
    again = _json(invoke("jwks", "rotate", "--store", store, "--json", "--now", str(T0 + DAY)))
    assert again["changed"] is False
    assert again["next_due"] == _utc(T0 + 7 * DAY - 7200)


def test_status_lists_states_times_and_next_steps(invoke: Invoke, tmp_path: Path) -> None:
    store = str(tmp_path / "keys")
    invoke("jwks", "rotate", "--store", store, *POLICY, "--now", str(T0))
    invoke("jwks", "rotate", "--store", store, "--now", str(T0 + 7 * DAY - 3600))
    text = invoke("jwks", "status", "--store", store, "--now", str(T0 + 7 * DAY - 3600))
    assert text.exit_code == 0, text.stderr
    assert "policy: ES256, rotate every 7d, publish ahead 2h, retire after 1d" in text.stdout
    assert "not encrypted" in text.stdout
    for word in ("current", "next", "retire", "activate", "(in 2 h)"):
        assert word in text.stdout
    data = _json(invoke("jwks", "status", "--store", store, "--json"))
    assert [k["status"] for k in data["keys"]] == ["current", "next"]
    assert [k["next_step"] for k in data["keys"]] == ["retire", "activate"]
    assert data["keys"][0]["due"] == data["keys"][1]["due"] == _utc(T0 + 7 * DAY + 3600)
    assert data["policy"]["alg"] == "ES256"


def test_status_of_a_missing_store_fails(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("jwks", "status", "--store", str(tmp_path / "none"))
    assert result.exit_code != 0
    assert "no key store at" in result.stderr
    assert not (tmp_path / "none").exists()


def test_a_different_policy_needs_change_policy(invoke: Invoke, tmp_path: Path) -> None:
    store = str(tmp_path / "keys")
    invoke("jwks", "rotate", "--store", store, *POLICY, "--now", str(T0))
    refused = invoke("jwks", "rotate", "--store", store, "--rotate-every", "14d", "--now", str(T0))
    assert refused.exit_code != 0
    assert "rotate every 7d" in refused.stderr
    assert "rotate every 14d" in refused.stderr
    assert "--change-policy" in refused.stderr
    changed = _json(
        invoke(
            "jwks",
            "rotate",
            "--store",
            store,
            "--rotate-every",
            "14d",
            "--change-policy",
            "--json",
            "--now",
            str(T0),
        )
    )
    assert changed["next_due"] == _utc(T0 + 14 * DAY - 7200)  # the new policy


def test_rotate_now_and_revoke(invoke: Invoke, tmp_path: Path) -> None:
    store = str(tmp_path / "keys")
    first = _json(invoke("jwks", "rotate", "--store", store, *POLICY, "--json", "--now", str(T0)))
    emergency = _json(
        invoke("jwks", "rotate", "--store", store, "--rotate-now", "--json", "--now", str(T0 + 60))
    )
    assert emergency["retired"] == first["current"]
    assert emergency["activated"] == emergency["current"] != first["current"]
    revoked = invoke("jwks", "rotate", "--store", store, "--revoke", first["current"])
    assert revoked.exit_code == 0, revoked.stderr
    assert f"revoked {first['current']}" in revoked.stdout
    status = _json(invoke("jwks", "status", "--store", store, "--json"))
    assert [k["kid"] for k in status["keys"]] == [emergency["current"]]
    unknown = invoke("jwks", "rotate", "--store", store, "--revoke", "nope")
    assert unknown.exit_code != 0
    assert "no key 'nope'" in unknown.stderr
    both = invoke("jwks", "rotate", "--store", store, "--revoke", "x", "--rotate-now")
    assert both.exit_code != 0


def test_an_encrypted_store_needs_its_kek(invoke: Invoke, tmp_path: Path) -> None:
    store = str(tmp_path / "keys")
    kek = jwk.generate("oct", size=256)
    env = {"ISSUER_KEK": json.dumps(kek.to_dict(private=True))}
    made = invoke("jwks", "rotate", "--store", store, *POLICY, "--kek", "env:ISSUER_KEK", env=env)
    assert made.exit_code == 0, made.stderr
    secret = (tmp_path / "keys" / "keys.json").read_text()
    assert '"sealed"' in secret
    status = invoke("jwks", "status", "--store", store, "--kek", "env:ISSUER_KEK", env=env)
    assert "sealed under the KEK" in status.stdout
    missing = invoke("jwks", "status", "--store", store)
    assert missing.exit_code != 0
    assert "the key store is encrypted" in missing.stderr
    wrong = write_json(tmp_path / "wrong.jwk", jwk.generate("oct", size=256).to_dict(private=True))
    refused = invoke("jwt", "encode", "--store", store, "--kek", wrong, "--sub", "a")
    assert refused.exit_code != 0
    assert "does not open" in refused.stderr
    assert kek.to_dict(private=True)["k"] not in refused.stderr + status.stdout


def test_jwt_encode_signs_with_the_current_key(invoke: Invoke, tmp_path: Path) -> None:
    store = str(tmp_path / "keys")
    invoke("jwks", "rotate", "--store", store, *POLICY)
    token = invoke("jwt", "encode", "--store", store, "--sub", "alice", "--exp-in", "5m")
    assert token.exit_code == 0, token.stderr
    keys = KeyStore(store)
    decoded = jwt.decode(token.stdout.strip(), keys.public_key_set(), algorithms=["ES256"])
    assert decoded.claims["sub"] == "alice"
    assert decoded.key is not None
    assert decoded.key.kid == keys.signing_key().kid
    both = invoke("jwt", "encode", "--store", store, "--key", store, "--sub", "a")
    assert both.exit_code != 0


def test_jwt_encode_with_a_postgresql_store(invoke: Invoke, postgres_dsn: str) -> None:
    from josekit.jwks import PostgresKeyStorage

    # the default table and name, as the CLI opens a DSN
    created = invoke("jwks", "rotate", "--store", postgres_dsn, *POLICY, "--rotate-now")
    assert created.exit_code == 0, created.stderr
    token = invoke("jwt", "encode", "--store", postgres_dsn, "--sub", "bob")
    assert token.exit_code == 0, token.stderr
    store = KeyStore(PostgresKeyStorage(postgres_dsn))
    status = _json(invoke("jwks", "status", "--store", postgres_dsn, "--json"))
    assert status["keys"][0]["kid"] == store.signing_key().kid
    decoded = jwt.decode(token.stdout.strip(), store.public_key_set(), algorithms=["ES256"])
    assert decoded.claims["sub"] == "bob"


def test_the_access_log_has_one_line_per_request(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    lines: list[str] = []
    app = AccessLog(create_app(store, rotate=False), lines.append)
    from josekit.jwks import MemoryKeyStorage, RotationPolicy

    del RotationPolicy, MemoryKeyStorage

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            first = await client.get("/.well-known/jwks.json")
            await client.get(
                "/.well-known/jwks.json", headers={"If-None-Match": first.headers["etag"]}
            )
            await client.get("/.well-known/jwks.json", headers={"If-None-Match": '"other"'})
            await client.get("/nothing")

    asyncio.run(run())
    assert lines == [
        "GET /.well-known/jwks.json 200 etag=-",
        "GET /.well-known/jwks.json 304 etag=hit",
        "GET /.well-known/jwks.json 200 etag=miss",
        "GET /nothing 404 etag=-",
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize("rotate", [True, False])
def test_serve_rotates_unless_told_not_to(tmp_path: Path, rotate: bool) -> None:
    store = tmp_path / "keys"
    store.mkdir(mode=0o700)
    port = _free_port()
    args = ["jwks", "serve", "--store", str(store), "--port", str(port), *POLICY]
    process = subprocess.Popen(
        [sys.executable, "-m", "josekit.cli", *args, *([] if rotate else ["--no-rotate"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "JOSEKIT_NOW"},
    )
    url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
    keys: list[Any] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                keys = httpx.get(url).json()["keys"]
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if keys or not rotate:
                break
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert len(keys) == (1 if rotate else 0), stderr
    assert "GET /.well-known/jwks.json 200 etag=-" in stderr
    assert ("rotated: created" in stderr) == rotate
    assert "Traceback" not in stderr
