"""KeySet: import rules (RFC 7517 §5), hygiene (SECURITY-NOTES row 28) and key selection."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from josekit import Limits, errors, jwe, jwk, jws
from josekit.jwk import Key, KeyResolver, KeySet, resolve_keys


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@pytest.fixture(scope="module")
def ec_keys() -> list[Key]:
    return [
        jwk.generate("EC", crv="P-256", kid="ec-sig", alg="ES256", use="sig"),
        jwk.generate("EC", crv="P-384", kid="ec-384", alg="ES384"),
        jwk.generate("OKP", crv="Ed25519", kid="ed", use="sig"),
        jwk.generate("OKP", crv="X25519", kid="x", use="enc"),
        jwk.generate("EC", crv="P-256", kid="ec-enc", use="enc"),
    ]


@pytest.fixture(scope="module")
def public_set(ec_keys: list[Key]) -> KeySet:
    return KeySet([k.public() for k in ec_keys])


def secret(kid: str | None = None, **meta: str) -> Key:
    data = {"kty": "oct", "k": b64url(bytes(range(32))), **meta}
    if kid is not None:
        data["kid"] = kid
    return Key.import_key(data)


# -- construction rules -------------------------------------------------------------------


def test_duplicate_kid_is_refused(ec_keys: list[Key]) -> None:
    other = jwk.generate("EC", crv="P-256", kid="ec-sig")
    with pytest.raises(errors.InvalidKeyError, match="duplicate kid 'ec-sig'"):
        KeySet([ec_keys[0].public(), other.public()])
    with pytest.raises(errors.InvalidKeyError, match="keys 0 and 1"):
        KeySet.import_key_set({"keys": [ec_keys[0].to_dict(), other.to_dict()]})


def test_keys_without_kid_may_repeat(ec_keys: list[Key]) -> None:
    a = Key.import_key({k: v for k, v in ec_keys[0].to_dict().items() if k != "kid"})
    b = jwk.generate("EC").public()
    assert len(KeySet([a, b, a])) == 3


def test_symmetric_and_asymmetric_do_not_mix(ec_keys: list[Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="symmetric"):
        KeySet([secret("s"), ec_keys[0].public()])
    with pytest.raises(errors.InvalidKeyError, match="symmetric"):
        KeySet([ec_keys[0], secret("s")])
    assert len(KeySet([secret("a"), secret("b")])) == 2


def test_private_and_public_do_not_mix(ec_keys: list[Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="private and public"):
        KeySet([ec_keys[0], ec_keys[1].public()])
    private = KeySet(ec_keys)
    assert all(k.is_private for k in private)


def test_only_key_objects(ec_keys: list[Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="Key objects, not dict"):
        KeySet([ec_keys[0].to_dict()])  # type: ignore[list-item]


def test_empty_set() -> None:
    empty = KeySet([])
    assert len(empty) == 0
    assert empty.to_dict() == {"keys": []}
    with pytest.raises(errors.KeyNotFoundError):
        empty.candidates({"alg": "ES256"}, "verify")


# -- import_key_set ---------------------------------------------------------------------------


def test_import_from_dict_json_and_bytes(public_set: KeySet) -> None:
    data = public_set.to_dict()
    for source in (data, public_set.to_json(), public_set.to_json().encode()):
        imported = KeySet.import_key_set(source)
        assert imported.keys == public_set.keys
    assert KeySet.import_key_set(public_set.to_json()).to_dict() == data


@pytest.mark.parametrize(
    "member",
    [
        {"kty": "DSA", "kid": "dsa", "y": "AQAB"},
        {"kty": "EC", "crv": "P-192", "kid": "p192", "x": "AA", "y": "AA"},
        {"kty": "OKP", "crv": "Ed1174", "kid": "e", "x": "AA"},
        {"kty": "quantum", "kid": "q"},
    ],
)
def test_unknown_key_types_are_skipped(public_set: KeySet, member: dict[str, Any]) -> None:
    data = public_set.to_dict()
    imported = KeySet.import_key_set({"keys": [member, *data["keys"]]})
    assert imported.keys == public_set.keys


def test_unsupported_multi_prime_rsa_is_skipped() -> None:
    rsa = jwk.generate("RSA", kid="rsa")
    multi = {
        **rsa.to_dict(private=True),
        "kid": "multi",
        "oth": [{"r": "AQ", "d": "AQ", "t": "AQ"}],
    }
    imported = KeySet.import_key_set({"keys": [multi, rsa.to_dict(private=True)]})
    assert [k.kid for k in imported] == ["rsa"]


@pytest.mark.parametrize(
    ("member", "fragment"),
    [
        ({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, "must be 32 bytes"),
        ({"kty": "oct", "k": ""}, "'k' is empty"),
        ({"kty": "RSA", "n": "AQAB"}, "missing required member 'e'"),
    ],
)
def test_invalid_known_key_invalidates_a_strict_set(
    public_set: KeySet, member: dict[str, Any], fragment: str
) -> None:
    data = public_set.to_dict()
    with pytest.raises(errors.InvalidKeyError, match=f"JWK Set member 2: .*{fragment}"):
        KeySet.import_key_set({"keys": [*data["keys"][:2], member]}, strict=True)


@pytest.mark.parametrize(
    ("member", "fragment"),
    [
        ({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "kid": "bad"}, "must be 32 bytes"),
        ({"kty": "RSA", "n": "AQAB", "kid": "bad"}, "missing required member 'e'"),
    ],
)
def test_invalid_known_key_is_skipped_on_first_use_and_the_others_keep_working(
    public_set: KeySet,
    member: dict[str, Any],
    fragment: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = public_set.to_dict()
    imported = KeySet.import_key_set({"keys": [*data["keys"], member]})
    assert len(imported) == len(public_set) + 1
    assert "not loaded yet" in repr(imported.get("bad"))
    where = f"member {len(public_set)} .*{fragment}"
    with (
        caplog.at_level("WARNING", logger="josekit"),
        pytest.raises(errors.InvalidKeyError, match=where),
    ):
        imported.get("bad").public_crypto_key  # noqa: B018
    (record,) = [r for r in caplog.records if "'bad'" in r.getMessage()]
    assert fragment in record.getMessage()
    with pytest.raises(errors.InvalidKeyError, match=fragment):  # the same answer, kept
        imported.get("bad").thumbprint()
    assert "invalid, skipped" in repr(imported.get("bad"))
    with pytest.raises(errors.KeyNotFoundError, match=f"cannot be used: .*{fragment}"):
        imported.candidates({"kid": "bad"}, "verify")
    assert [k.kid for k in imported.find()] == [k.kid for k in public_set]
    assert imported.to_dict() == data
    assert len(imported.skipped) == 1
    for key in public_set:
        assert imported.get(key.kid or "").thumbprint() == key.thumbprint()


def test_members_of_a_lazy_set_equal_the_imported_keys(public_set: KeySet) -> None:
    imported = KeySet.import_key_set(public_set.to_json())
    for lazy, key in zip(imported, public_set, strict=True):
        assert lazy == key
        assert lazy.to_dict() == key.to_dict()
        assert type(lazy.public_crypto_key) is type(key.public_crypto_key)
        assert repr(lazy) == repr(key)


@pytest.mark.parametrize(
    ("member", "fragment"),
    [
        ("a", "member 0 is not a JSON object"),
        ({"k": "AAAA"}, "no 'kty'"),
        ({"kty": "EC", "kid": 5}, "'kid' must be a string"),
    ],
)
def test_malformed_member_is_skipped_with_a_warning(
    public_set: KeySet, member: Any, fragment: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="josekit"):
        imported = KeySet.import_key_set({"keys": [member, *public_set.to_dict()["keys"]]})
    assert imported.keys == public_set.keys
    assert any(fragment in r.getMessage() for r in caplog.records)
    assert fragment in imported.skipped[0]


def test_empty_set_says_it_is_empty() -> None:
    with pytest.raises(errors.KeyNotFoundError, match="the key set is empty"):
        KeySet.import_key_set({"keys": []}).candidates({"kid": "a"}, "verify")
    with pytest.raises(errors.KeyNotFoundError, match="no usable key: all 2 members"):
        KeySet.import_key_set({"keys": [5, {"kty": "EC"}]}).candidates({}, "verify")


def test_lazy_key_material_is_read_once_across_threads(public_set: KeySet) -> None:
    import threading

    imported = KeySet.import_key_set(public_set.to_json())
    key = imported.keys[0]
    seen: list[object] = []
    barrier = threading.Barrier(8)

    def use() -> None:
        barrier.wait()
        seen.append(key.public_crypto_key)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert all(item is seen[0] for item in seen)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({}, "'keys' array"),
        ({"keys": {}}, "'keys' array"),
        ({"keys": None}, "'keys' array"),
        ({"keys": ["a"]}, "member 0 is not a JSON object"),
        ({"keys": [{"kty": "oct", "k": "AAAA"}, 5]}, "member 1 is not a JSON object"),
        ({"keys": [{"k": "AAAA"}]}, "no 'kty'"),
        ('{"keys": []', "JSON"),
        ("[]", "object"),
        (b"\xff", "UTF-8"),
        ('{"keys": [], "keys": []}', "duplicate"),
        ('{"keys": [{"kty": "oct", "kty": "oct", "k": "AAAA"}]}', "duplicate"),
        ('{"keys": [{"kty": "oct", "k": "AAAA", "x": {"a": 1, "a": 2}}]}', "duplicate"),
        ('{"keys": [{"kty": "oct", "kid": "a:b", "kid": "c"}]}', "duplicate"),
        (b'{"keys": [{"kty": "oct", "k": "AAAA", "k": "BBBB"}]}', "duplicate"),
        ('{"keys": [{"kty": "oct", "k": NaN}]}', "NaN"),
        ('{"keys": [{"kty": "oct"}]} x', "JSON"),
        ([{"kty": "oct"}], "not list"),
        (42, "not int"),
    ],
)
def test_malformed_sets(data: Any, fragment: str) -> None:
    with pytest.raises(errors.MalformedError, match=fragment):
        KeySet.import_key_set(data, strict=True)


def test_max_keys_limit() -> None:
    keys = [{"kty": "oct", "k": b64url(bytes([i]) * 32), "kid": str(i)} for i in range(4)]
    assert len(KeySet.import_key_set({"keys": keys}, limits=Limits(max_keys=4))) == 4
    with pytest.raises(errors.LimitExceededError, match="more than the limit of 3"):
        KeySet.import_key_set({"keys": keys}, limits=Limits(max_keys=3))


def test_default_max_keys_limit() -> None:
    keys = [{"kty": "quantum"}] * (Limits().max_keys + 1)
    with pytest.raises(errors.LimitExceededError):
        KeySet.import_key_set({"keys": keys})


# -- export ---------------------------------------------------------------------------------


def test_private_set_exports_public_members_by_default(ec_keys: list[Key]) -> None:
    private = KeySet(ec_keys)
    assert private.to_dict() == {"keys": [k.public().to_dict() for k in ec_keys]}
    assert all("d" in k for k in private.to_dict(private=True)["keys"])
    assert KeySet.import_key_set(private.to_dict(private=True)).keys == private.keys


def test_secret_set_has_no_public_form() -> None:
    keys = KeySet([secret("a")])
    with pytest.raises(errors.InvalidKeyError, match="no public form"):
        keys.to_dict()
    assert keys.to_dict(private=True)["keys"][0]["kid"] == "a"


def test_container_protocol(ec_keys: list[Key], public_set: KeySet) -> None:
    assert len(public_set) == len(ec_keys)
    assert list(public_set) == [k.public() for k in ec_keys]
    assert ec_keys[0].public() in public_set
    assert ec_keys[0] not in public_set
    assert "ec-sig" in repr(public_set)
    assert isinstance(public_set, KeyResolver)


# -- selection ------------------------------------------------------------------------------


def test_get_by_kid(ec_keys: list[Key], public_set: KeySet) -> None:
    assert public_set.get("ed") == ec_keys[2].public()
    with pytest.raises(errors.KeyNotFoundError, match="'nope'"):
        public_set.get("nope")


def test_find(public_set: KeySet) -> None:
    def kids(**criteria: str) -> list[str | None]:
        return [k.kid for k in public_set.find(**criteria)]

    assert kids() == ["ec-sig", "ec-384", "ed", "x", "ec-enc"]
    assert kids(kid="ed") == ["ed"]
    assert kids(kid="nope") == []
    assert kids(kty="OKP") == ["ed", "x"]
    assert kids(use="sig") == ["ec-sig", "ec-384", "ed"]  # ec-384 has no use: it fits any
    assert kids(use="enc") == ["ec-384", "x", "ec-enc"]
    assert kids(alg="ES256") == ["ec-sig", "ed", "x", "ec-enc"]  # keys without alg fit any
    assert kids(alg="ES256", kty="EC", use="sig") == ["ec-sig"]
    assert kids(kid="ec-sig", alg="ES384") == []


def test_candidates_by_kid(public_set: KeySet) -> None:
    assert [k.kid for k in public_set.candidates({"kid": "ed", "alg": "EdDSA"}, "verify")] == ["ed"]
    with pytest.raises(errors.KeyNotFoundError, match="no key with kid 'nope'"):
        public_set.candidates({"kid": "nope", "alg": "ES256"}, "verify")
    with pytest.raises(errors.KeyNotFoundError, match="use 'enc': it cannot verify"):
        public_set.candidates({"kid": "ec-enc", "alg": "ES256"}, "verify")
    # The alg is the algorithm's to judge (jwk.fitting_keys), not the key set's.
    assert [k.kid for k in public_set.candidates({"kid": "ec-sig", "alg": "ES512"}, "verify")] == [
        "ec-sig"
    ]


def test_candidates_with_a_kid_that_is_not_a_string(public_set: KeySet) -> None:
    for kid in (1, ["ed"], {"kid": "ed"}):
        with pytest.raises(errors.KeyNotFoundError, match="not a string"):
            public_set.candidates({"kid": kid, "alg": "EdDSA"}, "verify")


def test_candidates_without_kid(public_set: KeySet) -> None:
    found = public_set.candidates({"alg": "ES384"}, "verify")
    assert all(k.use in (None, "sig") for k in found)
    assert "ec-enc" not in [k.kid for k in found]
    found = public_set.candidates({"alg": "ECDH-ES"}, "decrypt")
    assert all(k.use in (None, "enc") for k in found)
    assert "x" in [k.kid for k in found]
    only_sig = KeySet([k for k in public_set if k.use == "sig"])
    with pytest.raises(errors.KeyNotFoundError, match="allows decrypt"):
        only_sig.candidates({"alg": "ECDH-ES"}, "decrypt")


def test_the_algorithm_decides_which_candidates_fit(public_set: KeySet) -> None:
    signer = jwk.generate("EC", crv="P-256", kid="ec-sig", alg="ES256")
    token = jws.sign(b"x", signer, "ES256", header={"kid": "ec-sig"})
    # the same kid, an alg the key is not for: refused before any cryptography
    forged = token.replace(token.split(".")[0], _header({"alg": "ES384", "kid": "ec-sig"}))
    with pytest.raises(errors.KeyNotFoundError, match=r"can verify alg ES384 .*refused"):
        jws.verify(forged, public_set, algorithms=["ES384"])


def test_a_dir_key_naming_its_enc_is_found_in_a_key_set() -> None:
    key = jwk.generate("oct", size=256, kid="d", alg="A256GCM")
    token = jwe.encrypt(b"secret", key, "dir", "A256GCM")
    result = jwe.decrypt(token, KeySet([key]), algorithms=["dir"])
    assert result.plaintext == b"secret"


def test_verification_picks_the_key_by_kid(ec_keys: list[Key], public_set: KeySet) -> None:
    for key, alg in ((ec_keys[0], "ES256"), (ec_keys[1], "ES384"), (ec_keys[2], "EdDSA")):
        token = jws.sign(b"data", key, alg)
        result = jws.verify(token, public_set, algorithms=[alg])
        assert result.key == key.public()


def test_verification_without_kid_tries_the_fitting_keys(ec_keys: list[Key]) -> None:
    bare = Key.import_key({k: v for k, v in ec_keys[1].to_dict(private=True).items() if k != "kid"})
    token = jws.sign(b"data", bare, "ES384")
    keys = KeySet([jwk.generate("EC", crv="P-384").public(), bare.public()])
    assert jws.verify(token, keys, algorithms=["ES384"]).key == bare.public()


def test_resolve_keys(ec_keys: list[Key], public_set: KeySet) -> None:
    key = ec_keys[0].public()
    assert resolve_keys(key, {"alg": "ES256"}, "verify") == (key,)
    assert resolve_keys(public_set, {"kid": "ec-sig"}, "verify") == [key]
    with pytest.raises(errors.InvalidKeyError, match=r"Key\.import_key"):
        resolve_keys(key.to_pem(), {}, "verify")  # type: ignore[arg-type]


def test_immutable(public_set: KeySet) -> None:
    with pytest.raises(AttributeError):
        public_set._keys = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del public_set._by_kid
    assert len(public_set) == 5


def _header(members: dict[str, str]) -> str:
    raw = json.dumps(members, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
