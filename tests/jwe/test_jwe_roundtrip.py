"""Round trips through every alg x enc pair and every serialization, and the public API shape."""

from __future__ import annotations

import pytest
from jwe_helpers import RFC_ALGS, RFC_ENCS, KeyFactory

from josekit import errors, jwe
from josekit.algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT

ALGS = sorted(RFC_ALGS)
ENCS = sorted(RFC_ENCS)


def test_registries_list_every_algorithm_of_the_rfcs() -> None:
    assert set(RFC_ALGS) <= set(KEY_MANAGEMENT)
    assert set(CONTENT_ENCRYPTION) == set(RFC_ENCS)
    assert KEY_MANAGEMENT.opt_in == {
        "RSA1_5",
        "PBES2-HS256+A128KW",
        "PBES2-HS384+A192KW",
        "PBES2-HS512+A256KW",
    }


def test_public_names() -> None:
    assert sorted(jwe.__all__) == [
        "DecryptedJWE",
        "Recipient",
        "decrypt",
        "decrypt_async",
        "decrypt_json",
        "decrypt_json_async",
        "encrypt",
        "encrypt_json",
        "unverified_header",
    ]


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", ALGS)
def test_compact_round_trip(keys: KeyFactory, alg: str, enc: str) -> None:
    public, private = keys.pair(alg, enc)
    token = jwe.encrypt(b"attack at dawn", public, alg, enc)
    assert token.count(".") == 4
    result = jwe.decrypt(token, private, algorithms=[alg], encryptions=[enc])
    assert result.plaintext == b"attack at dawn"
    assert result.header["alg"] == alg
    assert result.header["enc"] == enc
    assert result.protected_header == result.header


@pytest.mark.parametrize("alg", ALGS)
def test_flattened_round_trip(keys: KeyFactory, alg: str) -> None:
    public, private = keys.pair(alg, "A256GCM")
    obj = jwe.encrypt_json(
        "ünïcode", [jwe.Recipient(public, alg)], "A256GCM", aad=b"extra", flattened=True
    )
    assert "recipients" not in obj
    result = jwe.decrypt_json(obj, private, algorithms=[alg])
    assert result.plaintext == "ünïcode".encode()
    assert result.aad == b"extra"


@pytest.mark.parametrize("crv", ["P-256", "P-384", "P-521", "X25519", "X448"])
@pytest.mark.parametrize("alg", ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"])
def test_ecdh_every_curve(keys: KeyFactory, alg: str, crv: str) -> None:
    public, private = keys.pair(alg, "A128CBC-HS256", crv)
    token = jwe.encrypt(b"x", public, alg, "A128CBC-HS256", header={"apu": "QWxpY2U"})
    result = jwe.decrypt(token, private, algorithms=[alg])
    assert result.plaintext == b"x"
    assert result.header["epk"]["crv"] == crv
    assert "d" not in result.header["epk"]


def test_general_with_several_recipients(keys: KeyFactory) -> None:
    kw_public, kw_private = keys.pair("A128KW", "A128GCM")
    rsa_public, rsa_private = keys.pair("RSA-OAEP-256", "A128GCM")
    ec_public, ec_private = keys.pair("ECDH-ES+A192KW", "A128GCM", "P-384")
    obj = jwe.encrypt_json(
        b"to all of you",
        [
            jwe.Recipient(kw_public, "A128KW", {"kid": "kw"}),
            jwe.Recipient(rsa_public, "RSA-OAEP-256", {"kid": "rsa"}),
            jwe.Recipient(ec_public, "ECDH-ES+A192KW", {"kid": "ec"}),
        ],
        "A128GCM",
        protected={"cty": "text/plain"},
        unprotected={"jku": "https://example.com/keys"},
        zip="DEF",
    )
    assert len(obj["recipients"]) == 3
    for private, alg, kid in (
        (kw_private, "A128KW", "kw"),
        (rsa_private, "RSA-OAEP-256", "rsa"),
        (ec_private, "ECDH-ES+A192KW", "ec"),
    ):
        result = jwe.decrypt_json(obj, private, algorithms=[alg])
        assert result.plaintext == b"to all of you"
        assert result.header["kid"] == kid
        assert result.header["cty"] == "text/plain"
        assert result.protected_header == {"cty": "text/plain", "enc": "A128GCM", "zip": "DEF"}


def test_json_text_is_accepted(keys: KeyFactory) -> None:
    key, _ = keys.pair("A256KW", "A256GCM")
    obj = jwe.encrypt_json(b"x", [jwe.Recipient(key, "A256KW")], "A256GCM")
    from josekit._json import dumps

    assert jwe.decrypt_json(dumps(obj), key, algorithms=["A256KW"]).plaintext == b"x"
    assert jwe.decrypt_json(dumps(obj).encode(), key, algorithms=["A256KW"]).plaintext == b"x"


def test_direct_modes_stand_alone(keys: KeyFactory) -> None:
    key, _ = keys.pair("dir", "A256GCM")
    other, _ = keys.pair("A256KW", "A256GCM")
    with pytest.raises(errors.InvalidHeaderError, match="cannot be used with other"):
        jwe.encrypt_json(
            b"x", [jwe.Recipient(key, "dir"), jwe.Recipient(other, "A256KW")], "A256GCM"
        )


def test_compression_round_trip(keys: KeyFactory) -> None:
    key, _ = keys.pair("A128KW", "A128GCM")
    text = b"all work and no play " * 500
    token = jwe.encrypt(text, key, "A128KW", "A128GCM", zip="DEF")
    assert len(token) < len(text)
    result = jwe.decrypt(token, key, algorithms=["A128KW"])
    assert result.plaintext == text
    assert result.header["zip"] == "DEF"


def test_kid_of_the_key_goes_into_the_header(keys: KeyFactory) -> None:
    from josekit import jwk

    key = jwk.generate("EC", crv="P-256", kid="k-1")
    token = jwe.encrypt(b"x", key.public(), "ECDH-ES", "A128GCM")
    assert jwe.decrypt(token, key, algorithms=["ECDH-ES"]).header["kid"] == "k-1"


def test_token_as_bytes_and_result_fields(keys: KeyFactory) -> None:
    public, private = keys.pair("RSA-OAEP-256", "A256GCM")
    token = jwe.encrypt("text", public, "RSA-OAEP-256", "A256GCM", header={"cty": "text/plain"})
    result = jwe.decrypt(token.encode("ascii"), private, algorithms=["RSA-OAEP-256"])
    assert result.plaintext == b"text"
    assert result.key is private
    assert result.header == {"cty": "text/plain", "alg": "RSA-OAEP-256", "enc": "A256GCM"}
    assert result.aad is None
    with pytest.raises(AttributeError):
        result.plaintext = b"changed"  # type: ignore[misc]


def test_header_contradicting_the_arguments_is_refused() -> None:
    from jwe_helpers import oct_key

    key = oct_key(16)
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt(b"x", key, "A128KW", "A128GCM", header={"alg": "A256KW"})
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt(b"x", key, "A128KW", "A128GCM", header={"enc": "A256GCM"})
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt_json(b"x", [jwe.Recipient(key, "A128KW")], "A128GCM", protected={"alg": "dir"})
    with pytest.raises(errors.MalformedError):
        jwe.encrypt(12, key, "A128KW", "A128GCM")  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt_json(b"x", [], "A128GCM")
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt_json(
            b"x",
            [jwe.Recipient(key, "A128KW"), jwe.Recipient(key, "A128KW")],
            "A128GCM",
            flattened=True,
        )
