"""``josekit key generate|convert|thumbprint``."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cli_helpers import Invoke, load_vector, write_json

from josekit import Key, jwk, jws

COMBINATIONS = [
    ("EC", ["--crv", "P-256"], "ES256"),
    ("EC", ["--crv", "P-384"], "ES384"),
    ("EC", ["--crv", "P-521"], "ES512"),
    ("EC", ["--crv", "secp256k1"], "ES256K"),
    ("OKP", ["--crv", "Ed25519"], "Ed25519"),
    ("OKP", ["--crv", "Ed448"], "Ed448"),
    ("OKP", ["--crv", "X25519"], None),
    ("OKP", ["--crv", "X448"], None),
    ("RSA", ["--size", "2048"], "PS256"),
    ("oct", ["--size", "256"], "HS256"),
    ("oct", ["--size", "512"], "HS512"),
]


@pytest.mark.parametrize(("kty", "extra", "alg"), COMBINATIONS)
def test_generate_every_supported_combination(
    invoke: Invoke, kty: str, extra: list[str], alg: str | None
) -> None:
    args = ["key", "generate", "--kty", kty, *extra, "--kid", "g1"]
    if alg:
        args += ["--alg", alg]
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    key = Key.import_key(result.stdout)
    assert key.kty == kty
    assert key.is_private
    assert key.kid == "g1"
    assert key.alg == alg
    if "--crv" in extra:
        assert key.crv == extra[1]
    else:
        assert key.size == int(extra[1])


@pytest.mark.parametrize("alg", ["ML-DSA-44", "ML-DSA-65"])
def test_generate_akp_ml_dsa(invoke: Invoke, alg: str) -> None:
    from josekit.algorithms import SIGNATURE_ALGORITHMS

    if alg not in SIGNATURE_ALGORITHMS:  # pragma: no cover - depends on cryptography
        pytest.skip(f"{alg} is not available")
    key = Key.import_key(invoke("key", "generate", "--alg", alg).stdout)
    assert (key.kty, key.alg) == ("AKP", alg)
    explicit = invoke("key", "generate", "--kty", "AKP", "--alg", alg, "--format", "pem")
    assert explicit.stdout.startswith("-----BEGIN PRIVATE KEY-----")
    missing_alg = invoke("key", "generate", "--kty", "AKP")
    assert missing_alg.exit_code == 2
    assert "ML-DSA-44, ML-DSA-65 or ML-DSA-87" in missing_alg.stderr


def test_generate_public_prints_both_halves(invoke: Invoke) -> None:
    result = invoke("key", "generate", "--kty", "EC", "--public", "--json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    private, public = Key.import_key(out["private"]), Key.import_key(out["public"])
    assert private.is_private
    assert not public.is_private
    assert private.thumbprint() == public.thumbprint() == out["thumbprint"]


def test_generate_pem_with_public(invoke: Invoke) -> None:
    result = invoke(
        "key", "generate", "--kty", "OKP", "--crv", "Ed25519", "--format", "pem", "--public"
    )
    assert result.exit_code == 0
    assert result.stdout.count("-----BEGIN PRIVATE KEY-----") == 1
    assert result.stdout.count("-----BEGIN PUBLIC KEY-----") == 1
    private_pem = result.stdout[: result.stdout.index("-----BEGIN PUBLIC KEY-----")]
    public_pem = result.stdout[result.stdout.index("-----BEGIN PUBLIC KEY-----") :]
    assert Key.import_key(private_pem).thumbprint() == Key.import_key(public_pem).thumbprint()


def test_generate_infers_the_key_from_alg(invoke: Invoke) -> None:
    for alg, kty, crv in (("ES384", "EC", "P-384"), ("EdDSA", "OKP", "Ed25519")):
        key = Key.import_key(invoke("key", "generate", "--alg", alg).stdout)
        assert (key.kty, key.crv, key.alg) == (kty, crv, alg)
    hs512 = Key.import_key(invoke("key", "generate", "--alg", "HS512").stdout)
    assert (hs512.kty, hs512.size) == ("oct", 512)
    wrap = Key.import_key(invoke("key", "generate", "--alg", "ECDH-ES+A128KW").stdout)
    assert (wrap.kty, wrap.crv) == ("EC", "P-256")


def test_generate_kid_thumbprint(invoke: Invoke) -> None:
    key = Key.import_key(invoke("key", "generate", "--kty", "EC", "--kid-thumbprint").stdout)
    assert key.kid == key.thumbprint()


def test_generate_writes_files_with_private_mode(invoke: Invoke, tmp_path: Path) -> None:
    out, pub = tmp_path / "k.jwk", tmp_path / "k.pub.jwk"
    result = invoke(
        "key", "generate", "--kty", "EC", "--kid", "k", "-o", str(out), "--public-out", str(pub)
    )
    assert result.exit_code == 0
    assert result.stdout == ""  # nothing secret on stdout when -o is given
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert Key.import_key(out.read_text()).is_private
    assert not Key.import_key(pub.read_text()).is_private
    assert "wrote the private key" in result.stderr
    again = invoke("key", "generate", "--kty", "EC", "-o", str(out))
    assert again.exit_code == 2
    assert "exists" in again.stderr
    fresh = tmp_path / "fresh.jwk"
    half = invoke("key", "generate", "--kty", "EC", "-o", str(fresh), "--public-out", str(pub))
    assert half.exit_code == 2
    assert not fresh.exists()  # nothing is written when one of the files exists
    assert invoke("key", "generate", "--kty", "EC", "-o", str(out), "--force").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kty", "EC", "--size", "2048"], "--size applies to RSA and oct"),
        (["--kty", "RSA", "--crv", "P-256"], "--crv applies to EC and OKP"),
        (["--kty", "EC", "--crv", "Ed25519"], "--crv Ed25519 is an OKP curve"),
        (["--kty", "RSA", "--size", "1024"], "at least 2048"),
        (
            ["--kty", "EC", "--crv", "P-256", "--alg", "ES384"],
            "--kty EC --crv P-256 contradicts --alg ES384: alg ES384 needs a key on P-384",
        ),
        (["--kty", "EC", "--alg", "HS256"], "--kty EC contradicts --alg HS256"),
        (["--kty", "oct", "--size", "256", "--alg", "HS512"], "--size 256 contradicts"),
        (["--alg", "dir"], "--alg dir does not tell the key"),
        (["--kty", "EC", "--alg", "NOPE"], "unknown algorithm"),
        (["--kty", "oct", "--public"], "no public half"),
        (["--kty", "oct", "--format", "pem"], "no PEM form"),
        (["--alg", "ES256", "--use", "enc"], "does not fit"),
        ([], "give --kty"),
        (["--kty", "EC", "--kid", "a", "--kid-thumbprint"], "not both"),
        (["--kty", "EC", "--kid", "a", "--format", "pem"], "PEM cannot record kid"),
    ],
)
def test_generate_refuses_bad_combinations(invoke: Invoke, args: list[str], message: str) -> None:
    result = invoke("key", "generate", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_convert_round_trip_pem_jwk(invoke: Invoke, tmp_path: Path) -> None:
    key = jwk.generate("EC", crv="P-384")
    pem = tmp_path / "k.pem"
    pem.write_text(key.to_pem(private=True))
    as_jwk = invoke("key", "convert", str(pem))
    assert as_jwk.exit_code == 0
    assert Key.import_key(as_jwk.stdout) == key
    jwk_file = write_json(tmp_path / "k.jwk", json.loads(as_jwk.stdout))
    back = invoke("key", "convert", jwk_file, "--to", "pem")
    assert back.stdout.startswith("-----BEGIN PRIVATE KEY-----")
    assert Key.import_key(back.stdout).thumbprint() == key.thumbprint()


def test_convert_to_public_and_set_members(invoke: Invoke, tmp_path: Path) -> None:
    key = jwk.generate("RSA")
    path = write_json(tmp_path / "rsa.jwk", key.to_dict(private=True))
    result = invoke(
        "key", "convert", path, "--public", "--kid-thumbprint", "--alg", "PS256", "--use", "sig"
    )
    out = Key.import_key(result.stdout)
    assert not out.is_private
    assert (out.kid, out.alg, out.use) == (key.thumbprint(), "PS256", "sig")
    assert '"d"' not in result.stdout
    pem = invoke("key", "convert", path, "--public", "--to", "pem").stdout
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")


def test_convert_reads_env_and_stdin(invoke: Invoke) -> None:
    key = jwk.generate("OKP", crv="Ed25519")
    from_env = invoke(
        "key", "convert", "env:MY_KEY", "--to", "pem", env={"MY_KEY": key.to_json(True)}
    )
    assert Key.import_key(from_env.stdout).thumbprint() == key.thumbprint()
    from_stdin = invoke("key", "convert", "-", "--public", input=key.to_pem(private=True))
    assert Key.import_key(from_stdin.stdout) == key.public()


def test_convert_encrypted_pem_needs_the_password(invoke: Invoke, tmp_path: Path) -> None:
    key = jwk.generate("EC")
    path = tmp_path / "enc.pem"
    path.write_text(key.to_pem(private=True, password=b"s3cret-pass"))
    missing = invoke("key", "convert", str(path))
    assert missing.exit_code == 2
    assert "cannot load the key" in missing.stderr
    ok = invoke("key", "convert", str(path), "--password", "env:PASS", env={"PASS": "s3cret-pass"})
    assert ok.exit_code == 0
    assert Key.import_key(ok.stdout).thumbprint() == key.thumbprint()
    wrong = invoke("key", "convert", str(path), "--password", "env:PASS", env={"PASS": "wrong"})
    assert wrong.exit_code == 2
    assert "wrong" not in wrong.stderr


def test_convert_refusals(invoke: Invoke, tmp_path: Path) -> None:
    oct_path = write_json(tmp_path / "o.jwk", jwk.generate("oct").to_dict(private=True))
    assert "no PEM form" in invoke("key", "convert", oct_path, "--to", "pem").stderr
    assert "no public half" in invoke("key", "convert", oct_path, "--public").stderr
    ec_path = write_json(tmp_path / "e.jwk", jwk.generate("EC").to_dict(private=True))
    result = invoke("key", "convert", ec_path, "--to", "pem", "--kid", "x")
    assert result.exit_code == 2
    assert "PEM cannot record" in result.stderr


def test_thumbprint_matches_rfc7638(invoke: Invoke, tmp_path: Path) -> None:
    example = load_vector("rfc7638_thumbprint.json")
    path = write_json(tmp_path / "k.jwk", example["jwk"])
    assert invoke("key", "thumbprint", path).stdout.strip() == example["thumbprint_sha256"]
    uri = invoke("key", "thumbprint", path, "--uri").stdout.strip()
    assert uri == example["thumbprint_uri"]


def test_thumbprint_uri_and_hashes(invoke: Invoke, tmp_path: Path) -> None:
    key = jwk.generate("EC")
    path = write_json(tmp_path / "k.jwk", key.to_dict(private=True))
    assert invoke("key", "thumbprint", path).stdout.strip() == key.thumbprint()
    uri = invoke("key", "thumbprint", path, "--uri").stdout.strip()
    assert uri == f"urn:ietf:params:oauth:jwk-thumbprint:sha-256:{key.thumbprint()}"
    out = json.loads(invoke("key", "thumbprint", path, "--hash", "SHA-512", "--json").stdout)
    assert out["thumbprint"] == key.thumbprint("SHA-512")
    assert out["uri"] == key.thumbprint_uri("SHA-512")


def test_key_errors_name_the_problem_without_the_secret(invoke: Invoke, tmp_path: Path) -> None:
    missing = invoke("key", "thumbprint", str(tmp_path / "nope.jwk"))
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr
    bad = tmp_path / "bad.jwk"
    bad.write_text('{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQ!!"}')
    result = invoke("key", "thumbprint", str(bad))
    assert result.exit_code == 2
    assert "c2VjcmV0" not in result.stderr
    unset = invoke("key", "thumbprint", "env:JOSEKIT_TEST_UNSET_VARIABLE")
    assert "is not set" in unset.stderr
    secret = jwk.generate("oct").to_json(True)
    not_a_key = invoke("key", "thumbprint", "env:K", env={"K": secret[:-5]})
    assert not_a_key.exit_code == 2
    assert secret[10:30] not in not_a_key.stderr


def test_generate_then_sign_then_verify(invoke: Invoke, tmp_path: Path) -> None:
    out, pub = str(tmp_path / "k.jwk"), str(tmp_path / "k.pub.jwk")
    invoke("key", "generate", "--alg", "ES256", "--kid", "rt", "-o", out, "--public-out", pub)
    token = invoke("jws", "sign", "--key", out, "payload").stdout.strip()
    assert jws.verify(token, Key.import_key(Path(pub).read_text()), algorithms=["ES256"])
    verified = invoke("jws", "verify", token, "--key", pub, "--alg", "ES256")
    assert verified.exit_code == 0
    assert verified.stdout == "payload"


@pytest.mark.parametrize(
    "args",
    [["--alg", "ES384"], ["--kty", "EC", "--alg", "ES384"], ["--alg", "ES384", "--crv", "P-384"]],
)
def test_alg_decides_the_curve(invoke: Invoke, args: list[str]) -> None:
    result = invoke("key", "generate", *args, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["kty"], report["crv"], report["private"]["alg"]) == ("EC", "P-384", "ES384")


def test_alg_decides_the_size(invoke: Invoke) -> None:
    hs512 = json.loads(invoke("key", "generate", "--alg", "HS512", "--json").stdout)
    assert (hs512["kty"], hs512["size"]) == ("oct", 512)
    kw = json.loads(invoke("key", "generate", "--kty", "oct", "--alg", "A192KW", "--json").stdout)
    assert kw["size"] == 192
