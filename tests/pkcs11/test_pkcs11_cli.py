"""``--key pkcs11:...`` on the command line: signing and decrypting in the token."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from _softhsm import SoftHSMToken
from josekit import jwe, jws
from josekit.cli import cli
from josekit.pkcs11 import Pkcs11Token


def _run(*args: str, env: dict[str, str], input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, input=input)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_sign_and_decrypt_with_a_token_key(
    softhsm_token: SoftHSMToken, token: Pkcs11Token, tmp_path: Path
) -> None:
    signing = token.generate("EC", crv="P-256", label="cli-sign")
    sealing = token.generate("RSA", label="cli-decrypt", use="enc")
    env = {"HSM_PIN_FOR_CLI": softhsm_token.pin}
    base = f"pkcs11:token={softhsm_token.label};object=%s?module-path={softhsm_token.module}"
    uri = base % "cli-sign" + "&pin-source=env:HSM_PIN_FOR_CLI"
    code, out, err = _run("jws", "sign", "--key", uri, "--alg", "ES256", "hello", env=env)
    assert code == 0, err
    assert jws.verify(out.strip(), signing.public(), algorithms=["ES256"]).payload == b"hello"
    assert softhsm_token.pin not in out + err

    pin_file = tmp_path / "pin"
    pin_file.write_text(softhsm_token.pin + "\n")
    compact = jwe.encrypt(b"sealed", sealing.public(), alg="RSA-OAEP", enc="A256GCM")
    uri = base % "cli-decrypt" + f"&pin-source=file:{pin_file}"
    code, out, err = _run("jwe", "decrypt", "--key", uri, "--alg", "RSA-OAEP", compact, env={})
    assert code == 0, err
    assert "sealed" in out


def test_a_pin_on_the_command_line_is_refused(softhsm_token: SoftHSMToken) -> None:
    uri = (
        f"pkcs11:token={softhsm_token.label};object=x?module-path={softhsm_token.module}"
        f"&pin-value={softhsm_token.pin}"
    )
    code, _, err = _run("jws", "sign", "--key", uri, "--alg", "ES256", "hello", env={})
    assert code == 2
    assert "PIN on the command line is refused" in err
    assert softhsm_token.pin not in err.replace(uri, "")


def test_a_wrong_pin_is_a_one_line_error_without_the_pin(softhsm_token: SoftHSMToken) -> None:
    spare = softhsm_token.spare_label
    base = f"pkcs11:token={spare};object=nothing?module-path={softhsm_token.module}"
    code, _, err = _run(
        "jws",
        "sign",
        "--key",
        base,
        "--alg",
        "ES256",
        "x",
        env={"JOSEKIT_PKCS11_PIN": "bad-pin-77"},
    )
    assert code != 0
    assert "refused the PIN" in err
    assert "bad-pin-77" not in err
