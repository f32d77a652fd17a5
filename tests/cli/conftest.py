"""Fixtures for the command-line tests: a CliRunner and keys on disk."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from cli_helpers import Invoke, write_json
from click.testing import CliRunner, Result

from josekit import jwk
from josekit.cli import cli


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run ``josekit ARGS...``; stdout and stderr stay separate; no exception escapes."""
    monkeypatch.delenv("JOSEKIT_NOW", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    runner = CliRunner()

    def run(
        *args: str,
        input: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Result:
        result = runner.invoke(cli, list(args), input=input, env=dict(env or {}))
        # A traceback is never the answer: every failure is a one-line message.
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert "Traceback" not in result.output
        return result

    return run


@pytest.fixture
def ec_keys(tmp_path: Path) -> tuple[str, str]:
    """(private, public) P-256 JWK files with kid 'k1'."""
    key = jwk.generate("EC", crv="P-256", kid="k1")
    private = write_json(tmp_path / "k1.jwk", key.to_dict(private=True))
    public = write_json(tmp_path / "k1.pub.jwk", key.public().to_dict())
    return private, public
