"""HPKE in JWE (draft-ietf-jose-hpke-encrypt-20): round trips and every refusal."""

from __future__ import annotations

import json

import pytest

from josekit import Key, KeySet, errors, jwe, jwk
from josekit._b64 import b64d, b64e_str
from josekit.algorithms import KEY_MANAGEMENT
from josekit.algorithms.content import DECRYPTION_FAILED
from josekit.algorithms.hpke import HPKE_SUITES

TRADITIONAL = {0: ("EC", "P-256"), 1: ("EC", "P-384"), 2: ("EC", "P-521"), 3: ("OKP", "X25519")}
TRADITIONAL |= {4: ("OKP", "X25519"), 7: ("EC", "P-256")}
INTEGRATED = [f"HPKE-{n}" for n in TRADITIONAL]
KEY_ENCRYPTION = [f"HPKE-{n}-KE" for n in TRADITIONAL]


def _key(alg: str, kid: str = "r") -> Key:
    n = int(alg.split("-")[1])
    kty, crv = TRADITIONAL[n]
    return jwk.generate(kty, crv=crv, kid=kid, alg=alg, use="enc")


@pytest.fixture(scope="module")
def keys() -> dict[str, Key]:
    return {alg: _key(alg) for alg in INTEGRATED + KEY_ENCRYPTION}


def _flip(segment: str, index: int = 0) -> str:
    raw = bytearray(b64d(segment))
    raw[index] ^= 0x01
    return b64e_str(bytes(raw))


# -- the table --------------------------------------------------------------------------------


def test_every_draft_algorithm_has_a_row() -> None:
    for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13):
        integrated = KEY_MANAGEMENT.lookup(f"HPKE-{n}")
        assert integrated.integrated
        assert integrated.direct
        key_encryption = KEY_MANAGEMENT.lookup(f"HPKE-{n}-KE")
        assert not key_encryption.integrated
        assert not key_encryption.direct
    assert not KEY_MANAGEMENT.lookup("ECDH-ES").integrated


def test_suites_cryptography_lacks_are_named() -> None:
    assert HPKE_SUITES[5].missing() == "the KEM DHKEM(X448, HKDF-SHA512)"
    assert HPKE_SUITES[8].missing() == "the KEM MLKEM768-P256"
    for n in (0, 1, 2, 3, 4, 7, 9, 10, 12, 13):
        assert HPKE_SUITES[n].missing() is None


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", INTEGRATED)
def test_integrated_compact_round_trip(alg: str, keys: dict[str, Key]) -> None:
    token = jwe.encrypt(b"integrated", keys[alg].public(), alg, None)
    h64, ek64, iv64, _, tag64 = token.split(".")
    assert iv64 == ""
    assert tag64 == ""
    assert len(b64d(ek64)) == KEY_MANAGEMENT.lookup(alg).suite.enc_size  # type: ignore[attr-defined]
    assert json.loads(b64d(h64)) == {"alg": alg, "kid": "r"}
    result = jwe.decrypt(token, keys[alg], algorithms=[alg])
    assert result.plaintext == b"integrated"
    assert result.key is keys[alg]


@pytest.mark.parametrize("alg", INTEGRATED)
@pytest.mark.parametrize("flattened", [True, False])
def test_integrated_json_round_trip_with_aad(
    alg: str, flattened: bool, keys: dict[str, Key]
) -> None:
    document = jwe.encrypt_json(
        "json", [jwe.Recipient(keys[alg].public(), alg)], None, aad=b"bound", flattened=flattened
    )
    assert "iv" not in document
    assert "tag" not in document
    result = jwe.decrypt_json(json.dumps(document), keys[alg], algorithms=[alg])
    assert (result.plaintext, result.aad) == (b"json", b"bound")


@pytest.mark.parametrize("alg", KEY_ENCRYPTION)
@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM", "A128CBC-HS256"])
def test_key_encryption_compact_round_trip(alg: str, enc: str, keys: dict[str, Key]) -> None:
    token = jwe.encrypt(b"key encryption", keys[alg].public(), alg, enc)
    header = json.loads(b64d(token.split(".")[0]))
    assert header["alg"] == alg
    assert header["enc"] == enc
    assert len(b64d(header["ek"])) == KEY_MANAGEMENT.lookup(alg).suite.enc_size  # type: ignore[attr-defined]
    assert jwe.decrypt(token, keys[alg], algorithms=[alg]).plaintext == b"key encryption"


@pytest.mark.parametrize("alg", KEY_ENCRYPTION)
def test_key_encryption_json_mixed_with_other_recipients(alg: str, keys: dict[str, Key]) -> None:
    ecdh = jwk.generate("EC", crv="P-256", kid="ecdh")
    rsa = jwk.generate("RSA", size=2048, kid="rsa")
    document = jwe.encrypt_json(
        b"for all three",
        [
            jwe.Recipient(keys[alg].public(), alg),
            jwe.Recipient(ecdh.public(), "ECDH-ES+A128KW"),
            jwe.Recipient(rsa.public(), "RSA-OAEP-256"),
        ],
        "A256GCM",
        aad=b"shared",
    )
    assert "ek" in document["recipients"][0]["header"]
    for key, name in ((keys[alg], alg), (ecdh, "ECDH-ES+A128KW"), (rsa, "RSA-OAEP-256")):
        result = jwe.decrypt_json(document, key, algorithms=[name])
        assert (result.plaintext, result.aad) == (b"for all three", b"shared")


def test_compressed_integrated_round_trip(keys: dict[str, Key]) -> None:
    token = jwe.encrypt(b"a" * 4000, keys["HPKE-3"].public(), "HPKE-3", None, zip="DEF")
    assert len(token) < 1000
    assert jwe.decrypt(token, keys["HPKE-3"], algorithms=["HPKE-3"]).plaintext == b"a" * 4000


def test_key_set_selects_the_recipient_key(keys: dict[str, Key]) -> None:
    others = [_key("HPKE-0", kid=f"other-{i}") for i in range(3)]
    key_set = KeySet([*others, keys["HPKE-0"]])
    token = jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0", None)
    assert jwe.decrypt(token, key_set, algorithms=["HPKE-0"]).key is keys["HPKE-0"]
    anonymous = jwk.generate("EC", crv="P-256", alg="HPKE-0")
    token = jwe.encrypt(b"y", anonymous.public(), "HPKE-0", None)
    assert jwe.decrypt(token, KeySet([*others, anonymous]), algorithms=["HPKE-0"]).plaintext == b"y"
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt(token, KeySet(others), algorithms=["HPKE-0"])


def test_two_encryptions_differ(keys: dict[str, Key]) -> None:
    public = keys["HPKE-0"].public()
    assert jwe.encrypt(b"same", public, "HPKE-0", None) != jwe.encrypt(
        b"same", public, "HPKE-0", None
    )


# -- refusals before any cryptography -------------------------------------------------------


def test_algorithms_must_be_allowed(keys: dict[str, Key]) -> None:
    token = jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0", None)
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jwe.decrypt(token, keys["HPKE-0"], algorithms=["HPKE-0-KE", "ECDH-ES"])
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jwe.decrypt(token, keys["HPKE-0"], algorithms=[])


@pytest.mark.parametrize(
    ("alg", "kty", "crv"),
    [
        ("HPKE-0", "EC", "P-384"),
        ("HPKE-0", "OKP", "X25519"),
        ("HPKE-3", "EC", "P-256"),
        ("HPKE-3", "OKP", "Ed25519"),
        ("HPKE-1-KE", "EC", "P-256"),
        ("HPKE-4-KE", "oct", None),
    ],
)
def test_wrong_key_type_or_curve_is_refused(alg: str, kty: str, crv: str | None) -> None:
    key = jwk.generate(kty, crv=crv) if crv else jwk.generate(kty)
    enc = "A128GCM" if alg.endswith("-KE") else None
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", key if kty == "oct" else key.public(), alg, enc)


def test_rsa_key_is_refused_for_hpke() -> None:
    rsa = jwk.generate("RSA", size=2048)
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", rsa.public(), "HPKE-0-KE", "A128GCM")


def test_key_bound_to_another_hpke_alg_is_refused(keys: dict[str, Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="HPKE-0"):
        jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0-KE", "A128GCM")
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", keys["HPKE-0-KE"].public(), "HPKE-7", None)
    token = jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0", None)
    with pytest.raises(errors.InvalidKeyError):
        jwe.decrypt(token, keys["HPKE-7"], algorithms=["HPKE-0"])


def test_public_key_cannot_decrypt(keys: dict[str, Key]) -> None:
    token = jwe.encrypt(b"x", keys["HPKE-3"].public(), "HPKE-3", None)
    with pytest.raises(errors.InvalidKeyError, match="private"):
        jwe.decrypt(token, keys["HPKE-3"].public(), algorithms=["HPKE-3"])


def test_signing_key_is_refused() -> None:
    key = jwk.generate("EC", crv="P-256", use="sig")
    with pytest.raises(errors.InvalidKeyError, match="use"):
        jwe.encrypt(b"x", key.public(), "HPKE-0", None)


def test_password_is_not_a_key() -> None:
    with pytest.raises(errors.InvalidKeyError, match="PBES2"):
        jwe.encrypt(b"x", "hunter2", "HPKE-0", None)


def test_x448_and_mlkem768_p256_suites_are_unsupported() -> None:
    x448 = jwk.generate("OKP", crv="X448")
    for alg, enc in (("HPKE-5", None), ("HPKE-6-KE", "A256GCM")):
        with pytest.raises(errors.UnsupportedAlgorithmError, match="X448"):
            jwe.encrypt(b"x", x448.public(), alg, enc)
    with pytest.raises(errors.UnsupportedAlgorithmError, match="MLKEM768-P256"):
        jwe.encrypt(b"x", x448.public(), "HPKE-8", None)


# -- header rules -----------------------------------------------------------------------------


def test_integrated_refuses_an_enc(keys: dict[str, Key]) -> None:
    with pytest.raises(errors.InvalidHeaderError, match="enc"):
        jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0", "A128GCM")
    token = jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0", None)
    _h64, *rest = token.split(".")
    forged = b64e_str(b'{"alg":"HPKE-0","enc":"A128GCM","kid":"r"}')
    with pytest.raises(errors.InvalidHeaderError, match="enc"):
        jwe.decrypt(".".join([forged, *rest]), keys["HPKE-0"], algorithms=["HPKE-0"])


def test_integrated_refuses_an_ek_and_caller_set_generated_parameters(
    keys: dict[str, Key],
) -> None:
    for name in ("ek", "iv", "epk"):
        with pytest.raises(errors.InvalidHeaderError):
            jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0", None, header={name: "AAAA"})
    token = jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0", None)
    _, *rest = token.split(".")
    forged = b64e_str(b'{"alg":"HPKE-0","ek":"AAAA"}')
    with pytest.raises(errors.InvalidHeaderError, match="ek"):
        jwe.decrypt(".".join([forged, *rest]), keys["HPKE-0"], algorithms=["HPKE-0"])


def test_integrated_needs_empty_iv_and_tag(keys: dict[str, Key]) -> None:
    h64, ek64, _, ct64, _ = jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0", None).split(".")
    for iv64, tag64 in (("AAAAAAAAAAAAAAAA", ""), ("", "AAAAAAAAAAAAAAAAAAAAAA")):
        with pytest.raises(errors.MalformedError):
            jwe.decrypt(
                f"{h64}.{ek64}.{iv64}.{ct64}.{tag64}", keys["HPKE-0"], algorithms=["HPKE-0"]
            )


def test_integrated_has_exactly_one_recipient(keys: dict[str, Key]) -> None:
    recipients = [jwe.Recipient(keys["HPKE-0"].public(), "HPKE-0")] * 2
    with pytest.raises(errors.InvalidHeaderError, match="one recipient"):
        jwe.encrypt_json(b"x", recipients, None)
    mixed = [
        jwe.Recipient(keys["HPKE-0"].public(), "HPKE-0"),
        jwe.Recipient(keys["HPKE-0-KE"].public(), "HPKE-0-KE"),
    ]
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt_json(b"x", mixed, "A128GCM")
    document = jwe.encrypt_json(b"x", recipients[:1], None)
    document["recipients"] = document["recipients"] * 2
    with pytest.raises(errors.MalformedError, match="exactly one recipient"):
        jwe.decrypt_json(document, keys["HPKE-0"], algorithms=["HPKE-0"])


def test_integrated_alg_must_be_protected(keys: dict[str, Key]) -> None:
    with pytest.raises(errors.InvalidHeaderError, match="protected"):
        jwe.encrypt_json(
            b"x",
            [jwe.Recipient(keys["HPKE-0"].public(), "HPKE-0", header={"alg": "HPKE-0"})],
            None,
        )
    document = jwe.encrypt_json(b"x", [jwe.Recipient(keys["HPKE-0"].public(), "HPKE-0")], None)
    moved = {
        "protected": b64e_str(b'{"kid":"r"}'),
        "unprotected": {"alg": "HPKE-0"},
        "recipients": document["recipients"],
        "ciphertext": document["ciphertext"],
    }
    with pytest.raises(errors.InvalidHeaderError, match="protected"):
        jwe.decrypt_json(moved, keys["HPKE-0"], algorithms=["HPKE-0"])


def test_key_encryption_needs_an_ek(keys: dict[str, Key]) -> None:
    document = jwe.encrypt_json(
        b"x", [jwe.Recipient(keys["HPKE-3-KE"].public(), "HPKE-3-KE")], "A128GCM"
    )
    del document["recipients"][0]["header"]["ek"]
    with pytest.raises(errors.InvalidHeaderError, match="'ek'"):
        jwe.decrypt_json(document, keys["HPKE-3-KE"], algorithms=["HPKE-3-KE"])


@pytest.mark.parametrize("alg", ["HPKE-0", "HPKE-3-KE"])
def test_psk_mode_is_refused_with_the_reason(alg: str, keys: dict[str, Key]) -> None:
    enc = "A128GCM" if alg.endswith("-KE") else None
    with pytest.raises(errors.UnsupportedAlgorithmError, match="mode_psk"):
        jwe.encrypt(b"x", keys[alg].public(), alg, enc, header={"psk_id": "c2VjcmV0LWlk"})
    token = jwe.encrypt(b"x", keys[alg].public(), alg, enc)
    header = json.loads(b64d(token.split(".")[0]))
    forged = b64e_str(json.dumps({**header, "psk_id": "c2VjcmV0LWlk"}).encode())
    with pytest.raises(errors.UnsupportedAlgorithmError, match="psk_id"):
        jwe.decrypt(".".join([forged, *token.split(".")[1:]]), keys[alg], algorithms=[alg])


# -- tampering: one uniform DecryptionError --------------------------------------------------


@pytest.mark.parametrize("part", [0, 1, 3])
@pytest.mark.parametrize("alg", ["HPKE-0", "HPKE-3", "HPKE-4"])
def test_integrated_tampering_fails_uniformly(alg: str, part: int, keys: dict[str, Key]) -> None:
    parts = jwe.encrypt(b"secret", keys[alg].public(), alg, None).split(".")
    if part == 0:  # the protected header is the HPKE aad
        header = json.loads(b64d(parts[0]))
        parts[0] = b64e_str(json.dumps({**header, "cty": "x"}).encode())
    else:
        parts[part] = _flip(parts[part], index=len(b64d(parts[part])) // 2)
    with pytest.raises(errors.DecryptionError) as info:
        jwe.decrypt(".".join(parts), keys[alg], algorithms=[alg])
    assert str(info.value) == DECRYPTION_FAILED


@pytest.mark.parametrize("alg", ["HPKE-0-KE", "HPKE-3-KE"])
def test_tampered_ek_fails_uniformly(alg: str, keys: dict[str, Key]) -> None:
    document = jwe.encrypt_json(b"secret", [jwe.Recipient(keys[alg].public(), alg)], "A256GCM")
    header = document["recipients"][0]["header"]
    for bad in (_flip(header["ek"], 5), _flip(header["ek"], 0), header["ek"][:-4], "AAAA"):
        tampered = json.loads(json.dumps(document))
        tampered["recipients"][0]["header"]["ek"] = bad
        with pytest.raises(errors.DecryptionError) as info:
            jwe.decrypt_json(tampered, keys[alg], algorithms=[alg])
        assert str(info.value) == DECRYPTION_FAILED


def test_tampered_integrated_ek_in_compact(keys: dict[str, Key]) -> None:
    parts = jwe.encrypt(b"x", keys["HPKE-3"].public(), "HPKE-3", None).split(".")
    short = b64e_str(b64d(parts[1])[:-1])
    for bad in (short, b64e_str(bytes(32)), b64e_str(b"\x01" + bytes(31))):
        with pytest.raises(errors.DecryptionError):
            jwe.decrypt(
                ".".join([parts[0], bad, *parts[2:]]), keys["HPKE-3"], algorithms=["HPKE-3"]
            )


def test_key_encryption_binds_enc_through_the_recipient_structure(keys: dict[str, Key]) -> None:
    # enc left unprotected: changing it changes the HPKE info, so the CEK cannot be opened.
    document = jwe.encrypt_json(
        b"x",
        [jwe.Recipient(keys["HPKE-3-KE"].public(), "HPKE-3-KE")],
        "A128GCM",
        unprotected={"enc": "A128GCM"},
    )
    assert "protected" not in document
    assert jwe.decrypt_json(document, keys["HPKE-3-KE"], algorithms=["HPKE-3-KE"]).plaintext == b"x"
    document["unprotected"] = {"enc": "A192GCM"}
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt_json(document, keys["HPKE-3-KE"], algorithms=["HPKE-3-KE"])


def test_wrong_recipient_key_fails_uniformly(keys: dict[str, Key]) -> None:
    other = _key("HPKE-0")
    token = jwe.encrypt(b"x", keys["HPKE-0"].public(), "HPKE-0", None)
    with pytest.raises(errors.DecryptionError) as info:
        jwe.decrypt(token, other, algorithms=["HPKE-0"])
    assert str(info.value) == DECRYPTION_FAILED
