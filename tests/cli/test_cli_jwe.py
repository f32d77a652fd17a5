"""``josekit jwe encrypt|decrypt``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import Invoke, load_vector, write_json

from josekit import jwe, jwk

RFC7519 = load_vector("rfc7519_examples.json")


@pytest.mark.parametrize(
    ("kty", "options", "alg", "enc"),
    [
        ("EC", {"crv": "P-256"}, "ECDH-ES+A256KW", "A256GCM"),
        ("OKP", {"crv": "X25519"}, "ECDH-ES", "A128CBC-HS256"),
        ("RSA", {}, "RSA-OAEP-256", "A256GCM"),
        ("oct", {"size": 128}, "A128KW", "A128GCM"),
        ("oct", {"size": 256}, "dir", "A256GCM"),
    ],
)
def test_encrypt_decrypt_round_trip(
    invoke: Invoke,
    tmp_path: Path,
    kty: str,
    options: dict[str, object],
    alg: str,
    enc: str,
) -> None:
    key = jwk.generate(kty, kid="r", **options)  # type: ignore[arg-type]
    recipient = key if key.is_symmetric else key.public()
    public = write_json(tmp_path / "pub.jwk", recipient.to_dict(private=key.is_symmetric))
    private = write_json(tmp_path / "key.jwk", key.to_dict(private=True))
    data = b"secret \x00 data"
    token = invoke("jwe", "encrypt", "--key", public, "--alg", alg, "--enc", enc, "-", input=data)
    assert token.exit_code == 0, token.stderr
    assert data not in token.stdout_bytes
    result = invoke("jwe", "decrypt", token.stdout.strip(), "--key", private, "--alg", alg)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == data
    assert f"Decrypted: alg {alg}, enc {enc}, key kid 'r'" in result.stderr


@pytest.mark.parametrize("serialization", ["json", "flattened"])
def test_json_serializations(invoke: Invoke, tmp_path: Path, serialization: str) -> None:
    key = jwk.generate("EC", kid="bob")
    public = write_json(tmp_path / "pub.jwk", key.public().to_dict())
    private = write_json(tmp_path / "key.jwk", key.to_dict(True))
    token = invoke(
        "jwe", "encrypt", "--key", public, "--alg", "ECDH-ES+A128KW", "--enc", "A128GCM",
        "--serialization", serialization, "--zip", "hello hello hello hello",
    )  # fmt: skip
    obj = json.loads(token.stdout)
    assert ("recipients" in obj) == (serialization == "json")
    out = invoke(
        "jwe", "decrypt", token.stdout, "--key", private, "--alg", "ECDH-ES+A128KW", "--json"
    )
    decoded = json.loads(out.stdout)
    assert decoded["payload"] == "hello hello hello hello"
    assert decoded["header"]["zip"] == "DEF"


def test_passphrase_pbes2(invoke: Invoke) -> None:
    env = {"PASS": "correct horse battery staple"}
    alg = "PBES2-HS256+A128KW"
    token = invoke(
        "jwe", "encrypt", "--passphrase", "env:PASS", "--alg", alg, "--enc", "A128GCM", "hi",
        env=env,
    )  # fmt: skip
    assert token.exit_code == 0, token.stderr
    ok = invoke("jwe", "decrypt", token.stdout, "--passphrase", "env:PASS", "--alg", alg, env=env)
    assert ok.stdout == "hi"
    wrong = invoke(
        "jwe", "decrypt", token.stdout, "--passphrase", "env:PASS", "--alg", alg,
        env={"PASS": "wrong"},
    )  # fmt: skip
    assert wrong.exit_code == 1
    assert "wrong" not in wrong.stderr
    # PBES2 is never accepted unless listed.
    unlisted = invoke(
        "jwe", "decrypt", token.stdout, "--passphrase", "env:PASS", "--alg", "A128KW", env=env
    )
    assert unlisted.exit_code == 1
    not_pbes2 = invoke(
        "jwe", "encrypt", "--passphrase", "env:PASS", "--alg", "A128KW", "--enc", "A128GCM", "x",
        env=env,
    )  # fmt: skip
    assert not_pbes2.exit_code == 2
    assert "only with the PBES2" in not_pbes2.stderr


def test_rfc7519_encrypted_jwt_decrypts_only_with_rsa1_5_listed(
    invoke: Invoke, tmp_path: Path
) -> None:
    key = write_json(tmp_path / "rsa.jwk", RFC7519["keys"]["rfc7516_A.2"])
    token = RFC7519["tokens"]["A.1"]
    ok = invoke("jwe", "decrypt", token, "--key", key, "--alg", "RSA1_5")
    assert ok.exit_code == 0, ok.stderr
    assert json.loads(ok.stdout) == RFC7519["claims"]
    refused = invoke("jwe", "decrypt", token, "--key", key, "--alg", "RSA-OAEP")
    assert refused.exit_code == 1
    assert refused.stdout == ""


def test_cookbook_multiple_recipients(invoke: Invoke, tmp_path: Path) -> None:
    vector = load_vector("cookbook/5_13.encrypting_to_multiple_recipients.json")
    keys = vector["input"]["key"]
    ec_key = next(k for k in keys if k["kty"] == "EC")
    path = write_json(tmp_path / "peregrin.jwk", ec_key)
    result = invoke(
        "jwe", "decrypt", json.dumps(vector["output"]["json"]), "--key", path,
        "--alg", "ECDH-ES+A256KW",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == vector["input"]["plaintext"]


def test_decrypt_errors(invoke: Invoke, tmp_path: Path) -> None:
    key = jwk.generate("EC", kid="k")
    other = jwk.generate("EC", kid="k")
    token = jwe.encrypt(b"x", key.public(), "ECDH-ES+A128KW", "A128GCM")
    other_path = write_json(tmp_path / "o.jwk", other.to_dict(True))
    wrong_key = invoke("jwe", "decrypt", token, "--key", other_path, "--alg", "ECDH-ES+A128KW")
    assert wrong_key.exit_code == 1
    assert wrong_key.stderr.startswith("josekit: rejected: the JWE could not be decrypted")
    public_only = write_json(tmp_path / "p.jwk", key.public().to_dict())
    needs_private = invoke("jwe", "decrypt", token, "--key", public_only, "--alg", "ECDH-ES+A128KW")
    assert needs_private.exit_code == 1
    assert "private key" in needs_private.stderr
    no_alg = invoke("jwe", "decrypt", token, "--key", other_path)
    assert no_alg.exit_code == 2
    bad_enc = invoke(
        "jwe", "decrypt", token, "--key", other_path, "--alg", "ECDH-ES+A128KW", "--enc", "A999"
    )
    assert bad_enc.exit_code == 2
    assert "--enc A999" in bad_enc.stderr
    enc_not_allowed = invoke(
        "jwe", "decrypt", token, "--key", other_path, "--alg", "ECDH-ES+A128KW", "--enc", "A256GCM"
    )
    assert enc_not_allowed.exit_code == 1
    truncated = invoke(
        "jwe", "decrypt", token.rsplit(".", 1)[0], "--key", other_path, "--alg", "A128KW"
    )
    assert truncated.exit_code == 2
    assert "five parts" in truncated.stderr


def test_encrypt_errors(invoke: Invoke, tmp_path: Path) -> None:
    ec = write_json(tmp_path / "ec.jwk", jwk.generate("EC").public().to_dict())
    wrong_type = invoke("jwe", "encrypt", "--key", ec, "--alg", "RSA-OAEP", "--enc", "A128GCM", "x")
    assert wrong_type.exit_code == 2
    assert "RSA" in wrong_type.stderr
    assert invoke("jwe", "encrypt", "--alg", "RSA-OAEP", "--enc", "A128GCM", "x").exit_code == 2
    unknown = invoke("jwe", "encrypt", "--key", ec, "--alg", "ECDH-ES", "--enc", "A1GCM", "x")
    assert unknown.exit_code == 2
    assert "--enc A1GCM" in unknown.stderr


@pytest.mark.parametrize(
    ("alg", "enc"), [("HPKE-0", None), ("HPKE-3", None), ("HPKE-1-KE", "A256GCM")]
)
def test_hpke_generate_encrypt_decrypt(
    invoke: Invoke, tmp_path: Path, alg: str, enc: str | None
) -> None:
    from josekit.algorithms import KEY_MANAGEMENT

    if alg not in KEY_MANAGEMENT:  # pragma: no cover - depends on the installed cryptography
        pytest.skip(f"{alg} is not available")
    private, public = str(tmp_path / "h.jwk"), str(tmp_path / "h.pub.jwk")
    generated = invoke("key", "generate", "--alg", alg, "-o", private, "--public-out", public)
    assert generated.exit_code == 0, generated.stderr
    enc_args = ["--enc", enc] if enc else []
    token = invoke("jwe", "encrypt", "--key", public, "--alg", alg, *enc_args, "pq-ready")
    assert token.exit_code == 0, token.stderr
    result = invoke("jwe", "decrypt", token.stdout.strip(), "--key", private, "--alg", alg)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "pq-ready"
    report = json.loads(invoke("inspect", token.stdout.strip(), "--json").stdout)
    assert not any("'enc'" in w for w in report["warnings"])
    # Integrated Encryption takes no --enc; Key Encryption needs one.
    wrong = ["--enc", "A128GCM"] if enc is None else []
    misuse = invoke("jwe", "encrypt", "--key", public, "--alg", alg, *wrong, "x")
    assert misuse.exit_code == 2
    assert "--enc" in misuse.stderr
