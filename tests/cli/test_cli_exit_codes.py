"""Every subcommand through each class of failure: the exit status scripts can rely on.

0 done, 1 the token was checked and rejected, 2 the input or the invocation is wrong, 3 a
remote resource could not be fetched. Each failure is one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from cli_helpers import Invoke, command_paths

from josekit import Key, jwe, jwk, jws, jwt
from josekit.cli import cli

Args = Callable[["World"], list[str]]


class World:
    """Keys and tokens on disk, and a loopback URL where nothing listens."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        signer = jwk.generate("EC", crv="P-256", kid="k1")
        other = jwk.generate("EC", crv="P-256", kid="k1")  # same kid, another key
        self.key = self._write("k1.jwk", signer.to_dict(private=True))
        self.public = self._write("k1.pub.jwk", signer.public().to_dict())
        self.other_public = self._write("other.pub.jwk", other.public().to_dict())
        self.token = jws.sign(b'{"sub":"alice"}', signer, "ES256", header={"kid": "k1"})
        self.forged = jws.sign(b'{"sub":"alice"}', other, "ES256", header={"kid": "k1"})
        self.jwt = jwt.encode({"sub": "alice"}, signer, "ES256")
        self.expired = jwt.encode({"sub": "alice", "exp": 1_000_000}, signer, "ES256")
        self.jwe = jwe.encrypt(b"secret", signer.public(), "ECDH-ES+A256KW", "A256GCM")
        self.jwe_other = jwe.encrypt(b"secret", other.public(), "ECDH-ES+A256KW", "A256GCM")
        self.missing = str(folder / "no-such-file.jwk")
        self.secret = str(folder / "secret")
        Path(self.secret).write_text("0123456789abcdef0123456789abcdef")
        self.hs = jwt.encode({"sub": "a"}, Key.from_secret("another secret, 32 bytes long!!!"),
                             "HS256")  # fmt: skip
        with socket.socket() as sock:  # a port that was free a moment ago: nothing answers
            sock.bind(("127.0.0.1", 0))
            self.dead_url = f"http://127.0.0.1:{sock.getsockname()[1]}/jwks.json"
        self.store = str(folder / "store")

    def _write(self, name: str, obj: object) -> str:
        path = self.folder / name
        path.write_text(json.dumps(obj), encoding="utf-8")
        return str(path)


# command -> failure class -> the arguments that cause it (None: the class does not apply).
FAILURES: dict[str, dict[str, Args | None]] = {
    "key generate": {
        "input": lambda w: ["--kty", "EC", "--crv", "P-256", "--alg", "ES384"],
        "rejected": None,
        "fetch": None,
    },
    "key convert": {"input": lambda w: [w.missing], "rejected": None, "fetch": None},
    "key thumbprint": {"input": lambda w: [w.missing], "rejected": None, "fetch": None},
    "jws sign": {
        "input": lambda w: ["--key", w.public, "--alg", "ES256", "x"],  # a public key
        "rejected": None,
        "fetch": None,
    },
    "jws verify": {
        "input": lambda w: [w.token, "--key", w.missing, "--alg", "ES256"],
        "rejected": lambda w: [w.forged, "--key", w.public, "--alg", "ES256"],
        "fetch": lambda w: [w.token, "--jwks", w.dead_url, "--alg", "ES256"],
    },
    "jwe encrypt": {
        "input": lambda w: ["--key", w.public, "--alg", "ECDH-ES+A256KW", "x"],  # no --enc
        "rejected": None,
        "fetch": None,
    },
    "jwe decrypt": {
        "input": lambda w: ["not.a.token", "--key", w.key, "--alg", "ECDH-ES+A256KW"],
        "rejected": lambda w: [w.jwe_other, "--key", w.key, "--alg", "ECDH-ES+A256KW"],
        "fetch": lambda w: [w.jwe, "--jwks", w.dead_url, "--alg", "ECDH-ES+A256KW"],
    },
    "jwt encode": {
        "input": lambda w: ["--key", w.key, "--alg", "ES256", "--claim", "x=[[1"],
        "rejected": None,
        "fetch": None,
    },
    "jwt decode": {
        "input": lambda w: [w.jwt, "--key", w.key, "--alg", "ES256", "--leeway", "soon"],
        "rejected": lambda w: [w.expired, "--key", w.public, "--alg", "ES256"],
        "fetch": lambda w: [w.jwt, "--jwks", w.dead_url, "--alg", "ES256"],
    },
    "jwks fetch": {
        "input": lambda w: ["ftp://example.com/jwks.json"],
        "rejected": None,
        "fetch": lambda w: [w.dead_url, "--timeout", "5"],
    },
    "jwks rotate": {
        "input": lambda w: ["--store", w.store, "--rotate-every", "often"],
        "rejected": None,
        "fetch": None,
    },
    "jwks status": {
        "input": lambda w: ["--store", w.missing],
        "rejected": None,
        "fetch": None,
    },
    "jwks serve": {
        "input": lambda w: ["--store", w.missing],
        "rejected": None,
        "fetch": None,
    },
    "inspect": {
        "input": lambda w: ["not-a-token"],
        "rejected": lambda w: [w.jwe_other, "--key", w.key],
        "fetch": lambda w: [w.jwe, "--jwks", w.dead_url],
    },
}


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


CODES = {"usage": 2, "input": 2, "rejected": 1, "fetch": 3}


def test_the_table_covers_every_subcommand() -> None:
    leaves = [" ".join(p) for p in command_paths(cli) if not isinstance(_command(p), click.Group)]
    assert sorted(leaves) == sorted(FAILURES), (
        "a subcommand was added or removed: give it a row in FAILURES"
    )


CASES = [
    (command, kind)
    for command in sorted(FAILURES)
    for kind in ("usage", *FAILURES[command])
    if kind == "usage" or FAILURES[command][kind] is not None
]


@pytest.mark.parametrize(("command", "kind"), CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_each_failure_has_its_exit_status(
    invoke: Invoke, tmp_path: Path, command: str, kind: str
) -> None:
    world = World(tmp_path)
    if kind == "usage":
        args = ["--no-such-option"]
    else:
        make = FAILURES[command][kind]
        assert make is not None
        args = make(world)
    result = invoke(*command.split(), *args)
    assert result.exit_code == CODES[kind], (command, kind, result.stderr)
    lines = result.stderr.splitlines()
    label = "rejected" if kind == "rejected" else "error"
    assert [line for line in lines if line.startswith("josekit: ")][-1].startswith(
        f"josekit: {label}: "
    )
    assert len([line for line in lines if not line.startswith("josekit: warning")]) == 1
    assert "Traceback" not in result.output


def test_json_mode_reports_the_same_status(invoke: Invoke, tmp_path: Path) -> None:
    world = World(tmp_path)
    for command, kind in (("jws verify", "rejected"), ("jwt decode", "fetch")):
        make = FAILURES[command][kind]
        assert make is not None
        result = invoke(*command.split(), *make(world), "--json")
        assert result.exit_code == CODES[kind]
        assert json.loads(result.stdout)["error"]["exit_code"] == CODES[kind]
