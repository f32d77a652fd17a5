"""The ``josekit`` group: help with examples, exit codes, one-line errors, --json errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from cli_helpers import Invoke, command_paths, load_vector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import josekit
from josekit.cli import cli, main

RFC7519 = load_vector("rfc7519_examples.json")


@pytest.mark.parametrize("path", command_paths(cli), ids=lambda p: " ".join(p) or "josekit")
def test_every_help_has_an_example(invoke: Invoke, path: tuple[str, ...]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "josekit " in result.stdout.split("Examples:", 1)[1]


def test_version(invoke: Invoke) -> None:
    assert invoke("--version").stdout.strip() == f"josekit, version {josekit.__version__}"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no-such-command"], "No such command 'no-such-command'. (see 'cli --help')"),
        (["--color", "bad"], "'bad' is not one of 'auto', 'always', 'never'. (see 'cli --help')"),
        (["key", "generate", "--kty", "DSA"], "(see 'cli key generate --help')"),
        (["jws", "verify"], "Missing argument 'TOKEN'. (see 'cli jws verify --help')"),
        (["jws", "sign", "x"], "give --key (a private key) or --secret (a shared secret for HS*)"),
    ],
)
def test_usage_errors_are_one_line(invoke: Invoke, args: list[str], expected: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("josekit: error: ")
    assert result.stderr.rstrip("\n").endswith(expected)
    assert len(result.stderr.splitlines()) == 1


def test_a_bare_group_shows_its_help(invoke: Invoke) -> None:
    result = invoke("key")
    assert result.exit_code == 2
    assert "Commands:" in result.stderr


def test_json_mode_reports_errors_as_json(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("inspect", "a.b", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["exit_code"] == 2
    assert error["type"] == "MalformedError"
    assert "has 2" in error["message"]
    assert result.stderr.startswith("josekit: error: ")
    # --json is also accepted before the command.
    as_global = invoke("--json", "inspect", "a.b")
    assert json.loads(as_global.stdout)["error"]["exit_code"] == 2


def test_file_errors_are_one_line(invoke: Invoke, tmp_path: Path) -> None:
    directory = invoke("key", "thumbprint", str(tmp_path))
    assert directory.exit_code == 2
    assert directory.stderr == f"josekit: error: KEY: {tmp_path} is a directory, not a file\n"
    missing = invoke("inspect", f"@{tmp_path / 'none.txt'}")
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr
    assert len(missing.stderr.splitlines()) == 1


def test_stdin_cannot_be_read_twice(invoke: Invoke) -> None:
    result = invoke("jws", "verify", "-", "--key", "-", "--alg", "ES256", input="x")
    assert result.exit_code == 2
    assert "cannot both be read from stdin" in result.stderr


def test_oversized_token_is_refused(invoke: Invoke) -> None:
    result = invoke("inspect", "-", input="a" * 1_000_001)
    assert result.exit_code == 2
    assert "larger than the limit" in result.stderr


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.text(min_size=1, max_size=200),
        st.lists(st.text(alphabet='eyJhbGciOiAB-_.{}"', max_size=30), min_size=1, max_size=6).map(
            ".".join
        ),
    )
)
def test_no_input_gives_a_traceback(invoke: Invoke, token: str) -> None:
    if not token.strip() or token.startswith("@") or token == "-":
        return
    for args in (
        ("inspect", "--", token),
        ("jws", "verify", "--key", "env:K", "--alg", "HS256", "--", token),
    ):
        result = invoke(*args, env={"K": '{"kty":"oct","k":"' + "A" * 43 + '"}'})
        assert result.exit_code in (0, 1, 2)
        if result.exit_code:
            assert len(result.stderr.strip().splitlines()) == 1
            assert result.stderr.startswith("josekit: ")


def test_main_without_the_cli_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(sys.modules):
        if name.startswith("josekit.cli.") or name == "click" or name.startswith("click."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "click", None)  # type: ignore[arg-type]
    with pytest.raises(SystemExit) as excinfo:
        main(["--help"])
    assert excinfo.value.code == 2
    assert "pip install 'josekit[cli]'" in capsys.readouterr().err


def test_main_runs_the_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        main(["inspect", RFC7519["tokens"]["6.1"], "--json"])
    assert excinfo.value.code == 0
    assert json.loads(capsys.readouterr().out)["header"] == {"alg": "none"}


def test_no_cli_module_is_over_450_lines() -> None:
    package = Path(josekit.__file__).parent / "cli"
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in package.glob("*.py")}
    assert len(sizes) > 5
    assert {name: n for name, n in sizes.items() if n > 450} == {}
