"""``josekit jws sign|verify``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import Invoke, load_vector, write_json

from josekit import Key, KeySet, jwk, jws
from josekit._b64 import b64d, b64e_str


def test_sign_verify_round_trip_from_stdin_and_files(
    invoke: Invoke, ec_keys: tuple[str, str], tmp_path: Path
) -> None:
    private, public = ec_keys
    data = b"\x00binary\xffpayload\n"
    token = invoke("jws", "sign", "--key", private, "--alg", "ES256", "-", input=data)
    assert token.exit_code == 0
    token_file = tmp_path / "t.jws"
    token_file.write_text(token.stdout)
    result = invoke("jws", "verify", f"@{token_file}", "--key", public, "--alg", "ES256")
    assert result.exit_code == 0
    assert result.stdout_bytes == data
    assert "Signature verified: alg ES256, key kid 'k1'" in result.stderr
    quiet = invoke(
        "jws", "verify", "-", "--key", public, "--alg", "ES256", "-q", input=token.stdout
    )
    assert quiet.stderr == ""
    assert quiet.stdout_bytes == data


def test_sign_payload_from_file_and_verify_json_output(
    invoke: Invoke, ec_keys: tuple[str, str], tmp_path: Path
) -> None:
    private, public = ec_keys
    doc = tmp_path / "doc.json"
    doc.write_text('{"hello": "world"}')
    token = invoke("jws", "sign", "--key", private, "--alg", "ES256", "--typ", "JWT", f"@{doc}")
    result = invoke(
        "jws", "verify", token.stdout.strip(), "--key", public, "--alg", "ES256", "--json"
    )
    out = json.loads(result.stdout)
    assert out["verified"] is True
    assert out["header"] == {"alg": "ES256", "kid": "k1", "typ": "JWT"}
    assert out["payload"] == '{"hello": "world"}'
    assert out["kid"] == "k1"


def test_sign_uses_the_key_alg_and_refuses_without_one(invoke: Invoke, tmp_path: Path) -> None:
    with_alg = write_json(tmp_path / "a.jwk", jwk.generate("OKP", alg="EdDSA").to_dict(True))
    token = invoke("jws", "sign", "--key", with_alg, "x").stdout.strip()
    assert jws.verify(token, Key.import_key(Path(with_alg).read_text()), algorithms=["EdDSA"])
    without = write_json(tmp_path / "b.jwk", jwk.generate("OKP").to_dict(True))
    result = invoke("jws", "sign", "--key", without, "x")
    assert result.exit_code == 2
    assert "--alg is required" in result.stderr
    assert "e.g. --alg EdDSA (this key fits EdDSA, Ed25519)" in result.stderr  # what to do


@pytest.mark.parametrize("serialization", ["json", "flattened"])
def test_json_serializations_round_trip(
    invoke: Invoke, ec_keys: tuple[str, str], serialization: str
) -> None:
    private, public = ec_keys
    signed = invoke(
        "jws", "sign", "--key", private, "--alg", "ES256", "--serialization", serialization, "hi"
    )
    obj = json.loads(signed.stdout)
    assert ("signatures" in obj) == (serialization == "json")
    result = invoke("jws", "verify", signed.stdout, "--key", public, "--alg", "ES256")
    assert result.exit_code == 0
    assert result.stdout == "hi"


def test_detached_and_unencoded(invoke: Invoke, ec_keys: tuple[str, str], tmp_path: Path) -> None:
    private, public = ec_keys
    data = tmp_path / "data.bin"
    data.write_bytes(b"detached content")
    token = invoke("jws", "sign", "--key", private, "--alg", "ES256", "--detached", f"@{data}")
    _h, p, _s = token.stdout.strip().split(".")
    assert p == ""
    ok = invoke(
        "jws", "verify", token.stdout, "--key", public, "--alg", "ES256",
        "--detached-payload", f"@{data}",
    )  # fmt: skip
    assert ok.exit_code == 0
    assert ok.stdout == "detached content"
    bad = invoke(
        "jws", "verify", token.stdout, "--key", public, "--alg", "ES256",
        "--detached-payload", "other content",
    )  # fmt: skip
    assert bad.exit_code == 1
    unencoded = invoke("jws", "sign", "--key", private, "--alg", "ES256", "--unencoded", "abc")
    header = json.loads(b64d(unencoded.stdout.split(".")[0]))
    assert header["b64"] is False
    assert header["crit"] == ["b64"]
    refused = invoke("jws", "verify", unencoded.stdout, "--key", public, "--alg", "ES256")
    assert refused.exit_code == 1
    accepted = invoke(
        "jws", "verify", unencoded.stdout, "--key", public, "--alg", "ES256", "--unencoded"
    )
    assert accepted.stdout == "abc"


def test_verify_with_a_jwks_file_picks_the_key_by_kid(invoke: Invoke, tmp_path: Path) -> None:
    keys = [jwk.generate("EC", kid=f"k{i}") for i in range(3)]
    jwks = write_json(tmp_path / "jwks.json", KeySet([k.public() for k in keys]).to_dict())
    signer = write_json(tmp_path / "k2.jwk", keys[2].to_dict(True))
    token = invoke("jws", "sign", "--key", signer, "--alg", "ES256", "msg").stdout.strip()
    result = invoke("jws", "verify", token, "--jwks", jwks, "--alg", "ES256")
    assert result.exit_code == 0
    assert "kid 'k2'" in result.stderr
    # --key also accepts a JWK Set.
    assert invoke("jws", "verify", token, "--key", jwks, "--alg", "ES256").exit_code == 0
    other = write_json(tmp_path / "o.jwk", jwk.generate("EC", kid="k9").to_dict(True))
    unknown = invoke("jws", "sign", "--key", other, "--alg", "ES256", "msg").stdout.strip()
    missing = invoke("jws", "verify", unknown, "--jwks", jwks, "--alg", "ES256")
    assert missing.exit_code == 1
    assert "k9" in missing.stderr


def test_verify_key_from_environment(invoke: Invoke) -> None:
    key = jwk.generate("oct", size=256)
    token = jws.sign(b"mac'd", key, "HS256")
    result = invoke(
        "jws", "verify", token, "--key", "env:HMAC_JWK", "--alg", "HS256",
        env={"HMAC_JWK": key.to_json(True)},
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == "mac'd"
    assert key.to_dict(True)["k"] not in result.stderr


def test_verify_exit_codes(invoke: Invoke, ec_keys: tuple[str, str]) -> None:
    private, public = ec_keys
    token = invoke("jws", "sign", "--key", private, "--alg", "ES256", "x").stdout.strip()
    h, _p, s = token.split(".")
    tampered = f"{h}.{b64e_str(b'y')}.{s}"
    bad_sig = invoke("jws", "verify", tampered, "--key", public, "--alg", "ES256")
    assert bad_sig.exit_code == 1
    assert bad_sig.stderr.startswith("josekit: rejected: the JWS did not verify")
    assert bad_sig.stdout == ""
    not_allowed = invoke("jws", "verify", token, "--key", public, "--alg", "ES384")
    assert not_allowed.exit_code == 1
    assert "not in the allowed list" in not_allowed.stderr
    no_alg = invoke("jws", "verify", token, "--key", public)
    assert no_alg.exit_code == 2
    assert "--alg is required" in no_alg.stderr
    unknown_alg = invoke("jws", "verify", token, "--key", public, "--alg", "none")
    assert unknown_alg.exit_code == 2
    lower_case = invoke("jws", "verify", token, "--key", public, "--alg", "es256")
    assert lower_case.exit_code == 2
    assert lower_case.stderr == "josekit: error: --alg es256: did you mean ES256?\n"
    garbage = invoke("jws", "verify", "not-a-token", "--key", public, "--alg", "ES256")
    assert garbage.exit_code == 2
    assert "three parts" in garbage.stderr
    both = invoke("jws", "verify", token, "--key", public, "--jwks", public, "--alg", "ES256")
    assert both.exit_code == 2
    assert "exactly one of --key, --jwks or --secret" in both.stderr


def test_algorithm_confusion_is_a_rejection(invoke: Invoke, tmp_path: Path) -> None:
    rsa = jwk.generate("RSA")
    public = write_json(tmp_path / "rsa.pub.jwk", rsa.public().to_dict())
    # The attacker MACs a token with the public key's bytes as an HMAC secret.
    secret = Key.import_key({"kty": "oct", "k": b64e_str(rsa.to_pem().encode())})
    forged = jws.sign(b'{"admin":true}', secret, "HS256")
    result = invoke("jws", "verify", forged, "--key", public, "--alg", "RS256", "--alg", "HS256")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_alg_none_is_never_verified(invoke: Invoke, ec_keys: tuple[str, str]) -> None:
    _, public = ec_keys
    unsecured = jws.encode_unsecured(b"x")
    result = invoke("jws", "verify", unsecured, "--key", public, "--alg", "ES256")
    assert result.exit_code == 1
    assert "none" in result.stderr


def test_embedded_jwk_header_is_not_trusted(invoke: Invoke, tmp_path: Path) -> None:
    trusted = jwk.generate("EC", kid="trusted")
    attacker = jwk.generate("EC", kid="trusted")
    forged = jws.sign(b"x", attacker, "ES256", header={"jwk": attacker.public().to_dict()})
    path = write_json(tmp_path / "t.jwk", trusted.public().to_dict())
    assert invoke("jws", "verify", forged, "--key", path, "--alg", "ES256").exit_code == 1


def test_cookbook_vectors_verify(invoke: Invoke, tmp_path: Path) -> None:
    ecdsa = load_vector("cookbook/4_3.ecdsa_signature.json")
    key = Key.import_key(ecdsa["input"]["key"]).public()
    path = write_json(tmp_path / "bilbo.jwk", key.to_dict())
    for token in (
        ecdsa["output"]["compact"],
        json.dumps(ecdsa["output"]["json"]),
        json.dumps(ecdsa["output"]["json_flat"]),
    ):
        result = invoke("jws", "verify", token, "--key", path, "--alg", "ES512")
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ecdsa["input"]["payload"]
    multi = load_vector("cookbook/4_8.multiple_signatures.json")
    keys = multi["input"]["key"]
    hmac_key = next(k for k in keys if k["kty"] == "oct")
    hmac_path = write_json(tmp_path / "hmac.jwk", hmac_key)
    result = invoke(
        "jws", "verify", json.dumps(multi["output"]["json"]), "--key", hmac_path, "--alg", "HS256"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == multi["input"]["payload"]


def test_header_option(invoke: Invoke, ec_keys: tuple[str, str]) -> None:
    private, _ = ec_keys
    token = invoke(
        "jws", "sign", "--key", private, "--alg", "ES256", "--header", '{"typ":"at+jwt","x":1}', "p"
    ).stdout
    header = json.loads(b64d(token.split(".")[0]))
    assert header == {"alg": "ES256", "kid": "k1", "typ": "at+jwt", "x": 1}
    bad = invoke("jws", "sign", "--key", private, "--alg", "ES256", "--header", "[1]", "p")
    assert bad.exit_code == 2
    assert "--header" in bad.stderr
    clash = invoke(
        "jws",
        "sign",
        "--key",
        private,
        "--alg",
        "ES256",
        "--header",
        '{"typ":"a"}',
        "--typ",
        "b",
        "p",
    )
    assert clash.exit_code == 2


def test_signing_with_a_public_key_is_an_input_error(
    invoke: Invoke, ec_keys: tuple[str, str]
) -> None:
    _, public = ec_keys
    result = invoke("jws", "sign", "--key", public, "--alg", "ES256", "x")
    assert result.exit_code == 2
    assert "private key" in result.stderr
