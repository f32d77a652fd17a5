"""``josekit inspect``: decoding without verifying, times, warnings, nested tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import Invoke, load_vector, write_json

from josekit import jwe, jwk, jws

RFC7519 = load_vector("rfc7519_examples.json")
NOW = "2011-03-22T18:39:00Z"  # four minutes (240 s) before the RFC 7519 example's exp
EXP = 1300819380


def inspect_json(invoke: Invoke, *args: str, now: str = NOW) -> dict[str, object]:
    result = invoke("inspect", *args, "--json", "--now", now)
    assert result.exit_code == 0, result.stderr
    out: dict[str, object] = json.loads(result.stdout)
    return out


def test_rfc7519_example_jwt(invoke: Invoke) -> None:
    result = invoke("inspect", RFC7519["tokens"]["3.1"], "--now", NOW)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("NOT VERIFIED: ")
    assert "JWS, compact serialization" in result.stdout
    assert '"iss": "joe"' in result.stdout
    assert "2011-03-22 18:43:00 UTC" in result.stdout
    assert "expires in 4 min" in result.stdout
    out = inspect_json(invoke, RFC7519["tokens"]["3.1"])
    assert out["verified"] is False
    assert out["header"] == {"typ": "JWT", "alg": "HS256"}
    assert out["claims"] == RFC7519["claims"]
    assert out["times"] == [
        {
            "claim": "exp",
            "value": EXP,
            "date": "2011-03-22 18:43:00 UTC",
            "relative": "expires in 4 min",
            "status": "valid",
        }
    ]


def test_expired_is_said_in_hours(invoke: Invoke) -> None:
    out = inspect_json(invoke, RFC7519["tokens"]["3.1"], now=str(EXP + 2 * 3600 + 5))
    assert out["times"][0]["relative"] == "expired 2 h ago"  # type: ignore[index]
    assert any("expired 2 h ago" in w for w in out["warnings"])  # type: ignore[attr-defined]


def test_now_from_the_environment(invoke: Invoke) -> None:
    result = invoke(
        "inspect", RFC7519["tokens"]["3.1"], "--json", env={"JOSEKIT_NOW": str(EXP - 90)}
    )
    assert json.loads(result.stdout)["times"][0]["relative"] == "expires in 1 min"


def test_rfc7519_unsecured_jwt_warns_alg_none(invoke: Invoke) -> None:
    out = inspect_json(invoke, RFC7519["tokens"]["6.1"])
    assert out["header"] == {"alg": "none"}
    warnings = out["warnings"]
    assert isinstance(warnings, list)
    assert any("alg is 'none'" in w for w in warnings)
    human = invoke("inspect", RFC7519["tokens"]["6.1"], "--now", NOW)
    assert "! alg is 'none': the token is unsecured" in human.stdout


def test_rfc7519_encrypted_jwt_without_key(invoke: Invoke) -> None:
    out = inspect_json(invoke, RFC7519["tokens"]["A.1"])
    assert out["type"] == "JWE"
    assert out["decrypted"] is False
    assert out["header"] == {"alg": "RSA1_5", "enc": "A128CBC-HS256"}
    assert out["payload_kind"] == "encrypted"
    assert "claims" not in out
    warnings = " ".join(out["warnings"])  # type: ignore[arg-type]
    assert "RSA1_5" in warnings
    assert "cannot be shown without the key" in warnings


def test_rfc7519_nested_jwt_without_key(invoke: Invoke) -> None:
    out = inspect_json(invoke, RFC7519["tokens"]["A.2"])
    assert out["header"] == {"alg": "RSA1_5", "enc": "A128CBC-HS256", "cty": "JWT"}
    assert any("nested JWT" in w for w in out["warnings"])  # type: ignore[attr-defined]
    human = invoke("inspect", RFC7519["tokens"]["A.2"], "--now", NOW)
    assert "it carries a nested JWT, which cannot be shown without the key" in human.stdout


def test_rfc7519_nested_jwt_with_key(invoke: Invoke, tmp_path: Path) -> None:
    key = write_json(tmp_path / "rsa.jwk", RFC7519["keys"]["rfc7516_A.2"])
    out = inspect_json(invoke, RFC7519["tokens"]["A.2"], "--key", key)
    assert out["decrypted"] is True
    assert out["verified"] is False
    assert "decrypted with your key" in str(out["notice"])
    inner = out["nested"]
    assert isinstance(inner, dict)
    assert inner["type"] == "JWS"
    assert inner["header"] == {"alg": "RS256"}
    assert inner["claims"] == RFC7519["claims"]
    human = invoke("inspect", RFC7519["tokens"]["A.2"], "--key", key, "--now", NOW)
    assert "== Nested token (the content of the token above) ==" in human.stdout
    assert "expires in 4 min" in human.stdout


def test_rfc7519_encrypted_jwt_with_key(invoke: Invoke, tmp_path: Path) -> None:
    key = write_json(tmp_path / "rsa.jwk", RFC7519["keys"]["rfc7516_A.2"])
    out = inspect_json(invoke, RFC7519["tokens"]["A.1"], "--key", key)
    assert out["claims"] == RFC7519["claims"]
    # With an explicit allow-list that leaves RSA1_5 out, the key is not used.
    refused = invoke("inspect", RFC7519["tokens"]["A.1"], "--key", key, "--alg", "RSA-OAEP")
    assert refused.exit_code == 1
    assert "cannot decrypt the JWE" in refused.stderr


def test_key_given_for_a_jws_is_said_to_check_nothing(invoke: Invoke, tmp_path: Path) -> None:
    key = write_json(tmp_path / "hmac.jwk", RFC7519["keys"]["rfc7515_A.1"])
    out = inspect_json(invoke, RFC7519["tokens"]["3.1"], "--key", key)
    assert out["warnings"][0] == (  # type: ignore[index]
        "--key only opens a JWE, and there is none here: no signature was checked"
    )


def test_wrong_key_for_a_jwe(invoke: Invoke, tmp_path: Path) -> None:
    other = write_json(tmp_path / "other.jwk", jwk.generate("RSA").to_dict(True))
    result = invoke("inspect", RFC7519["tokens"]["A.1"], "--key", other)
    assert result.exit_code == 1
    assert result.stdout == ""


def test_cookbook_nested_signature_in_encryption(invoke: Invoke, tmp_path: Path) -> None:
    vector = load_vector("cookbook/6.nesting_signatures_and_encryption.json")
    key = write_json(tmp_path / "samwise.jwk", vector["encrypt"]["input"]["key"])
    for form in ("compact", "json", "json_flat"):
        token = vector["encrypt"]["output"][form]
        text = token if isinstance(token, str) else json.dumps(token)
        closed = inspect_json(invoke, text)
        assert closed["decrypted"] is False
        opened = inspect_json(invoke, text, "--key", key)
        inner = opened["nested"]
        assert isinstance(inner, dict)
        assert inner["header"] == {"alg": "PS256", "typ": "JWT"}
        assert inner["claims"]["iss"] == "hobbiton.example"  # type: ignore[index]


def test_cookbook_json_serializations(invoke: Invoke) -> None:
    multi = load_vector("cookbook/4_8.multiple_signatures.json")
    out = inspect_json(invoke, json.dumps(multi["output"]["json"]))
    assert out["serialization"] == "json-general"
    signatures = out["signatures"]
    assert isinstance(signatures, list)
    assert [{**s["header"], **s["protected"]}["alg"] for s in signatures] == [
        "RS256",
        "ES512",
        "HS256",
    ]
    assert out["payload_kind"] == "text"
    human = invoke("inspect", json.dumps(multi["output"]["json"]))
    assert "Signatures  3 (RS256, ES512, HS256)" in human.stdout
    recipients = load_vector("cookbook/5_13.encrypting_to_multiple_recipients.json")
    out = inspect_json(invoke, json.dumps(recipients["output"]["json"]))
    assert out["type"] == "JWE"
    assert out["serialization"] == "json-general"
    assert len(out["recipients"]) == 3  # type: ignore[arg-type]
    assert any(w.startswith("recipient 1: alg RSA1_5") for w in out["warnings"])  # type: ignore[attr-defined]
    rsa15 = load_vector("cookbook/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json")
    out = inspect_json(invoke, rsa15["output"]["compact"])
    assert any("RSA1_5" in w for w in out["warnings"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ({"alg": "ES256", "jwk": {"kty": "EC"}}, "embeds a public key ('jwk')"),
        ({"alg": "RS256", "jku": "https://evil.example/jwks"}, "'jku' 'https://evil.example/jwks'"),
        ({"alg": "RS256", "x5u": "https://evil.example/cert"}, "certificate URL ('x5u'"),
        ({"alg": "RS256", "x5c": ["MIIB"]}, "certificate chain ('x5c')"),
        ({"alg": "HS256", "kid": "../../dev/null"}, "path, quote or SQL characters"),
        ({"alg": "HS256", "kid": "x' UNION SELECT 'key"}, "path, quote or SQL characters"),
        ({"alg": "XX999"}, "not an algorithm josekit implements"),
        ({"typ": "JWT"}, "has no 'alg'"),
        ({"alg": "PBES2-HS256+A128KW", "p2c": 2_000_000}, "p2c=2000000 is above the limit"),
        ({"alg": "PBES2-HS256+A128KW", "p2c": 10}, "p2c=10 is below"),
        ({"alg": "dir", "zip": "GZ"}, "unknown compression zip='GZ'"),
    ],
)
def test_risky_headers_are_flagged(
    invoke: Invoke, header: dict[str, object], expected: str
) -> None:
    token = f"{_b64json(header)}.{_b64json({'exp': EXP})}.c2ln"
    out = inspect_json(invoke, token)
    assert any(expected in w for w in out["warnings"]), out["warnings"]  # type: ignore[attr-defined]


def _b64json(obj: object) -> str:
    from josekit._b64 import b64e_str

    return b64e_str(json.dumps(obj).encode())


def test_claim_warnings(invoke: Invoke) -> None:
    def warnings_for(claims: dict[str, object]) -> str:
        token = f"{_b64json({'alg': 'ES256'})}.{_b64json(claims)}.c2ln"
        return " | ".join(inspect_json(invoke, token, now=str(EXP))["warnings"])  # type: ignore[arg-type]

    assert "no 'exp' claim: the token never expires" in warnings_for({"sub": "a"})
    assert "very long lifetime: valid for 30 days" in warnings_for(
        {"iat": EXP, "exp": EXP + 30 * 86400}
    )
    assert "still valid for 365 days" in warnings_for({"exp": EXP + 365 * 86400})
    assert "very long lifetime" not in warnings_for({"iat": EXP, "exp": EXP + 3600})
    assert "not valid yet: it becomes valid in 2 h" in warnings_for(
        {"nbf": EXP + 7200, "exp": EXP + 7300}
    )
    assert "'iat' is 3 days in the future" in warnings_for({"iat": EXP + 3 * 86400, "exp": EXP + 1})
    assert "'exp' is not a NumericDate" in warnings_for({"exp": "9999999999"})
    assert "'exp' is not a NumericDate" in warnings_for({"exp": True})
    assert "'exp' is not a NumericDate" in warnings_for({"exp": 10**400})
    from josekit._b64 import b64e_str

    payload = b64e_str(b'{"exp": 1e400}')  # parses as an infinite float
    overflowing = f"{_b64json({'alg': 'ES256'})}.{payload}.c2ln"
    warnings = inspect_json(invoke, overflowing, now=str(EXP))["warnings"]
    assert "'exp' is not a NumericDate" in " ".join(warnings)  # type: ignore[arg-type]


def test_detached_and_binary_payloads(invoke: Invoke) -> None:
    key = jwk.generate("EC")
    detached = jws.sign(b"abc", key, "ES256", detached=True)
    assert inspect_json(invoke, detached)["payload_kind"] == "detached"
    binary = inspect_json(invoke, jws.sign(b"\xff\x00\x01", key, "ES256"))
    assert binary["payload_kind"] == "binary"
    assert binary["payload_size"] == 3


def test_jwe_made_by_the_library(invoke: Invoke, tmp_path: Path) -> None:
    key = jwk.generate("OKP", crv="X25519", kid="x")
    token = jwe.encrypt(b'{"sub":"bob","exp":1300819380}', key.public(), "ECDH-ES", "A128GCM")
    out = inspect_json(invoke, token)
    assert out["decrypted"] is False
    sizes = out["sizes"]
    assert isinstance(sizes, dict)
    assert sizes["iv"] == 12
    assert sizes["tag"] == 16
    path = write_json(tmp_path / "x.jwk", key.to_dict(True))
    opened = inspect_json(invoke, token, "--key", path)
    assert opened["claims"] == {"sub": "bob", "exp": EXP}


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("a.b", "has 2"),
        ("a.b.c.d", "has 4"),
        ("!!!.e30.c2ln", "not valid base64url"),
        ("e30", "has 1"),
        ('{"foo": 1}', "neither a JWS"),
        ('{"payload": "e30", "signature": "", "extra": 1}', "unexpected members"),
        ("eyJhbGciOiJIUzI1NiIsImFsZyI6Im5vbmUifQ.e30.c2ln", "duplicate"),
    ],
)
def test_malformed_tokens_exit_2_with_a_reason(invoke: Invoke, token: str, message: str) -> None:
    result = invoke("inspect", token)
    assert result.exit_code == 2
    assert result.stderr.startswith("josekit: error: cannot read the token: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_terminal_escapes_in_claims_are_neutralised(invoke: Invoke) -> None:
    claims = {"sub": "a\u001b[2Jb\u009bc", "exp": EXP}
    token = f"{_b64json({'alg': 'ES256'})}.{_b64json(claims)}.c2ln"
    result = invoke("inspect", token, "--now", NOW)
    assert "\x1b" not in result.stdout
    assert "\x9b" not in result.stdout
    assert "\\u001b[2J" in result.stdout
    as_json = invoke("inspect", token, "--json", "--now", NOW)
    assert "\x9b" not in as_json.stdout
    assert json.loads(as_json.stdout)["claims"]["sub"] == "a\x1b[2Jb\x9bc"


def test_token_file_hint(invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("token.txt").write_text(RFC7519["tokens"]["3.1"] + "\n")
    hint = invoke("inspect", "token.txt")
    assert hint.exit_code == 2
    assert "write @token.txt" in hint.stderr
    assert invoke("inspect", "@token.txt").exit_code == 0
    assert invoke("inspect", "-", input=RFC7519["tokens"]["3.1"] + "\n").exit_code == 0


def test_color_always_uses_rich(invoke: Invoke) -> None:
    plain = invoke("inspect", RFC7519["tokens"]["3.1"], "--now", NOW)
    assert "\x1b[" not in plain.stdout
    fancy = invoke("--color", "always", "inspect", RFC7519["tokens"]["3.1"], "--now", NOW)
    assert fancy.exit_code == 0
    assert "\x1b[" in fancy.stdout
    assert "NOT VERIFIED" in fancy.stdout
    assert "expires in 4 min" in fancy.stdout
