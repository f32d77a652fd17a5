"""Published JWK examples: RFC 7520 §3, RFC 7638 §3.1, RFC 8037 Appendix A, RFC 9278 §3."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from josekit import errors, jwk, jws

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "jwk"
COOKBOOK = VECTORS / "cookbook"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


THUMBPRINTS = load(VECTORS / "rfc" / "thumbprints.json")
COOKBOOK_FILES = sorted(p.name for p in COOKBOOK.glob("3_*.json"))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# -- RFC 7520 §3: the six JWKs of the JOSE cookbook ------------------------------------


def test_all_six_cookbook_keys_are_present() -> None:
    assert len(COOKBOOK_FILES) == 6


@pytest.mark.parametrize("name", COOKBOOK_FILES)
def test_cookbook_key_round_trips_exactly(name: str) -> None:
    vector = load(COOKBOOK / name)
    key = jwk.Key.import_key(vector)
    assert key.kty == vector["kty"]
    assert key.kid == vector["kid"]
    assert key.use == vector["use"]
    assert key.alg == vector.get("alg")
    assert key.crv == vector.get("crv")
    # Every member survives, with exactly the published encoding.
    assert key.to_dict(private=True) == vector
    assert jwk.Key.import_key(key.to_json(private=True)) == key


@pytest.mark.parametrize(
    ("private_name", "public_name"),
    [
        ("3_2.ec_private_key.json", "3_1.ec_public_key.json"),
        ("3_4.rsa_private_key.json", "3_3.rsa_public_key.json"),
    ],
)
def test_cookbook_private_key_has_the_published_public_half(
    private_name: str, public_name: str
) -> None:
    private = jwk.Key.import_key(load(COOKBOOK / private_name))
    public = jwk.Key.import_key(load(COOKBOOK / public_name))
    assert private.is_private
    assert not public.is_private
    assert private.to_dict() == load(COOKBOOK / public_name)
    assert private.public() == public
    assert private.thumbprint() == public.thumbprint()


@pytest.mark.parametrize(
    ("private_name", "public_name", "alg"),
    [
        ("3_2.ec_private_key.json", "3_1.ec_public_key.json", "ES512"),
        ("3_4.rsa_private_key.json", "3_3.rsa_public_key.json", "PS384"),
    ],
)
def test_cookbook_key_pair_signs_and_verifies(
    private_name: str, public_name: str, alg: str
) -> None:
    private = jwk.Key.import_key(load(COOKBOOK / private_name))
    public = jwk.Key.import_key(load(COOKBOOK / public_name))
    token = jws.sign(b"It's a dangerous business, Frodo", private, alg)
    assert jws.verify(token, public, algorithms=[alg]).payload.startswith(b"It's")


def test_cookbook_sizes() -> None:
    sizes = {name: jwk.Key.import_key(load(COOKBOOK / name)).size for name in COOKBOOK_FILES}
    assert sizes == {
        "3_1.ec_public_key.json": 521,
        "3_2.ec_private_key.json": 521,
        "3_3.rsa_public_key.json": 2048,
        "3_4.rsa_private_key.json": 2048,
        "3_5.symmetric_key_mac_computation.json": 256,
        "3_6.symmetric_key_encryption.json": 256,
    }


def test_cookbook_mac_key_is_for_hs256_signatures_only() -> None:
    key = jwk.Key.import_key(load(COOKBOOK / "3_5.symmetric_key_mac_computation.json"))
    assert key.is_symmetric
    key.check_usage("sign", "HS256")
    key.check_usage("verify", "HS256")
    with pytest.raises(errors.InvalidKeyError, match="HS256"):
        key.check_usage("sign", "HS512")
    with pytest.raises(errors.InvalidKeyError, match="use 'sig'"):
        key.check_usage("encrypt")
    with pytest.raises(errors.InvalidKeyError, match="no public form"):
        key.to_dict()


def test_cookbook_encryption_key_is_for_a256gcm_only() -> None:
    key = jwk.Key.import_key(load(COOKBOOK / "3_6.symmetric_key_encryption.json"))
    key.check_usage("encrypt", "A256GCM")
    key.check_usage("decrypt", "A256GCM")
    with pytest.raises(errors.InvalidKeyError, match="use 'enc'"):
        key.check_usage("sign")
    with pytest.raises(errors.InvalidKeyError, match="A256GCM"):
        key.check_usage("encrypt", "A128GCM")
    with pytest.raises(errors.InvalidKeyError):
        jws.sign(b"x", key, "HS256")


# -- RFC 7638 §3.1 and RFC 9278 §3 ---------------------------------------------------


def test_rfc7638_thumbprint() -> None:
    vector = THUMBPRINTS["rfc7638_3_1"]
    key = jwk.Key.import_key(vector["jwk"])
    assert key.thumbprint("SHA-256") == vector["thumbprint_sha256"]
    assert key.thumbprint() == vector["thumbprint_sha256"]
    # kid/alg are not thumbprint members: the bare key has the same thumbprint.
    bare = {m: vector["jwk"][m] for m in ("kty", "n", "e")}
    assert jwk.Key.import_key(bare).thumbprint() == vector["thumbprint_sha256"]


@pytest.mark.parametrize(("name", "algo"), [("SHA-384", "sha384"), ("SHA-512", "sha512")])
def test_rfc7638_thumbprint_other_hashes(name: str, algo: str) -> None:
    # The RFC gives the canonical JSON; other hashes are computed over it independently.
    vector = THUMBPRINTS["rfc7638_3_1"]
    expected = b64url(hashlib.new(algo, vector["canonical"].encode("utf-8")).digest())
    assert jwk.Key.import_key(vector["jwk"]).thumbprint(name) == expected


def test_thumbprint_of_a_private_key_is_that_of_its_public_key() -> None:
    key = jwk.Key.import_key(load(COOKBOOK / "3_4.rsa_private_key.json"))
    canonical = json.dumps(
        {m: key.to_dict()[m] for m in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True
    )
    assert key.thumbprint() == b64url(hashlib.sha256(canonical.encode()).digest())


def test_unknown_thumbprint_hash_is_refused() -> None:
    key = jwk.Key.import_key(THUMBPRINTS["rfc7638_3_1"]["jwk"])
    with pytest.raises(errors.UnsupportedAlgorithmError, match="SHA-256"):
        key.thumbprint("MD5")
    with pytest.raises(errors.UnsupportedAlgorithmError):
        key.thumbprint_uri("SHA-1")


def test_rfc9278_thumbprint_uri() -> None:
    key = jwk.Key.import_key(THUMBPRINTS["rfc7638_3_1"]["jwk"])
    assert key.thumbprint_uri() == THUMBPRINTS["rfc9278_3"]["uri"]
    assert key.thumbprint_uri("SHA-256") == THUMBPRINTS["rfc9278_3"]["uri"]


def test_thumbprint_uri_names_other_hashes() -> None:
    key = jwk.Key.import_key(THUMBPRINTS["rfc7638_3_1"]["jwk"])
    uri = key.thumbprint_uri("SHA-512")
    assert uri == "urn:ietf:params:oauth:jwk-thumbprint:sha-512:" + key.thumbprint("SHA-512")


# -- RFC 8037 Appendix A: the Ed25519 key -------------------------------------------------

ED25519 = load(COOKBOOK / "curve25519_jws.json")


def test_rfc8037_a1_private_key() -> None:
    data = ED25519["input"]["key"]
    key = jwk.Key.import_key(data)
    assert (key.kty, key.crv, key.use, key.size) == ("OKP", "Ed25519", "sig", 256)
    assert key.is_private
    assert key.to_dict(private=True) == data


def test_rfc8037_a2_public_key_and_a3_thumbprint() -> None:
    vector = THUMBPRINTS["rfc8037_a_3"]
    public = jwk.Key.import_key(vector["jwk"])
    assert not public.is_private
    assert public.thumbprint() == vector["thumbprint_sha256"]
    assert b64url(hashlib.sha256(vector["canonical"].encode()).digest()) == public.thumbprint()
    private = jwk.Key.import_key(ED25519["input"]["key"])
    assert private.thumbprint() == vector["thumbprint_sha256"]
    assert private.public().to_dict() == {**vector["jwk"], "use": "sig"}


def test_rfc8037_a4_signature() -> None:
    private = jwk.Key.import_key(ED25519["input"]["key"])
    compact = ED25519["output"]["compact"]
    result = jws.verify(compact, private.public(), algorithms=["EdDSA"])
    assert result.payload == ED25519["input"]["payload"].encode()
    # Ed25519 is deterministic: signing again gives the published token.
    assert jws.sign(ED25519["input"]["payload"], private, "EdDSA") == compact


def test_rfc8037_private_key_with_another_public_key_is_refused() -> None:
    data = dict(ED25519["input"]["key"])
    data["x"] = b64url(bytes(32))
    with pytest.raises(errors.InvalidKeyError, match="does not match"):
        jwk.Key.import_key(data)
