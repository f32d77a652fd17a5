"""Damaged tokens: inspect still shows them; verify and decode reject them with status 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import Invoke

from josekit import jwe, jwk, jws, jwt

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
KEY = jwk.generate("EC", crv="P-256", kid="k1")
TOKEN = jwt.encode({"sub": "alice"}, KEY, "ES256")
ENC_KEY = jwk.generate("EC", crv="P-256", kid="e1")
JWE_TOKEN = jwe.encrypt(b'{"sub":"bob"}', ENC_KEY.public(), "ECDH-ES+A256KW", "A256GCM")


def _changed(segment: str, index: int) -> str:
    """``segment`` with the character at ``index`` replaced by the next base64url one."""
    replacement = _ALPHABET[(_ALPHABET.index(segment[index]) + 1) % 64]
    return segment[:index] + replacement + segment[index + 1 :]


@pytest.fixture
def public_key(tmp_path: Path) -> str:
    path = tmp_path / "k1.pub.jwk"
    path.write_text(json.dumps(KEY.public().to_dict()))
    return str(path)


def test_every_changed_signature_character_is_a_rejection(invoke: Invoke, public_key: str) -> None:
    head, signature = TOKEN.rsplit(".", 1)
    canonical = non_canonical = 0
    for index in range(len(signature)):
        forged = f"{head}.{_changed(signature, index)}"
        for args in (
            ("jws", "verify", forged, "--key", public_key, "--alg", "ES256"),
            ("jwt", "decode", forged, "--key", public_key, "--alg", "ES256"),
        ):
            result = invoke(*args)
            assert result.exit_code == 1, (index, result.stderr)
            assert result.stderr.startswith("josekit: rejected: ")
            assert "signature verification failed" in result.stderr
        if "canonical" in result.stderr:
            non_canonical += 1
        else:
            canonical += 1
    assert canonical > 0  # both kinds of damage were exercised
    assert non_canonical > 0


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s[:-1],  # one character short: an impossible base64url length
        lambda s: s + "A",
        lambda s: s[:5] + "*" + s[6:],  # not in the alphabet
    ],
)
def test_damaged_signature_segment_is_a_rejection(
    invoke: Invoke, public_key: str, damage: object
) -> None:
    head, signature = TOKEN.rsplit(".", 1)
    forged = f"{head}.{damage(signature)}"  # type: ignore[operator]
    assert invoke("jws", "verify", forged, "--key", public_key, "--alg", "ES256").exit_code == 1
    general = jws.sign_json(b"x", [jws.Signer(KEY, "ES256")])
    general["signatures"][0]["signature"] = damage(general["signatures"][0]["signature"])  # type: ignore[operator]
    result = invoke("jws", "verify", json.dumps(general), "--key", public_key, "--alg", "ES256")
    assert result.exit_code == 1, result.stderr


def test_damaged_header_is_still_bad_input(invoke: Invoke, public_key: str) -> None:
    _, payload, signature = TOKEN.split(".")
    result = invoke("jws", "verify", f"e*J.{payload}.{signature}", "--key", public_key,
                    "--alg", "ES256")  # fmt: skip
    assert result.exit_code == 2


@pytest.mark.parametrize("cut", [1, 10, 20])
def test_inspect_shows_a_token_whose_signature_is_damaged(invoke: Invoke, cut: int) -> None:
    head, signature = TOKEN.rsplit(".", 1)
    for damaged in (signature[:-cut], _changed(signature, len(signature) - 1)):
        result = invoke("inspect", f"{head}.{damaged}", "--json")
        assert result.exit_code == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["claims"] == {"sub": "alice"}
        assert report["header"]["alg"] == "ES256"
        assert any("cannot verify" in w for w in report["warnings"]), report["warnings"]
    human = invoke("inspect", f"{head}.{signature[:-1]}")
    assert human.exit_code == 0
    assert "unreadable signature" in human.stdout
    assert '"sub": "alice"' in human.stdout


def test_inspect_flags_a_wrong_length_signature(invoke: Invoke) -> None:
    head, signature = TOKEN.rsplit(".", 1)
    report = json.loads(invoke("inspect", f"{head}.{signature[:40]}", "--json").stdout)
    assert report["signature_size"] == 30
    assert "the signature is 30 bytes, but ES256 signatures are 64" in " ".join(report["warnings"])
    intact = json.loads(invoke("inspect", TOKEN, "--json").stdout)
    assert intact["signature_size"] == 64
    assert not any("signature" in w for w in intact["warnings"])


def test_inspect_flags_damaged_json_signatures(invoke: Invoke) -> None:
    general = jws.sign_json(b'{"sub":"a"}', [jws.Signer(KEY, "ES256"), jws.Signer(KEY, "ES256")])
    general["signatures"][1]["signature"] = "*"
    report = json.loads(invoke("inspect", json.dumps(general), "--json").stdout)
    assert report["claims"] == {"sub": "a"}
    assert [s["size"] for s in report["signatures"]] == [64, None]
    assert any(w.startswith("signature 2: unreadable signature") for w in report["warnings"])


def test_inspect_still_refuses_an_unreadable_header_or_payload(invoke: Invoke) -> None:
    header, payload, signature = TOKEN.split(".")
    assert invoke("inspect", f"{header}.{payload[:-1]}*.{signature}").exit_code == 2
    assert invoke("inspect", f"{header[:-2]}*.{payload}.{signature}").exit_code == 2


def test_inspect_points_a_jwe_to_the_commands_that_decrypt_it(invoke: Invoke) -> None:
    result = invoke("inspect", JWE_TOKEN)
    assert result.exit_code == 0
    assert "josekit jwe decrypt TOKEN --key KEY --alg ECDH-ES+A256KW" in result.stdout
    assert "josekit jwt decode TOKEN --decrypt-key KEY --decrypt-alg ECDH-ES+A256KW" in (
        result.stdout
    )
    report = json.loads(invoke("inspect", JWE_TOKEN, "--json").stdout)
    assert report["decrypt_with"][0] == "josekit jwe decrypt TOKEN --key KEY --alg ECDH-ES+A256KW"
    assert any("josekit jwe decrypt" in w for w in report["warnings"])


def test_inspect_flags_a_damaged_jwe_tag_and_never_suggests_rsa1_5(invoke: Invoke) -> None:
    parts = JWE_TOKEN.split(".")
    parts[4] = parts[4][:-1]
    report = json.loads(invoke("inspect", ".".join(parts), "--json").stdout)
    assert report["sizes"]["tag"] is None
    assert report["sizes"]["iv"] == 12
    assert any(w.startswith("unreadable tag") for w in report["warnings"])
    rsa = jwk.generate("RSA", size=2048)
    legacy = jwe.encrypt(b"x", rsa.public(), "RSA1_5", "A128GCM")
    hints = json.loads(invoke("inspect", legacy, "--json").stdout)["decrypt_with"]
    assert len(hints) == 2
    assert all("RSA1_5" not in hint and hint.split("   #")[0].endswith(" ALG") for hint in hints)


def test_inspect_flags_damaged_jwe_json_members(invoke: Invoke) -> None:
    token = jwe.encrypt_json(b"x", [jwe.Recipient(ENC_KEY.public(), "ECDH-ES+A256KW")], "A256GCM")
    token["ciphertext"] = "**"
    report = json.loads(invoke("inspect", json.dumps(token), "--json").stdout)
    assert report["sizes"]["ciphertext"] is None
    assert any(w.startswith("unreadable ciphertext") for w in report["warnings"])
