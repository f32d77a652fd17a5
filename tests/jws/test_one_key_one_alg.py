"""draft-ietf-oauth-rfc8725bis §3.1: each key is used with exactly one algorithm.

A key without ``alg`` gets its algorithm from the caller's allow-list, which must then leave
exactly one that fits it; checked when the verification or decryption runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from josekit import errors, jwe, jwk, jws, jwt
from josekit.jwk import Key, KeySet


@pytest.fixture(scope="module")
def rsa_key() -> Key:
    return jwk.generate("RSA")


def test_alg_less_rsa_key_refuses_two_fitting_algorithms(rsa_key: Key) -> None:
    public = rsa_key.public()
    for alg in ("RS256", "PS256"):
        token = jws.sign(b"x", rsa_key, alg)
        with pytest.raises(errors.AlgorithmNotAllowedError, match="exactly one algorithm") as e:
            jws.verify(token, public, algorithms=["RS256", "PS256"])
        assert "alg='RS256'" in str(e.value) or f"alg={alg!r}" in str(e.value)
        assert "PS256, RS256" in str(e.value)


def test_alg_less_key_with_one_fitting_algorithm_verifies(rsa_key: Key) -> None:
    token = jws.sign(b"x", rsa_key, "RS256")
    # ES256 does not fit an RSA key: one algorithm is left for it.
    assert jws.verify(token, rsa_key.public(), algorithms=["RS256", "ES256"]).payload == b"x"
    assert jws.verify(token, rsa_key.public(), algorithms=["RS256"]).payload == b"x"


def test_key_with_alg_verifies_with_several_allowed(rsa_key: Key) -> None:
    bound = Key.import_key(rsa_key.public().to_dict(), alg="PS256")
    token = jws.sign(b"x", rsa_key, "PS256")
    assert jws.verify(token, bound, algorithms=["RS256", "PS256"]).payload == b"x"
    with pytest.raises(errors.JoseError):
        jws.verify(jws.sign(b"x", rsa_key, "RS256"), bound, algorithms=["RS256", "PS256"])


def test_key_set_member_without_alg_is_refused(rsa_key: Key) -> None:
    keys = KeySet([Key.import_key(rsa_key.public().to_dict(), kid="r")])
    token = jws.sign(b"x", rsa_key, "PS256", header={"kid": "r"})
    with pytest.raises(errors.AlgorithmNotAllowedError, match="key 'r' has no 'alg'"):
        jws.verify(token, keys, algorithms=["RS256", "PS256"])


def test_json_serialization_applies_the_rule(rsa_key: Key) -> None:
    token = jws.sign_json(b"x", [jws.Signer(rsa_key, "RS256")])
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.verify_json(token, rsa_key.public(), algorithms=["RS256", "PS256"])


def test_jwt_decode_applies_the_rule(rsa_key: Key) -> None:
    token = jwt.encode({"sub": "a"}, rsa_key, "RS256")
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jwt.decode(token, rsa_key.public(), algorithms=["RS256", "PS256"])


def test_hmac_key_fits_only_the_hashes_it_is_long_enough_for() -> None:
    secret = jwk.generate("oct", size=256)
    token = jws.sign(b"x", secret, "HS256")
    # HS384 and HS512 need longer keys: HS256 is the one algorithm left for this key.
    assert jws.verify(token, secret, algorithms=["HS256", "HS384", "HS512"]).payload == b"x"
    long_secret = jwk.generate("oct", size=512)
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.verify(jws.sign(b"x", long_secret, "HS256"), long_secret, algorithms=["HS256", "HS512"])


def test_decrypt_applies_the_rule(rsa_key: Key) -> None:
    token = jwe.encrypt(b"x", rsa_key.public(), "RSA-OAEP-256", "A256GCM")
    with pytest.raises(errors.AlgorithmNotAllowedError, match="exactly one algorithm"):
        jwe.decrypt(token, rsa_key, algorithms=["RSA-OAEP", "RSA-OAEP-256"])
    assert jwe.decrypt(token, rsa_key, algorithms=["RSA-OAEP-256", "A256KW"]).plaintext == b"x"
    bound = Key.import_key(rsa_key.to_dict(private=True), alg="RSA-OAEP-256")
    assert jwe.decrypt(token, bound, algorithms=["RSA-OAEP", "RSA-OAEP-256"]).plaintext == b"x"


def test_decrypt_json_applies_the_rule(rsa_key: Key) -> None:
    token = jwe.encrypt_json(b"x", [jwe.Recipient(rsa_key.public(), "RSA-OAEP-256")], "A256GCM")
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jwe.decrypt_json(token, rsa_key, algorithms=["RSA-OAEP", "RSA-OAEP-256"])


def test_integrated_encryption_applies_the_rule() -> None:
    key = jwk.generate("EC", crv="P-256")
    token = jwe.encrypt(b"x", key.public(), "HPKE-0", None)
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jwe.decrypt(token, key, algorithms=["HPKE-0", "ECDH-ES"])
    bound = Key.import_key(key.to_dict(private=True), alg="HPKE-0")
    assert jwe.decrypt(token, bound, algorithms=["HPKE-0", "ECDH-ES"]).plaintext == b"x"


def test_security_guide_maps_each_bcp_requirement_to_an_existing_test() -> None:
    root = Path(__file__).resolve().parents[2]
    page = (root / "docs" / "guide" / "security.md").read_text()
    table = page.split("## One key, one algorithm (RFC 8725bis)", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`tests/" in line]
    assert len(rows) >= 12
    for row in rows:
        for ref in re.findall(r"`(tests/[^`]+)`", row):
            path, _, name = ref.partition("::")
            source = (root / path).read_text()
            assert not name or f"def {name}(" in source, ref
