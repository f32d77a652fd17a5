"""The tool as a user runs it: a real process, real pipes, real exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 60


def josekit(
    *args: str, input: bytes | None = None, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m josekit.cli ARGS`` in ``cwd``."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("JOSEKIT_NOW", None)
    return subprocess.run(
        [sys.executable, "-m", "josekit.cli", *args],
        input=input,
        capture_output=True,
        cwd=cwd,
        env=full_env,
        timeout=TIMEOUT,
        check=False,
    )


def test_generate_sign_verify_in_processes(tmp_path: Path) -> None:
    gen = josekit(
        "key", "generate", "--alg", "ES256", "--kid", "p1", "-o", "k.jwk", "--public-out", "k.pub",
        cwd=tmp_path,
    )  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    signed = josekit("jws", "sign", "--key", "k.jwk", "-", input=b"from a pipe", cwd=tmp_path)
    assert signed.returncode == 0, signed.stderr
    token = signed.stdout.strip()
    verified = josekit(
        "jws", "verify", "-", "--key", "k.pub", "--alg", "ES256", input=token, cwd=tmp_path
    )
    assert verified.returncode == 0
    assert verified.stdout == b"from a pipe"
    tampered = token[:-4] + (b"AAAA" if not token.endswith(b"AAAA") else b"BBBB")
    rejected = josekit(
        "jws", "verify", "-", "--key", "k.pub", "--alg", "ES256", input=tampered, cwd=tmp_path
    )
    assert rejected.returncode == 1
    assert rejected.stdout == b""
    assert rejected.stderr.startswith(b"josekit: rejected: ")
    assert b"Traceback" not in rejected.stderr


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    result = josekit("inspect", "definitely not a token", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == b""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(b"josekit: error: cannot read the token")


# cryptography >= 51 warns when it loads a DSA key; the command's error says it all.
@pytest.mark.filterwarnings("ignore:DSA is deprecated")
def test_dsa_key_is_one_line_without_warnings(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa

    pem = dsa.generate_private_key(2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "dsa.pem").write_bytes(pem)
    result = josekit("key", "convert", "dsa.pem", "--to", "jwk", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(b"josekit: error: cannot load the key from dsa.pem")
    assert b"DSAPrivateKey" in lines[0]


def test_importing_josekit_does_not_import_the_cli(tmp_path: Path) -> None:
    code = "import sys, josekit; print('josekit.cli' in sys.modules, 'click' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=TIMEOUT, check=True, cwd=tmp_path
    )
    assert out.stdout.split() == [b"False", b"False"]


def test_console_script(tmp_path: Path) -> None:
    script = shutil.which("josekit", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the josekit console script is not installed in this environment")
    result = subprocess.run(
        [script, "key", "thumbprint", "-"],
        input=b'{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}',
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    # RFC 8037 Appendix A.3 thumbprint of this key.
    assert result.stdout.strip() == b"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def _run_in_terminal(args: list[str], env: dict[str, str], cwd: Path) -> bytes:
    """Run ``python -m josekit.cli ARGS`` with stdout on a pseudo-terminal; return its output."""
    import pty

    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "josekit.cli", *args],
            stdout=slave,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=TIMEOUT)
    finally:
        os.close(master)
    return b"".join(chunks)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_colour_only_on_a_terminal(tmp_path: Path) -> None:
    token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0."
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "JOSEKIT_NOW")}
    on_terminal = _run_in_terminal(["inspect", token], env, tmp_path)
    assert b"\x1b[" in on_terminal
    assert b"NOT VERIFIED" in on_terminal
    piped = josekit("inspect", token, cwd=tmp_path)
    assert b"\x1b[" not in piped.stdout
    assert b"NOT VERIFIED" in piped.stdout
    no_color = _run_in_terminal(["inspect", token], {**env, "NO_COLOR": "1"}, tmp_path)
    assert b"\x1b[" not in no_color
    assert b"NOT VERIFIED" in no_color
