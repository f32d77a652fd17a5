"""``--secret env:NAME|@FILE|-`` and ``--allow-short-secret`` wherever HS* or JWE secrets go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import Invoke

from josekit import Key, jwe, jws, jwt

SECRET = "0123456789abcdef0123456789abcdef"  # 32 bytes: enough for HS256
ENV = {"JWT_SECRET": SECRET, "SHORT": "s3cr3t", "LONG": SECRET * 2}
KEY = Key.from_secret(SECRET)
TOKEN = jwt.encode({"sub": "alice"}, KEY, "HS256")


def test_sign_and_verify_with_a_secret_from_the_environment(invoke: Invoke) -> None:
    made = invoke("jwt", "encode", "--secret", "env:JWT_SECRET", "--alg", "HS256",
                  "--sub", "alice", "--no-iat", env=ENV)  # fmt: skip
    assert made.exit_code == 0, made.stderr
    token = made.stdout.strip()
    assert jwt.decode(token, KEY, algorithms=["HS256"]).claims == {"sub": "alice"}
    decoded = invoke("jwt", "decode", token, "--secret", "env:JWT_SECRET", "--alg", "HS256",
                     env=ENV)  # fmt: skip
    assert decoded.exit_code == 0, decoded.stderr
    assert json.loads(decoded.stdout) == {"sub": "alice"}
    assert "the shared secret" in decoded.stderr
    assert "thumbprint" not in decoded.stderr  # a secret's thumbprint is a guessing oracle
    signed = invoke("jws", "sign", "--secret", "env:JWT_SECRET", "--alg", "HS256", "hi", env=ENV)
    assert jws.verify(signed.stdout.strip(), KEY, algorithms=["HS256"]).payload == b"hi"
    verified = invoke("jws", "verify", TOKEN, "--secret", "env:JWT_SECRET", "--alg", "HS256",
                      env=ENV)  # fmt: skip
    assert verified.exit_code == 0


def test_secret_from_a_file_or_stdin_drops_one_final_newline(
    invoke: Invoke, tmp_path: Path
) -> None:
    for content in (SECRET + "\n", SECRET + "\r\n", SECRET):
        path = tmp_path / "secret.txt"
        path.write_bytes(content.encode())
        result = invoke("jwt", "decode", TOKEN, "--secret", f"@{path}", "--alg", "HS256")
        assert result.exit_code == 0, (content, result.stderr)
    piped = invoke("jwt", "decode", TOKEN, "--secret", "-", "--alg", "HS256", input=SECRET + "\n")
    assert piped.exit_code == 0, piped.stderr
    wrong = invoke("jwt", "decode", TOKEN, "--secret", "-", "--alg", "HS256", input=SECRET[::-1])
    assert wrong.exit_code == 1


@pytest.mark.parametrize("value", [SECRET, "hunter2", "@", "env"])
def test_a_secret_on_the_command_line_is_refused(invoke: Invoke, value: str) -> None:
    result = invoke("jwt", "decode", TOKEN, "--secret", value, "--alg", "HS256")
    assert result.exit_code == 2
    assert "shell history" in result.stderr
    assert "env:NAME" in result.stderr
    if len(value) > 3:
        assert value not in result.stderr


def test_short_secrets_need_the_opt_in_and_warn(invoke: Invoke) -> None:
    args = ("jwt", "encode", "--secret", "env:SHORT", "--alg", "HS256", "--sub", "a")
    refused = invoke(*args, env=ENV)
    assert refused.exit_code == 2
    assert "6 bytes, shorter than the 32 bytes HS256 needs" in refused.stderr
    assert "--allow-short-secret" in refused.stderr
    assert "allow_short" not in refused.stderr
    assert "s3cr3t" not in refused.stderr  # never the secret
    accepted = invoke(*args, "--allow-short-secret", env=ENV)
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stderr.startswith("josekit: warning: accepted a 6-byte secret for HS256")
    token = accepted.stdout.strip()
    checked = invoke("jwt", "decode", token, "--secret", "env:SHORT", "--alg", "HS256",
                     "--allow-short-secret", env=ENV)  # fmt: skip
    assert checked.exit_code == 0, checked.stderr
    assert "warning" in checked.stderr


def test_the_length_follows_the_one_accepted_algorithm(invoke: Invoke) -> None:
    hs512 = invoke("jwt", "decode", TOKEN, "--secret", "env:JWT_SECRET", "--alg", "HS512",
                   env=ENV)  # fmt: skip
    assert hs512.exit_code == 2
    assert "64 bytes HS512 needs" in hs512.stderr
    long_enough = jwt.encode({"a": 1}, Key.from_secret(SECRET * 2), "HS512")
    ok = invoke("jwt", "decode", long_enough, "--secret", "env:LONG", "--alg", "HS512", env=ENV)
    assert ok.exit_code == 0, ok.stderr


def test_jwe_dir_and_key_wrapping_with_a_secret(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "kek"
    path.write_bytes(b"0123456789abcdef")  # 128 bits
    wrapped = invoke("jwe", "encrypt", "--secret", f"@{path}", "--alg", "A128KW",
                     "--enc", "A128GCM", "hello")  # fmt: skip
    assert wrapped.exit_code == 0, wrapped.stderr
    kek = Key.from_secret(b"0123456789abcdef", alg="A128KW")
    assert jwe.decrypt(wrapped.stdout.strip(), kek, algorithms=["A128KW"]).plaintext == b"hello"
    opened = invoke("jwe", "decrypt", wrapped.stdout.strip(), "--secret", f"@{path}",
                    "--alg", "A128KW")  # fmt: skip
    assert (opened.exit_code, opened.stdout) == (0, "hello")
    direct = invoke("jwe", "encrypt", "--secret", f"@{path}", "--alg", "dir", "--enc", "A128GCM",
                    "hi")  # fmt: skip
    cek = Key.from_secret(b"0123456789abcdef", alg="dir")
    assert jwe.decrypt(direct.stdout.strip(), cek, algorithms=["dir"]).plaintext == b"hi"
    short = invoke("jwe", "encrypt", "--secret", f"@{path}", "--alg", "A128KW", "--enc",
                   "A128GCM", "--allow-short-secret", "x")  # fmt: skip
    assert short.exit_code == 2
    assert "HMAC secrets" in short.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("jws", "verify", TOKEN, "--alg", "HS256", "--key", "K"),
        ("jwt", "decode", TOKEN, "--alg", "HS256", "--jwks", "K"),
    ],
)
def test_secret_and_a_key_are_exclusive(
    invoke: Invoke, ec_keys: tuple[str, str], args: tuple[str, ...]
) -> None:
    _, public = ec_keys
    argv = [public if a == "K" else a for a in args]
    result = invoke(*argv, "--secret", "env:JWT_SECRET", env=ENV)
    assert result.exit_code == 2
    assert "exactly one of --key, --jwks or --secret" in result.stderr


def test_sign_with_a_secret_needs_alg(invoke: Invoke) -> None:
    result = invoke("jws", "sign", "--secret", "env:JWT_SECRET", "x", env=ENV)
    assert result.exit_code == 2
    assert "--secret needs --alg" in result.stderr


def test_the_missing_alg_hint_with_a_secret_is_hmac(invoke: Invoke) -> None:
    result = invoke("jwt", "decode", TOKEN, "--secret", "env:JWT_SECRET", env=ENV)
    assert result.exit_code == 2
    assert result.stderr.rstrip().endswith("e.g. --alg HS256")
