"""Inputs that once escaped as tracebacks, and the group's last line of defence."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from cli_helpers import Invoke, command_paths
from click.testing import CliRunner

from josekit import jwk
from josekit._b64 import b64d
from josekit.cli._app import JosekitGroup, _add_exit_status
from josekit.cli._failures import EXIT_CODES


def _one_line_error(result: click.testing.Result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("josekit: error: ")
    assert len(result.stderr.splitlines()) == 1
    return result.stderr


def test_unencoded_with_a_crit_that_is_not_a_list(invoke: Invoke, ec_keys: tuple[str, str]) -> None:
    private, _ = ec_keys
    for crit in ("5", '"b64"', "[5]", "{}"):
        result = invoke(
            "jws", "sign", "--unencoded", "--header", f'{{"crit":{crit}}}',
            "--key", private, "--alg", "ES256", "hi",
        )  # fmt: skip
        assert "'crit' must be an array of header parameter names" in _one_line_error(result)
    good = invoke(
        "jws", "sign", "--unencoded", "--header", '{"crit":["b64"]}',
        "--key", private, "--alg", "ES256", "hi",
    )  # fmt: skip
    assert good.exit_code == 0
    header = json.loads(b64d(good.stdout.split(".", 1)[0]))
    assert header["crit"] == ["b64"]
    assert header["b64"] is False


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deep_claim_values_are_refused(
    invoke: Invoke, ec_keys: tuple[str, str], depth: int
) -> None:
    private, _ = ec_keys
    value = "[" * depth + "]" * depth
    result = invoke("jwt", "encode", "--key", private, "--alg", "ES256", "--claim", f"x={value}")
    assert "--claim x nests deeper than 32 levels" in _one_line_error(result)


def test_claim_values_use_the_strict_parser(invoke: Invoke, ec_keys: tuple[str, str]) -> None:
    private, _ = ec_keys
    duplicate = invoke(
        "jwt", "encode", "--key", private, "--alg", "ES256", "--claim", 'x={"a":1,"a":2}'
    )
    assert "duplicate" in _one_line_error(duplicate)
    broken = invoke("jwt", "encode", "--key", private, "--alg", "ES256", "--claim", "x=[1")
    assert "--claim x is not valid JSON" in _one_line_error(broken)
    fine = invoke(
        "jwt", "encode", "--key", private, "--alg", "ES256", "--no-iat", "--json",
        "--claim", "s=hello", "--claim", 'n=[1,{"a":true}]', "--claim", "z=3",
        "--claim", 'q="[not json]"',
    )  # fmt: skip
    assert fine.exit_code == 0, fine.stderr
    claims = json.loads(fine.stdout)["claims"]
    assert claims == {"s": "hello", "n": [1, {"a": True}], "z": 3, "q": "[not json]"}


def test_key_convert_of_a_hybrid_hpke_key_to_pem(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "hpke.jwk"
    path.write_text(json.dumps(jwk.generate("AKP", alg="HPKE-10").to_dict(private=True)))
    result = invoke("key", "convert", str(path), "--to", "pem")
    assert "has no PEM form" in _one_line_error(result)
    assert "unexpected" not in result.stderr
    public = invoke("key", "convert", str(path), "--to", "pem", "--public")
    assert "has no PEM form" in _one_line_error(public)


def _broken_group(error: BaseException) -> click.Group:
    @click.group(cls=JosekitGroup)
    def group() -> None:
        """A group."""

    @group.command("boom")
    def boom() -> None:
        """Fail."""
        raise error

    return group


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (RuntimeError("something odd\nsecond line"), "unexpected RuntimeError: something odd"),
        (AttributeError("'X' object has no attribute 'y'"), "unexpected AttributeError"),
        (TypeError(), "unexpected TypeError (this is a bug in josekit"),
        (RecursionError(), "the input is nested too deeply"),
    ],
)
def test_any_other_exception_is_a_one_line_exit_2(error: BaseException, text: str) -> None:
    result = CliRunner().invoke(_broken_group(error), ["boom"])
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert text in _one_line_error(result)


def test_every_help_lists_the_exit_codes(invoke: Invoke) -> None:
    from josekit.cli import cli

    commands = command_paths(cli)
    assert len(commands) > 12
    for path in commands:
        text = invoke(*path, "--help").stdout
        assert "Exit status:" in text, path
        for code, meaning in EXIT_CODES:
            assert (f"{code}  " if code >= 0 else "") + meaning in text, (path, meaning)


def test_exit_status_help_is_added_once_to_commands_without_an_epilog() -> None:
    command = click.Command("bare")
    _add_exit_status(command)
    _add_exit_status(command)
    assert command.epilog is not None
    assert command.epilog.count("Exit status:") == 1


def test_the_cli_guide_has_the_exit_status_table() -> None:
    guide = Path(__file__).parents[2] / "docs" / "guide" / "cli.md"
    rows = [line for line in guide.read_text(encoding="utf-8").splitlines() if "| `" in line]
    codes = [row.split("`")[1] for row in rows]
    assert codes == [str(code) for code, _ in EXIT_CODES if code >= 0]


def test_a_positional_file_name_is_text_with_a_note(
    invoke: Invoke, ec_keys: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private, _ = ec_keys
    monkeypatch.chdir(tmp_path)
    (tmp_path / "payload.txt").write_text("the file's content")
    result = invoke("jws", "sign", "--key", private, "--alg", "ES256", "payload.txt")
    assert result.exit_code == 0
    assert result.stderr == (
        "josekit: note: PAYLOAD is the text 'payload.txt'; to read the file, write @payload.txt\n"
    )
    assert b64d(result.stdout.split(".")[1]) == b"payload.txt"
    from_file = invoke("jws", "sign", "--key", private, "--alg", "ES256", "@payload.txt")
    assert from_file.stderr == ""
    assert b64d(from_file.stdout.split(".")[1]) == b"the file's content"
    plain = invoke("jws", "sign", "--key", private, "--alg", "ES256", "no-such-file.txt")
    assert plain.stderr == ""
    encrypted = invoke("jwe", "encrypt", "--key", private, "--alg", "ECDH-ES", "--enc",
                       "A128GCM", "payload.txt")  # fmt: skip
    assert "PLAINTEXT is the text 'payload.txt'" in encrypted.stderr


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["jwe", "decrypt"], "--alg ECDH-ES+A256KW or --alg RSA-OAEP-256"),
        (
            ["jwt", "decode", "--decrypt-key"],
            "--decrypt-alg ECDH-ES+A256KW or --decrypt-alg RSA-OAEP-256",
        ),
        (["jws", "verify"], "--alg ES256 or --alg RS256"),
    ],
)
def test_missing_alg_hints_suggest_sound_algorithms(
    invoke: Invoke, ec_keys: tuple[str, str], args: list[str], hint: str
) -> None:
    private, _ = ec_keys
    option = args.pop() if args[-1].startswith("--") else "--key"
    result = invoke(*args, "a.b.c.d.e", option, private)
    assert hint in _one_line_error(result)
    assert "RSA1_5" not in result.stderr
    assert "PBES2" not in result.stderr
