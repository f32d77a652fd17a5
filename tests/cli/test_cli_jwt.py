"""``josekit jwt encode|decode``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import Invoke, load_vector, write_json

from josekit import Key, jwk, jwt

RFC7519 = load_vector("rfc7519_examples.json")
NOW = 1_800_000_000


@pytest.fixture
def issuer(tmp_path: Path) -> tuple[str, str, Key]:
    """(private, public) key files of an ES256 issuer, and the key."""
    key = jwk.generate("EC", kid="iss-1")
    private = write_json(tmp_path / "issuer.jwk", key.to_dict(True))
    public = write_json(tmp_path / "issuer.pub.jwk", key.public().to_dict())
    return private, public, key


def encode(invoke: Invoke, *args: str) -> str:
    result = invoke("jwt", "encode", *args, "--now", str(NOW))
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_encode_then_decode(invoke: Invoke, issuer: tuple[str, str, Key]) -> None:
    private, public, key = issuer
    token = encode(
        invoke, "--key", private, "--alg", "ES256", "--iss", "https://issuer.example",
        "--sub", "alice", "--aud", "api", "--exp-in", "15m", "--jti",
        "--claim", "admin=true", "--claim", "groups=[\"a\",\"b\"]", "--claim", "note=plain text",
    )  # fmt: skip
    claims = jwt.decode(
        token, key.public(), algorithms=["ES256"], audience="api", now=NOW + 1
    ).claims
    assert claims["iss"] == "https://issuer.example"
    assert claims["exp"] == NOW + 900
    assert claims["iat"] == NOW
    assert claims["admin"] is True
    assert claims["groups"] == ["a", "b"]
    assert claims["note"] == "plain text"
    assert len(claims["jti"]) >= 16
    result = invoke(
        "jwt", "decode", token, "--key", public, "--alg", "ES256",
        "--iss", "https://issuer.example", "--aud", "api", "--sub", "alice",
        "--require", "jti", "--now", str(NOW + 60),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == claims
    assert "Valid JWT: alg ES256, key kid 'iss-1'" in result.stderr


def test_claims_from_a_file_and_json_output(
    invoke: Invoke, issuer: tuple[str, str, Key], tmp_path: Path
) -> None:
    private, public, _ = issuer
    claims_file = write_json(tmp_path / "claims.json", {"sub": "bob", "scope": "read write"})
    token = encode(invoke, f"@{claims_file}", "--key", private, "--alg", "ES256", "--no-iat")
    out = json.loads(
        invoke("jwt", "decode", token, "--key", public, "--alg", "ES256", "--json").stdout
    )
    assert out["valid"] is True
    assert out["claims"] == {"sub": "bob", "scope": "read write"}
    assert out["header"]["typ"] == "JWT"


@pytest.mark.parametrize(
    ("options", "now", "message"),
    [
        (["--iss", "https://other.example"], NOW, "'iss'"),
        ([], NOW + 3600, "expired"),
        (["--leeway", "10m"], NOW + 900 + 300, None),
        (["--leeway", "1m"], NOW + 900 + 300, "expired"),
        (["--require", "nonce"], NOW, "'nonce'"),
        (["--sub", "mallory"], NOW, "'sub'"),
        (["--aud", "other-api"], NOW, "aud"),
        (["--max-age", "30s"], NOW + 60, "iat"),
        (["--typ", "at+jwt"], NOW, "typ"),
    ],
)
def test_claim_validation(
    invoke: Invoke,
    issuer: tuple[str, str, Key],
    options: list[str],
    now: int,
    message: str | None,
) -> None:
    private, public, _ = issuer
    token = encode(
        invoke, "--key", private, "--alg", "ES256", "--iss", "https://issuer.example",
        "--sub", "alice", "--exp-in", "15m", "--aud", "api",
    )  # fmt: skip
    base = ["jwt", "decode", token, "--key", public, "--alg", "ES256", "--now", str(now)]
    if "--aud" not in options:
        options = [*options, "--aud", "api"]
    result = invoke(*base, *options)
    if message is None:
        assert result.exit_code == 0, result.stderr
        return
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("josekit: rejected: the JWT is not valid: ")
    assert message in result.stderr


def test_a_token_with_aud_needs_aud(invoke: Invoke, issuer: tuple[str, str, Key]) -> None:
    private, public, _ = issuer
    token = encode(invoke, "--key", private, "--alg", "ES256", "--aud", "api")
    result = invoke("jwt", "decode", token, "--key", public, "--alg", "ES256", "--now", str(NOW))
    assert result.exit_code == 1
    assert "give --aud" in result.stderr


def test_rfc7519_example_jwt(invoke: Invoke, tmp_path: Path) -> None:
    key = write_json(tmp_path / "hmac.jwk", RFC7519["keys"]["rfc7515_A.1"])
    token = RFC7519["tokens"]["3.1"]
    before = invoke(
        "jwt", "decode", token, "--key", key, "--alg", "HS256", "--iss", "joe",
        "--now", "2011-03-22T18:00:00Z",
    )  # fmt: skip
    assert before.exit_code == 0, before.stderr
    assert json.loads(before.stdout) == RFC7519["claims"]
    after = invoke("jwt", "decode", token, "--key", key, "--alg", "HS256")
    assert after.exit_code == 1
    assert "expired" in after.stderr


def test_rfc7519_nested_jwt(invoke: Invoke, tmp_path: Path) -> None:
    decrypt_key = write_json(tmp_path / "rsa.jwk", RFC7519["keys"]["rfc7516_A.2"])
    verify_key = write_json(tmp_path / "rs256.jwk", RFC7519["keys"]["rfc7515_A.2_public"])
    token = RFC7519["tokens"]["A.2"]
    common = ["--decrypt-key", decrypt_key, "--decrypt-alg", "RSA1_5", "--now", "1300819000"]
    result = invoke("jwt", "decode", token, *common, "--key", verify_key, "--alg", "RS256")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == RFC7519["claims"]
    missing_verifier = invoke("jwt", "decode", token, *common)
    assert missing_verifier.exit_code == 2
    assert "nested JWT (cty JWT)" in missing_verifier.stderr
    encrypted_only = invoke("jwt", "decode", RFC7519["tokens"]["A.1"], *common)
    assert encrypted_only.exit_code == 0, encrypted_only.stderr
    assert json.loads(encrypted_only.stdout) == RFC7519["claims"]
    needs_decrypt = invoke("jwt", "decode", token, "--key", verify_key, "--alg", "RS256")
    assert needs_decrypt.exit_code == 2
    assert "--decrypt-key" in needs_decrypt.stderr


def test_encode_nested_and_encrypted(
    invoke: Invoke, issuer: tuple[str, str, Key], tmp_path: Path
) -> None:
    private, public, _ = issuer
    bob = jwk.generate("OKP", crv="X25519", kid="bob")
    bob_pub = write_json(tmp_path / "bob.pub.jwk", bob.public().to_dict())
    bob_priv = write_json(tmp_path / "bob.jwk", bob.to_dict(True))
    encryption = ["--encrypt-key", bob_pub, "--encrypt-alg", "ECDH-ES+A128KW", "--enc", "A128GCM"]
    nested = encode(invoke, "--key", private, "--alg", "ES256", "--sub", "n", *encryption)
    assert nested.count(".") == 4
    decoded = invoke(
        "jwt", "decode", nested, "--decrypt-key", bob_priv, "--decrypt-alg", "ECDH-ES+A128KW",
        "--key", public, "--alg", "ES256", "--now", str(NOW), "--json",
    )  # fmt: skip
    assert decoded.exit_code == 0, decoded.stderr
    assert json.loads(decoded.stdout)["claims"]["sub"] == "n"
    encrypted = encode(invoke, "--sub", "e", *encryption)
    result = invoke(
        "jwt", "decode", encrypted, "--decrypt-key", bob_priv, "--decrypt-alg", "ECDH-ES+A128KW",
        "--now", str(NOW),
    )  # fmt: skip
    assert json.loads(result.stdout)["sub"] == "e"
    wrong_alg = invoke(
        "jwt", "decode", encrypted, "--decrypt-key", bob_priv, "--decrypt-alg", "ECDH-ES",
        "--now", str(NOW),
    )  # fmt: skip
    assert wrong_alg.exit_code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["jwt", "encode", "--sub", "x"], "give --key (or --secret, or --store) to sign"),
        (["jwt", "encode", "--key", "K", "--claim", "novalue"], "NAME=VALUE"),
        (["jwt", "encode", "--key", "K", "--exp-in", "soon"], "not a duration"),
        (["jwt", "encode", "--key", "K", "[1, 2]"], "must be a JSON object"),
        (["jwt", "encode", "--key", "K", "--encrypt-key", "K"], "needs --encrypt-alg"),
        (["jwt", "decode", "a.b.c"], "give --key or --jwks"),
        (["jwt", "decode", "a.b.c", "--key", "K"], "--alg is required"),
        (["jwt", "decode", "a.b.c", "--key", "K", "--alg", "ES256", "--leeway", "x"], "duration"),
    ],
)
def test_usage_errors(
    invoke: Invoke, issuer: tuple[str, str, Key], args: list[str], message: str
) -> None:
    private, _, _ = issuer
    result = invoke(*[private if a == "K" else a for a in args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_decode_refuses_alg_none(invoke: Invoke, issuer: tuple[str, str, Key]) -> None:
    _, public, _ = issuer
    token = RFC7519["tokens"]["6.1"]
    result = invoke("jwt", "decode", token, "--key", public, "--alg", "ES256")
    assert result.exit_code == 1
    assert result.stdout == ""
