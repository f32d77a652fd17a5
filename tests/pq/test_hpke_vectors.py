"""draft-ietf-jose-hpke-encrypt-20 Appendix A: the published JWEs decrypt with their keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, errors, jwe
from josekit.algorithms.hpke import recipient_structure

DATA: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "vectors" / "pq" / "hpke_encrypt_20.json").read_text("utf-8")
)
VECTORS: dict[str, Any] = DATA["vectors"]
AVAILABLE = [alg for alg in VECTORS if alg != "HPKE-5"]
FLATTENED = [alg for alg in AVAILABLE if "flattened" in VECTORS[alg]]
FELLOWSHIP = b"The Fellowship of the Ring"


def _key(alg: str) -> Key:
    return Key.import_key(VECTORS[alg]["jwk"])


def test_recipient_structure_example() -> None:
    example = DATA["recipient_structure_example"]
    assert recipient_structure(example["enc"]).hex() == example["hex"]
    assert recipient_structure("A128GCM") == b"JOSE-HPKE rcpt\xffA128GCM\xff"


@pytest.mark.parametrize("alg", list(VECTORS))
def test_published_key_imports_and_kid_is_its_thumbprint(alg: str) -> None:
    key = _key(alg)
    assert key.alg == alg
    assert key.use == "enc"
    assert key.thumbprint() == VECTORS[alg]["jwk"]["kid"]


@pytest.mark.parametrize("alg", AVAILABLE)
def test_published_compact_jwe_decrypts(alg: str) -> None:
    result = jwe.decrypt(VECTORS[alg]["compact"], _key(alg), algorithms=[alg])
    assert result.header["alg"] == alg
    assert result.header["kid"] == VECTORS[alg]["jwk"]["kid"]
    assert ("enc" in result.header) == alg.endswith("-KE")
    assert result.plaintext.startswith(b"You can trust us to stick with you")


@pytest.mark.parametrize("alg", FLATTENED)
def test_published_flattened_jwe_decrypts_with_its_aad(alg: str) -> None:
    result = jwe.decrypt_json(VECTORS[alg]["flattened"], _key(alg), algorithms=[alg])
    assert result.aad == FELLOWSHIP
    compact = jwe.decrypt(VECTORS[alg]["compact"], _key(alg), algorithms=[alg])
    assert result.plaintext == compact.plaintext


@pytest.mark.parametrize("alg", FLATTENED)
def test_published_flattened_jwe_with_changed_aad_fails(alg: str) -> None:
    document = {**VECTORS[alg]["flattened"], "aad": "VGhlIFR3byBUb3dlcnM"}
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt_json(document, _key(alg), algorithms=[alg])


def test_integrated_vectors_have_no_iv_tag_or_enc() -> None:
    for alg in ("HPKE-0", "HPKE-1", "HPKE-3", "HPKE-4", "HPKE-7"):
        parts = VECTORS[alg]["compact"].split(".")
        assert parts[2] == ""
        assert parts[4] == ""
        assert "iv" not in VECTORS[alg]["flattened"]
        assert "tag" not in VECTORS[alg]["flattened"]


def test_x448_vector_names_the_missing_kem() -> None:
    # HPKE-5 is DHKEM(X448, HKDF-SHA512): pyca/cryptography 50 has no X448 HPKE KEM.
    with pytest.raises(errors.UnsupportedAlgorithmError, match=r"DHKEM\(X448, HKDF-SHA512\)"):
        jwe.decrypt(VECTORS["HPKE-5"]["compact"], _key("HPKE-5"), algorithms=["HPKE-5"])


def test_every_available_suite_of_the_draft_has_a_vector_here() -> None:
    # HPKE-0..4 and 7 (and -KE forms of 0, 3, 4, 7): each suite's KEM, KDF and AEAD mapping
    # is checked against the draft's own output at least once.
    numbers = {alg.split("-")[1] for alg in AVAILABLE}
    assert numbers == {"0", "1", "2", "3", "4", "7"}
