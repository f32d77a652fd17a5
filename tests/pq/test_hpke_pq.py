"""Post-quantum and PQ/T hybrid HPKE in JWE (draft-ietf-jose-hpke-pq-pqt-00), AKP keys."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, KeySet, errors, jwe, jwk, jws
from josekit._b64 import b64d, b64e_str
from josekit.algorithms import KEY_MANAGEMENT
from josekit.algorithms.hpke import HPKE_SUITES
from josekit.jwk._akp import AKP_ALGORITHMS

DATA: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "vectors" / "pq" / "jose_hpke_pq_pqt.json").read_text("utf-8")
)
VECTORS: dict[str, Any] = DATA["vectors"]
PLAINTEXT = DATA["plaintext"].encode("utf-8")
FELLOWSHIP = DATA["aad"].encode("utf-8")
AVAILABLE = [alg for alg in VECTORS if not alg.startswith("HPKE-8")]
"""HPKE-8 is MLKEM768-P256, a KEM pyca/cryptography does not have."""

DRAFT_SUITES = {  # draft-ietf-jose-hpke-pq-pqt-00 Tables 1-4: n of HPKE-n / HPKE-n-KE -> KEM
    8: "MLKEM768-P256",
    9: "MLKEM768-X25519",
    10: "MLKEM1024-P384",
    12: "ML-KEM-768",
    13: "ML-KEM-1024",
}
SIZES = {  # alg number: (KEM, pub bytes, priv seed bytes, ek bytes)
    9: ("MLKEM768-X25519", 1216, 32, 1120),
    10: ("MLKEM1024-P384", 1665, 32, 1665),
    12: ("ML-KEM-768", 1184, 64, 1088),
    13: ("ML-KEM-1024", 1568, 64, 1568),
}


@pytest.fixture(scope="module")
def keys() -> dict[str, Key]:
    out = {}
    for n in SIZES:
        for alg in (f"HPKE-{n}", f"HPKE-{n}-KE"):
            out[alg] = jwk.generate("AKP", alg=alg, kid=alg)
    return out


# -- the table --------------------------------------------------------------------------------


def test_the_suites_are_those_of_the_draft() -> None:
    post_quantum = {n: suite.kem for n, suite in HPKE_SUITES.items() if suite.kty == "AKP"}
    assert post_quantum == DRAFT_SUITES
    for n in DRAFT_SUITES:
        assert (HPKE_SUITES[n].kdf, HPKE_SUITES[n].aead) == ("SHAKE256", "AES-256-GCM")
        assert KEY_MANAGEMENT.lookup(f"HPKE-{n}").integrated
        assert not KEY_MANAGEMENT.lookup(f"HPKE-{n}-KE").integrated


@pytest.mark.parametrize("alg", ["HPKE-11", "HPKE-11-KE", "HPKE-14", "HPKE-15-KE", "HPKE-17"])
def test_identifiers_the_draft_does_not_register_are_unknown(alg: str) -> None:
    # draft-skokan-jose-hpke-pq-pqt-03 had HPKE-8 .. HPKE-17; -04 and the WG draft dropped the
    # ChaCha20Poly1305 suites and renumbered, leaving 11 to COSE.
    with pytest.raises(errors.UnsupportedAlgorithmError, match="not supported"):
        KEY_MANAGEMENT.lookup(alg)
    with pytest.raises(errors.UnsupportedAlgorithmError, match=alg):
        jwk.generate("AKP", alg=alg)


def test_akp_key_formats_follow_the_suite_kems() -> None:
    for n, (kem, pub, seed, _) in SIZES.items():
        for alg in (f"HPKE-{n}", f"HPKE-{n}-KE"):
            row = AKP_ALGORITHMS[alg]
            assert (row.family, row.public_size, row.seed_size) == (kem, pub, seed)
            assert row.family == HPKE_SUITES[n].kem
    assert {a for a in AKP_ALGORITHMS if a.startswith("HPKE-")} == {
        f"HPKE-{n}{ke}" for n in SIZES for ke in ("", "-KE")
    }


# -- the published vectors --------------------------------------------------------------------


@pytest.mark.parametrize("alg", AVAILABLE)
def test_published_key_imports_and_kid_is_its_thumbprint(alg: str) -> None:
    vector = VECTORS[alg]["jwk"]
    key = Key.import_key(vector)
    assert (key.kty, key.alg) == ("AKP", alg)
    assert key.thumbprint() == vector["kid"]
    public_only = {k: v for k, v in vector.items() if k != "priv"}
    assert key.public() == Key.import_key(public_only)


@pytest.mark.parametrize("alg", AVAILABLE)
def test_published_seed_must_derive_the_published_public_key(alg: str) -> None:
    vector = VECTORS[alg]["jwk"]
    wrong = {**vector, "priv": b64e_str(bytes(len(b64d(vector["priv"]))))}
    with pytest.raises(errors.InvalidKeyError, match="does not match"):
        Key.import_key(wrong)


@pytest.mark.parametrize("alg", AVAILABLE)
def test_published_compact_jwe_decrypts(alg: str) -> None:
    vector = VECTORS[alg]
    result = jwe.decrypt(vector["compact"], Key.import_key(vector["jwk"]), algorithms=[alg])
    assert result.plaintext == PLAINTEXT
    assert result.header["alg"] == alg
    assert result.header["kid"] == vector["jwk"]["kid"]
    if alg.endswith("-KE"):
        assert result.header["enc"] == "A256GCM"
        assert len(b64d(result.header["ek"])) == SIZES[int(alg.split("-")[1])][3]
    else:
        assert "enc" not in result.header
        assert len(b64d(vector["compact"].split(".")[1])) == SIZES[int(alg.split("-")[1])][3]


@pytest.mark.parametrize("alg", AVAILABLE)
def test_published_flattened_jwe_decrypts_with_its_aad(alg: str) -> None:
    vector = VECTORS[alg]
    key = Key.import_key(vector["jwk"])
    result = jwe.decrypt_json(vector["flattened"], key, algorithms=[alg])
    assert (result.plaintext, result.aad) == (PLAINTEXT, FELLOWSHIP)
    changed = {**vector["flattened"], "aad": "VGhlIFR3byBUb3dlcnM"}
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt_json(changed, key, algorithms=[alg])


@pytest.mark.parametrize("alg", ["HPKE-8", "HPKE-8-KE"])
def test_mlkem768_p256_vectors_name_what_is_missing(alg: str) -> None:
    with pytest.raises(errors.UnsupportedAlgorithmError, match=alg):
        Key.import_key(VECTORS[alg]["jwk"])
    assert len(KeySet.import_key_set({"keys": [VECTORS[alg]["jwk"]]})) == 0
    with pytest.raises(errors.UnsupportedAlgorithmError, match="MLKEM768-P256"):
        HPKE_SUITES[8].require(alg)


# -- round trips with generated keys ----------------------------------------------------------


@pytest.mark.parametrize("n", sorted(SIZES))
def test_generated_akp_kem_keys_have_the_draft_sizes(n: int, keys: dict[str, Key]) -> None:
    _, pub, seed, _ = SIZES[n]
    data = keys[f"HPKE-{n}"].to_dict(private=True)
    assert (data["kty"], data["alg"]) == ("AKP", f"HPKE-{n}")
    assert len(b64d(data["pub"])) == pub
    assert len(b64d(data["priv"])) == seed
    again = Key.import_key(data)
    assert again.thumbprint() == keys[f"HPKE-{n}"].thumbprint()


@pytest.mark.parametrize("n", sorted(SIZES))
def test_integrated_round_trip(n: int, keys: dict[str, Key]) -> None:
    alg = f"HPKE-{n}"
    public = Key.import_key(keys[alg].public().to_json())
    token = jwe.encrypt(b"post-quantum", public, alg, None)
    assert len(b64d(token.split(".")[1])) == SIZES[n][3]
    assert jwe.decrypt(token, keys[alg], algorithms=[alg]).plaintext == b"post-quantum"
    document = jwe.encrypt_json(b"pq json", [jwe.Recipient(public, alg)], None, aad=b"a")
    assert jwe.decrypt_json(document, keys[alg], algorithms=[alg]).plaintext == b"pq json"


@pytest.mark.parametrize("n", sorted(SIZES))
def test_key_encryption_round_trip(n: int, keys: dict[str, Key]) -> None:
    alg = f"HPKE-{n}-KE"
    token = jwe.encrypt(b"cek", keys[alg].public(), alg, "A256GCM")
    header = json.loads(b64d(token.split(".")[0]))
    assert len(b64d(header["ek"])) == SIZES[n][3]
    assert jwe.decrypt(token, keys[alg], algorithms=[alg]).plaintext == b"cek"


# -- several recipients (draft §5: all of them quantum-resistant) ------------------------------


@pytest.mark.parametrize(
    ("kty", "crv", "alg"),
    [("OKP", "X25519", "HPKE-3-KE"), ("EC", "P-256", "ECDH-ES+A128KW"), ("RSA", None, "RSA-OAEP")],
)
def test_a_pq_recipient_refuses_a_classical_one_beside_it(
    kty: str, crv: str | None, alg: str, keys: dict[str, Key]
) -> None:
    classical = jwk.generate(kty, crv=crv, alg=alg)
    recipients = [
        jwe.Recipient(keys["HPKE-9-KE"].public(), "HPKE-9-KE"),
        jwe.Recipient(classical.public(), alg),
    ]
    with pytest.raises(errors.InvalidHeaderError, match=f"HPKE-9-KE.*{re.escape(alg)}"):
        jwe.encrypt_json(b"migration", recipients, "A256GCM")
    with pytest.raises(errors.InvalidHeaderError, match=re.escape(alg)):
        jwe.encrypt_json(b"migration", recipients[::-1], "A256GCM")


def test_pq_recipients_beside_each_other_and_a_symmetric_one(keys: dict[str, Key]) -> None:
    shared = jwk.generate("oct", size=256, alg="A256KW")
    document = jwe.encrypt_json(
        b"migration",
        [
            jwe.Recipient(keys["HPKE-9-KE"].public(), "HPKE-9-KE"),
            jwe.Recipient(keys["HPKE-13-KE"].public(), "HPKE-13-KE"),
            jwe.Recipient(shared, "A256KW"),
        ],
        "A256GCM",
    )
    for key, alg in (
        (keys["HPKE-9-KE"], "HPKE-9-KE"),
        (keys["HPKE-13-KE"], "HPKE-13-KE"),
        (shared, "A256KW"),
    ):
        assert jwe.decrypt_json(document, key, algorithms=[alg]).plaintext == b"migration"
    key_set = KeySet([keys["HPKE-9-KE"], keys["HPKE-13-KE"]])
    result = jwe.decrypt_json(document, key_set, algorithms=["HPKE-13-KE", "HPKE-9-KE"])
    assert result.plaintext == b"migration"


def test_classical_recipients_alone_are_not_affected() -> None:
    a = jwk.generate("OKP", crv="X25519", alg="HPKE-3-KE")
    b = jwk.generate("EC", crv="P-256", alg="ECDH-ES+A128KW")
    document = jwe.encrypt_json(
        b"x",
        [jwe.Recipient(a.public(), "HPKE-3-KE"), jwe.Recipient(b.public(), "ECDH-ES+A128KW")],
        "A128GCM",
    )
    assert jwe.decrypt_json(document, b, algorithms=["ECDH-ES+A128KW"]).plaintext == b"x"


# -- keys -------------------------------------------------------------------------------------


def test_akp_key_is_bound_to_its_alg(keys: dict[str, Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="HPKE-9"):
        jwe.encrypt(b"x", keys["HPKE-9"].public(), "HPKE-10", None)
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", keys["HPKE-12"].public(), "HPKE-12-KE", "A128GCM")
    ml_dsa = jwk.generate("AKP", alg="ML-DSA-65")
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", ml_dsa.public(), "HPKE-12", None)
    with pytest.raises(errors.InvalidKeyError):
        jws.sign(b"x", keys["HPKE-12"], "ML-DSA-65")


def test_classical_key_is_refused_for_pq_suites() -> None:
    x25519 = jwk.generate("OKP", crv="X25519")
    with pytest.raises(errors.InvalidKeyError, match="AKP"):
        jwe.encrypt(b"x", x25519.public(), "HPKE-9", None)


def test_mlkem768_p256_keys_are_unsupported() -> None:
    with pytest.raises(errors.UnsupportedAlgorithmError, match="HPKE-8"):
        jwk.generate("AKP", alg="HPKE-8")
    document = {"keys": [{"kty": "AKP", "alg": "HPKE-8", "pub": b64e_str(bytes(1249))}]}
    assert len(KeySet.import_key_set(document)) == 0


@pytest.mark.parametrize("n", [9, 12])
def test_akp_kem_member_sizes_are_checked(n: int, keys: dict[str, Key]) -> None:
    data = keys[f"HPKE-{n}"].to_dict(private=True)
    for member, size in (("pub", SIZES[n][1] - 1), ("priv", SIZES[n][2] + 1)):
        with pytest.raises(errors.InvalidKeyError, match=member):
            Key.import_key({**data, member: b64e_str(bytes(size))})


def test_tampered_pq_ek_fails_uniformly(keys: dict[str, Key]) -> None:
    for alg in ("HPKE-9", "HPKE-12"):
        parts = jwe.encrypt(b"x", keys[alg].public(), alg, None).split(".")
        raw = bytearray(b64d(parts[1]))
        raw[7] ^= 0x40
        parts[1] = b64e_str(bytes(raw))
        with pytest.raises(errors.DecryptionError):
            jwe.decrypt(".".join(parts), keys[alg], algorithms=[alg])


@pytest.mark.parametrize(("alg", "enc"), [("HPKE-9", None), ("HPKE-13-KE", "A256GCM")])
def test_encrypted_jwt_over_pq_hpke(alg: str, enc: str | None, keys: dict[str, Key]) -> None:
    from josekit import jwt

    claims = {"sub": "user-42", "iat": 1_800_000_000, "exp": 1_800_000_300}
    token = jwt.encode_encrypted(claims, keys[alg].public(), alg, enc)
    result = jwt.decode_encrypted(token, keys[alg], algorithms=[alg], now=1_800_000_100)
    assert result.claims == claims
