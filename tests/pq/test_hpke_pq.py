"""Post-quantum and PQ/T hybrid HPKE in JWE (draft-skokan-jose-hpke-pq-pqt-03), AKP keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, KeySet, errors, jwe, jwk, jws
from josekit._b64 import b64d, b64e_str

DATA: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "vectors" / "pq" / "jose_hpke_pq_pqt.json").read_text("utf-8")
)
SIZES = {  # alg number: (KEM, pub bytes, priv seed bytes, ek bytes)
    10: ("MLKEM768-X25519", 1216, 32, 1120),
    11: ("MLKEM768-X25519", 1216, 32, 1120),
    12: ("MLKEM1024-P384", 1665, 32, 1665),
    13: ("MLKEM1024-P384", 1665, 32, 1665),
    14: ("ML-KEM-768", 1184, 64, 1088),
    15: ("ML-KEM-768", 1184, 64, 1088),
    16: ("ML-KEM-1024", 1568, 64, 1568),
    17: ("ML-KEM-1024", 1568, 64, 1568),
}


@pytest.fixture(scope="module")
def keys() -> dict[str, Key]:
    out = {}
    for n in SIZES:
        for alg in (f"HPKE-{n}", f"HPKE-{n}-KE"):
            out[alg] = jwk.generate("AKP", alg=alg, kid=alg)
    return out


@pytest.mark.parametrize("alg", list(DATA["vectors"]))
def test_published_hybrid_vectors_decrypt(alg: str) -> None:
    vector = DATA["vectors"][alg]
    key = Key.import_key(vector["jwk"])
    assert key.thumbprint() == vector["jwk"]["kid"]
    result = jwe.decrypt(vector["compact"], key, algorithms=[alg])
    assert result.plaintext.startswith(b"You can trust us to stick with you")
    assert result.header == {"alg": alg, "kid": vector["jwk"]["kid"]}


@pytest.mark.parametrize("alg", list(DATA["vectors"]))
def test_published_hybrid_seed_derives_the_published_public_key(alg: str) -> None:
    vector = DATA["vectors"][alg]["jwk"]
    public_only = {k: v for k, v in vector.items() if k != "priv"}
    assert Key.import_key(vector).public() == Key.import_key(public_only)
    wrong = {**vector, "priv": b64e_str(bytes(32))}
    with pytest.raises(errors.InvalidKeyError, match="does not match"):
        Key.import_key(wrong)


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


def test_hybrid_recipient_beside_a_classical_one(keys: dict[str, Key]) -> None:
    classical = jwk.generate("OKP", crv="X25519", alg="HPKE-3-KE")
    document = jwe.encrypt_json(
        b"migration",
        [
            jwe.Recipient(keys["HPKE-10-KE"].public(), "HPKE-10-KE"),
            jwe.Recipient(classical.public(), "HPKE-3-KE"),
        ],
        "A256GCM",
    )
    for key, alg in ((keys["HPKE-10-KE"], "HPKE-10-KE"), (classical, "HPKE-3-KE")):
        assert jwe.decrypt_json(document, key, algorithms=[alg]).plaintext == b"migration"
    key_set = KeySet([keys["HPKE-10-KE"], classical])
    result = jwe.decrypt_json(document, key_set, algorithms=["HPKE-10-KE", "HPKE-3-KE"])
    assert result.plaintext == b"migration"


def test_akp_key_is_bound_to_its_alg(keys: dict[str, Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="HPKE-10"):
        jwe.encrypt(b"x", keys["HPKE-10"].public(), "HPKE-11", None)
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", keys["HPKE-14"].public(), "HPKE-14-KE", "A128GCM")
    ml_dsa = jwk.generate("AKP", alg="ML-DSA-65")
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", ml_dsa.public(), "HPKE-14", None)
    with pytest.raises(errors.InvalidKeyError):
        jws.sign(b"x", keys["HPKE-14"], "ML-DSA-65")


def test_classical_key_is_refused_for_pq_suites() -> None:
    x25519 = jwk.generate("OKP", crv="X25519")
    with pytest.raises(errors.InvalidKeyError, match="AKP"):
        jwe.encrypt(b"x", x25519.public(), "HPKE-10", None)


def test_mlkem768_p256_keys_are_unsupported() -> None:
    with pytest.raises(errors.UnsupportedAlgorithmError, match="HPKE-8"):
        jwk.generate("AKP", alg="HPKE-8")
    document = {"keys": [{"kty": "AKP", "alg": "HPKE-9", "pub": b64e_str(bytes(1249))}]}
    assert len(KeySet.import_key_set(document)) == 0


@pytest.mark.parametrize("n", [10, 14])
def test_akp_kem_member_sizes_are_checked(n: int, keys: dict[str, Key]) -> None:
    data = keys[f"HPKE-{n}"].to_dict(private=True)
    for member, size in (("pub", SIZES[n][1] - 1), ("priv", SIZES[n][2] + 1)):
        with pytest.raises(errors.InvalidKeyError, match=member):
            Key.import_key({**data, member: b64e_str(bytes(size))})


def test_tampered_pq_ek_fails_uniformly(keys: dict[str, Key]) -> None:
    for alg in ("HPKE-10", "HPKE-14"):
        parts = jwe.encrypt(b"x", keys[alg].public(), alg, None).split(".")
        raw = bytearray(b64d(parts[1]))
        raw[7] ^= 0x40
        parts[1] = b64e_str(bytes(raw))
        with pytest.raises(errors.DecryptionError):
            jwe.decrypt(".".join(parts), keys[alg], algorithms=[alg])


@pytest.mark.parametrize(("alg", "enc"), [("HPKE-10", None), ("HPKE-16-KE", "A256GCM")])
def test_encrypted_jwt_over_pq_hpke(alg: str, enc: str | None, keys: dict[str, Key]) -> None:
    from josekit import jwt

    claims = {"sub": "user-42", "iat": 1_800_000_000, "exp": 1_800_000_300}
    token = jwt.encode_encrypted(claims, keys[alg].public(), alg, enc)
    result = jwt.decode_encrypted(token, keys[alg], algorithms=[alg], now=1_800_000_100)
    assert result.claims == claims
