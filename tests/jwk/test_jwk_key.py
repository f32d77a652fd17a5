"""Key: import from every format, validation, export, public(), usage, immutability."""

from __future__ import annotations

import base64
import copy
import datetime
import hashlib
import math
import pickle
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from josekit import errors, jwk
from josekit.jwk import Key

# Every key type and curve josekit generates, with an algorithm it signs with (None: ECDH).
KINDS: list[tuple[str, dict[str, Any]]] = [
    ("RSA", {}),
    ("EC", {"crv": "P-256"}),
    ("EC", {"crv": "P-384"}),
    ("EC", {"crv": "P-521"}),
    ("EC", {"crv": "secp256k1"}),
    ("OKP", {"crv": "Ed25519"}),
    ("OKP", {"crv": "Ed448"}),
    ("OKP", {"crv": "X25519"}),
    ("OKP", {"crv": "X448"}),
]
KIND_IDS = [f"{kty}-{kw.get('crv', '')}" for kty, kw in KINDS]
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_int(value: int) -> str:
    return b64url(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def keys() -> dict[str, Key]:
    """One generated private key per kind (RSA generation is the slow part: do it once)."""
    out = {ident: jwk.generate(kty, **kw) for ident, (kty, kw) in zip(KIND_IDS, KINDS, strict=True)}
    out["oct"] = jwk.generate("oct", size=256)
    return out


@pytest.fixture(scope="module")
def rsa_key(keys: dict[str, Key]) -> Key:
    return keys["RSA-"]


def make_certificate(private: Any, public: Any) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "josekit test")])
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    algorithm = None if isinstance(private, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(private, algorithm)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


# -- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("ident", KIND_IDS)
def test_jwk_round_trip(keys: dict[str, Key], ident: str) -> None:
    key = keys[ident]
    assert key.is_private
    again = Key.import_key(key.to_dict(private=True))
    assert again == key
    assert again.to_dict(private=True) == key.to_dict(private=True)
    public = Key.import_key(key.to_dict())
    assert not public.is_private
    assert public == key.public()
    assert Key.import_key(key.to_json()) == public
    assert Key.import_key(key.to_json(private=True).encode()) == key


@pytest.mark.parametrize("ident", KIND_IDS)
def test_pem_round_trip(keys: dict[str, Key], ident: str) -> None:
    key = keys[ident]
    private_pem = key.to_pem(private=True)
    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert Key.import_key(private_pem) == key
    assert Key.import_key(private_pem.encode()) == key
    public_pem = key.to_pem()
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert Key.import_key(public_pem) == key.public()
    assert key.public().to_pem() == public_pem


@pytest.mark.parametrize("ident", KIND_IDS)
def test_der_and_crypto_object_round_trip(keys: dict[str, Key], ident: str) -> None:
    key = keys[ident]
    pkcs8 = key.crypto_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    spki = key.public_crypto_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert Key.import_key(pkcs8) == key
    assert Key.import_key(bytearray(pkcs8)) == key
    assert Key.import_key(spki) == key.public()
    assert Key.import_key(key.crypto_key) == key
    assert Key.import_key(key.public_crypto_key) == key.public()


def test_oct_round_trip(keys: dict[str, Key]) -> None:
    key = keys["oct"]
    assert key.is_private
    assert key.is_symmetric
    assert key.size == 256
    assert Key.import_key(key.to_dict(private=True)) == key
    assert key.crypto_key == unb64url(key.to_dict(private=True)["k"])
    assert key.public_crypto_key is None


@pytest.mark.parametrize(
    ("ident", "size"),
    [
        ("RSA-", 2048),
        ("EC-P-256", 256),
        ("EC-P-384", 384),
        ("EC-P-521", 521),
        ("EC-secp256k1", 256),
        ("OKP-Ed25519", 256),
        ("OKP-Ed448", 456),
        ("OKP-X25519", 256),
        ("OKP-X448", 448),
        ("oct", 256),
    ],
)
def test_sizes(keys: dict[str, Key], ident: str, size: int) -> None:
    assert keys[ident].size == size


def test_rsa_members_are_minimal_base64urluint(rsa_key: Key) -> None:
    # Find a public exponent whose private exponent needs fewer octets than n, so that a
    # fixed-width encoding would show a leading zero octet (RFC 7518 §2 forbids that).
    numbers = rsa_key.crypto_key.private_numbers()
    p, q = numbers.p, numbers.q
    lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    n_bytes = (numbers.public_numbers.n.bit_length() + 7) // 8
    e = 65537
    while True:
        e += 2
        if math.gcd(e, lam) == 1 and pow(e, -1, lam).bit_length() <= 8 * (n_bytes - 1):
            break
    d = pow(e, -1, lam)
    private = rsa.RSAPrivateNumbers(
        p,
        q,
        d,
        rsa.rsa_crt_dmp1(d, p),
        rsa.rsa_crt_dmq1(d, q),
        rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(e, p * q),
    ).private_key()
    exported = Key.import_key(private).to_dict(private=True)
    for member in ("n", "e", "d", "p", "q", "dp", "dq", "qi"):
        assert unb64url(exported[member])[0] != 0, member
    assert len(unb64url(exported["d"])) < n_bytes
    assert Key.import_key(exported).crypto_key.private_numbers() == private.private_numbers()


# -- PEM, DER and certificates --------------------------------------------------------------


def test_pkcs1_rsa_pem(rsa_key: Key) -> None:
    private = rsa_key.crypto_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    assert private.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert Key.import_key(private) == rsa_key
    public = rsa_key.public_crypto_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    )
    assert public.startswith(b"-----BEGIN RSA PUBLIC KEY-----")
    assert Key.import_key(public.decode()) == rsa_key.public()


def test_sec1_ec_pem(keys: dict[str, Key]) -> None:
    key = keys["EC-P-384"]
    pem = key.crypto_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    assert pem.startswith(b"-----BEGIN EC PRIVATE KEY-----")
    assert Key.import_key(pem) == key


@pytest.mark.parametrize("ident", ["RSA-", "EC-P-256", "OKP-Ed25519"])
def test_certificate_import(keys: dict[str, Key], ident: str) -> None:
    key = keys[ident]
    cert = make_certificate(key.crypto_key, key.public_crypto_key)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert Key.import_key(pem) == key.public()
    assert Key.import_key(pem.decode(), kid="from-cert").kid == "from-cert"
    assert Key.import_key(der(cert)) == key.public()


@pytest.mark.parametrize("password", [b"correct horse", "correct horse"])
def test_encrypted_pem(keys: dict[str, Key], password: bytes | str) -> None:
    key = keys["EC-P-256"]
    pem = key.to_pem(private=True, password=password)
    assert pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert key.to_dict(private=True)["d"] not in pem
    assert Key.import_key(pem, password=password) == key
    assert Key.import_key(pem, password=b"correct horse") == key


def test_encrypted_pem_password_errors(keys: dict[str, Key]) -> None:
    key = keys["OKP-Ed25519"]
    pem = key.to_pem(private=True, password=b"secret")
    with pytest.raises(errors.JoseError, match="password"):
        Key.import_key(pem, password=b"wrong")
    with pytest.raises(errors.InvalidKeyError, match="not given"):
        Key.import_key(pem)
    with pytest.raises(errors.InvalidKeyError, match="not encrypted"):
        Key.import_key(key.to_pem(private=True), password=b"secret")
    with pytest.raises(errors.InvalidKeyError, match="bytes or str"):
        Key.import_key(pem, password=12345)  # type: ignore[arg-type]


def test_encrypted_der(keys: dict[str, Key]) -> None:
    key = keys["EC-P-256"]
    data = key.crypto_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    assert Key.import_key(data, password=b"pw") == key
    with pytest.raises(errors.JoseError, match="password"):
        Key.import_key(data, password=b"wrong")
    with pytest.raises(errors.InvalidKeyError, match="not given"):
        Key.import_key(data)


def test_to_pem_refusals(keys: dict[str, Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="no PEM form"):
        keys["oct"].to_pem(private=True)
    with pytest.raises(errors.InvalidKeyError, match="public key"):
        keys["EC-P-256"].public().to_pem(private=True)
    with pytest.raises(errors.InvalidKeyError, match="private=True"):
        keys["EC-P-256"].to_pem(password=b"pw")


@pytest.mark.parametrize(
    "data",
    [
        "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        b"\x30\x03\x02\x01\x01",
        b"",
        b"not a key at all",
        "not a key at all",
        "",
    ],
)
def test_garbage_is_malformed(data: str | bytes) -> None:
    with pytest.raises(errors.MalformedError):
        Key.import_key(data)


# cryptography >= 51 warns that DSA is deprecated when a test makes a DSA key.
@pytest.mark.filterwarnings("ignore:DSA is deprecated")
def test_unsupported_key_types() -> None:
    dsa_key = dsa.generate_private_key(1024)
    pem = dsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(errors.UnsupportedAlgorithmError, match="DSAPrivateKey"):
        Key.import_key(pem)
    with pytest.raises(errors.UnsupportedAlgorithmError, match="DSAPublicKey"):
        Key.import_key(dsa_key.public_key())
    p224 = ec.generate_private_key(ec.SECP224R1())
    with pytest.raises(errors.UnsupportedAlgorithmError, match="secp224r1"):
        Key.import_key(p224)
    with pytest.raises(errors.MalformedError, match="int"):
        Key.import_key(42)  # type: ignore[arg-type]


# -- import overrides ------------------------------------------------------------------------


def test_overrides_set_missing_members(keys: dict[str, Key]) -> None:
    key = Key.import_key(keys["EC-P-256"].to_pem(), kid="k", alg="ES256", use="sig")
    assert (key.kid, key.alg, key.use) == ("k", "ES256", "sig")
    again = Key.import_key(key, kid="k")
    assert again == key
    assert Key.import_key(key) is key


def test_overrides_must_agree_with_the_jwk(keys: dict[str, Key]) -> None:
    data = {**keys["EC-P-256"].to_dict(), "kid": "one"}
    assert Key.import_key(data, kid="one").kid == "one"
    with pytest.raises(errors.InvalidKeyError, match="contradicts"):
        Key.import_key(data, kid="two")
    with pytest.raises(errors.InvalidKeyError, match="contradicts"):
        Key.import_key(Key.import_key(data), kid="two")


# -- public() ---------------------------------------------------------------------------------


def test_public_keeps_metadata_and_maps_key_ops(keys: dict[str, Key]) -> None:
    data = {**keys["EC-P-256"].to_dict(private=True), "kid": "k1", "alg": "ES256", "use": "sig"}
    private = Key.import_key({**data, "key_ops": ["sign"]})
    public = private.public()
    assert (public.kid, public.alg, public.use) == ("k1", "ES256", "sig")
    assert public.key_ops == frozenset({"verify"})
    assert not public.is_private
    assert public.public() is public
    assert private.to_dict()["key_ops"] == ["verify"]
    assert private.to_dict(private=True)["key_ops"] == ["sign"]


@pytest.mark.parametrize(
    ("ident", "ops", "public_ops"),
    [
        ("RSA-", ["decrypt", "unwrapKey"], ["encrypt", "wrapKey"]),
        ("EC-P-256", ["sign", "verify"], ["verify"]),
        ("OKP-X25519", ["deriveKey", "deriveBits"], ["deriveBits", "deriveKey"]),
    ],
)
def test_public_key_ops(
    keys: dict[str, Key], ident: str, ops: list[str], public_ops: list[str]
) -> None:
    private = Key.import_key({**keys[ident].to_dict(private=True), "key_ops": ops})
    assert private.public().to_dict()["key_ops"] == public_ops
    # A public key's own key_ops are kept as they are.
    public = Key.import_key({**keys[ident].to_dict(), "key_ops": ops})
    assert public.to_dict()["key_ops"] == sorted(ops)


def test_oct_has_no_public_form(keys: dict[str, Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="no public half"):
        keys["oct"].public()
    with pytest.raises(errors.InvalidKeyError, match="private=True"):
        keys["oct"].to_dict()
    with pytest.raises(errors.InvalidKeyError):
        keys["oct"].to_json()


# -- repr, immutability, equality ----------------------------------------------------------------


@pytest.mark.parametrize("ident", [*KIND_IDS, "oct"])
def test_repr_never_shows_private_material(keys: dict[str, Key], ident: str) -> None:
    key = keys[ident]
    private = key.to_dict(private=True)
    secrets = [private[m] for m in PRIVATE_MEMBERS if m in private]
    assert secrets
    for text in (repr(key), str(key), f"{key!r}", repr([key])):
        assert text.startswith(("Key(", "[Key("))
        for value in secrets:
            assert value not in text
            assert value[:12] not in text
    assert "private" in repr(key)


def test_repr_shows_metadata(keys: dict[str, Key]) -> None:
    key = Key.import_key(keys["EC-P-256"].to_dict(), kid="k7", alg="ES256", use="sig")
    assert (
        repr(key)
        == "Key(kty='EC', crv='P-256', kid='k7', alg='ES256', use='sig', size=256, public)"
    )


@pytest.mark.parametrize("name", ["kid", "kty", "alg", "use", "key_ops", "crv", "_crypto", "new"])
def test_immutable(keys: dict[str, Key], name: str) -> None:
    key = keys["EC-P-256"]
    with pytest.raises(AttributeError):
        setattr(key, name, "changed")
    with pytest.raises(AttributeError):
        delattr(key, name)
    assert key.kty == "EC"


def test_copies_and_pickles(keys: dict[str, Key]) -> None:
    key = keys["OKP-Ed25519"]
    assert copy.copy(key) is key
    assert copy.deepcopy(key) is key
    assert pickle.loads(pickle.dumps(key)) == key


def test_cannot_be_constructed_directly() -> None:
    with pytest.raises(errors.InvalidKeyError, match="import_key"):
        Key()


def test_equality_and_hash(keys: dict[str, Key]) -> None:
    key = keys["EC-P-256"]
    same = Key.import_key(key.to_dict(private=True))
    assert key == same
    assert hash(key) == hash(same)
    assert key != key.public()
    assert key != Key.import_key(key.to_dict(private=True), kid="other")
    assert key != keys["EC-P-384"]
    assert key != key.to_dict(private=True)
    assert len({key, same, key.public(), key.public()}) == 2
    oct_a = Key.import_key({"kty": "oct", "k": b64url(b"a" * 32)})
    oct_b = Key.import_key({"kty": "oct", "k": b64url(b"b" * 32)})
    assert oct_a != oct_b
    assert oct_a == Key.import_key({"kty": "oct", "k": b64url(b"a" * 32)})


# -- use, key_ops, alg ------------------------------------------------------------------------


def test_check_usage_without_restrictions(keys: dict[str, Key]) -> None:
    key = keys["EC-P-256"]
    for operation in sorted(jwk.KEY_OPS):
        key.check_usage(operation)
        key.check_usage(operation, "ES256")


def test_check_usage_alg(keys: dict[str, Key]) -> None:
    key = Key.import_key(keys["EC-P-256"].to_dict(), kid="k", alg="ES256")
    key.check_usage("verify", "ES256")
    key.check_usage("verify")
    with pytest.raises(errors.InvalidKeyError, match="'k' is for alg 'ES256', not 'ES384'"):
        key.check_usage("verify", "ES384")


@pytest.mark.parametrize(
    ("use", "allowed", "refused"),
    [
        ("sig", ["sign", "verify"], ["encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey"]),
        (
            "enc",
            ["encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits"],
            ["sign"],
        ),
    ],
)
def test_check_usage_use(
    keys: dict[str, Key], use: str, allowed: list[str], refused: list[str]
) -> None:
    key = Key.import_key(keys["RSA-"].to_dict(), use=use)
    for operation in allowed:
        key.check_usage(operation)
    for operation in refused:
        with pytest.raises(errors.InvalidKeyError, match=f"use '{use}'"):
            key.check_usage(operation)


def test_check_usage_key_ops(keys: dict[str, Key]) -> None:
    key = Key.import_key({**keys["RSA-"].to_dict(), "key_ops": ["verify", "encrypt"]})
    key.check_usage("verify")
    key.check_usage("encrypt")
    for operation in ("sign", "decrypt", "wrapKey"):
        with pytest.raises(errors.InvalidKeyError, match="key_ops"):
            key.check_usage(operation)
    empty = Key.import_key({**keys["RSA-"].to_dict(), "key_ops": []})
    with pytest.raises(errors.InvalidKeyError, match="key_ops"):
        empty.check_usage("verify")


def test_check_usage_unknown_operation(keys: dict[str, Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="unknown key operation"):
        keys["EC-P-256"].check_usage("sig")


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"use": "sig", "key_ops": ["encrypt"]}, "contradicts"),
        ({"use": "enc", "key_ops": ["sign"]}, "contradicts"),
        ({"use": "enc", "key_ops": ["verify", "decrypt"]}, "contradicts"),
        ({"key_ops": ["sign", "sign"]}, "twice"),
        ({"key_ops": ["sign", "fly"]}, "unknown operations"),
        ({"key_ops": "sign"}, "array of strings"),
        ({"key_ops": [1]}, "array of strings"),
        ({"use": "signature"}, "'sig' or 'enc'"),
        ({"use": 1}, "must be a string"),
        ({"kid": 1}, "must be a string"),
        ({"alg": ["ES256"]}, "must be a string"),
        ({"x5u": None}, "must be a string"),
    ],
)
def test_invalid_metadata(keys: dict[str, Key], extra: dict[str, Any], fragment: str) -> None:
    with pytest.raises(errors.InvalidKeyError, match=fragment):
        Key.import_key({**keys["EC-P-256"].to_dict(), **extra})


@pytest.mark.parametrize(
    ("ident", "extra"),
    [
        ("OKP-X25519", {"use": "sig"}),
        ("OKP-X448", {"key_ops": ["verify"]}),
        ("OKP-Ed25519", {"use": "enc"}),
        ("OKP-Ed448", {"key_ops": ["deriveKey"]}),
    ],
)
def test_okp_use_must_fit_the_curve(
    keys: dict[str, Key], ident: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(errors.InvalidKeyError, match="is for use"):
        Key.import_key({**keys[ident].to_dict(), **extra})


def test_unknown_members_are_ignored(keys: dict[str, Key]) -> None:
    key = Key.import_key({**keys["EC-P-256"].to_dict(), "ext": True, "custom": {"a": 1}})
    assert key == keys["EC-P-256"].public()
    assert "custom" not in key.to_dict()


# -- x5c, x5t, x5t#S256 --------------------------------------------------------------------


@pytest.fixture(scope="module")
def certified(keys: dict[str, Key]) -> tuple[Key, x509.Certificate]:
    key = keys["EC-P-256"]
    return key, make_certificate(key.crypto_key, key.public_crypto_key)


def test_x5c_that_matches(certified: tuple[Key, x509.Certificate]) -> None:
    key, cert = certified
    chain = [base64.b64encode(der(cert)).decode()]
    data = {
        **key.to_dict(),
        "x5c": chain,
        "x5t": b64url(hashlib.sha1(der(cert)).digest()),
        "x5t#S256": b64url(hashlib.sha256(der(cert)).digest()),
    }
    imported = Key.import_key(data)
    assert imported.x5c == tuple(chain)
    assert imported.to_dict() == data
    private = Key.import_key({**key.to_dict(private=True), "x5c": chain})
    assert private.public().x5c == tuple(chain)


def test_x5c_with_another_key_is_refused(
    keys: dict[str, Key], certified: tuple[Key, x509.Certificate]
) -> None:
    _, cert = certified
    chain = [base64.b64encode(der(cert)).decode()]
    with pytest.raises(errors.InvalidKeyError, match="different key"):
        Key.import_key({**keys["EC-P-384"].to_dict(), "x5c": chain})
    with pytest.raises(errors.InvalidKeyError, match="different key"):
        Key.import_key({**keys["RSA-"].to_dict(), "x5c": chain})


@pytest.mark.parametrize(("name", "algo"), [("x5t", "sha1"), ("x5t#S256", "sha256")])
def test_x5t_mismatch_is_refused(
    certified: tuple[Key, x509.Certificate], name: str, algo: str
) -> None:
    key, cert = certified
    chain = [base64.b64encode(der(cert)).decode()]
    other = make_certificate(key.crypto_key, key.public_crypto_key)  # new signature, new digest
    wrong = b64url(hashlib.new(algo, der(other)).digest())
    assert wrong != b64url(hashlib.new(algo, der(cert)).digest())
    with pytest.raises(errors.InvalidKeyError, match="not the digest"):
        Key.import_key({**key.to_dict(), "x5c": chain, name: wrong})


@pytest.mark.parametrize(
    ("x5c", "fragment"),
    [
        ([], "non-empty array"),
        ("MII", "non-empty array"),
        ([1], "non-empty array"),
        (["not base64!"], "certificate 0"),
        (["AAAA"], "certificate 0"),
        (["é"], "certificate 0"),
    ],
)
def test_malformed_x5c(keys: dict[str, Key], x5c: Any, fragment: str) -> None:
    with pytest.raises(errors.InvalidKeyError, match=fragment):
        Key.import_key({**keys["EC-P-256"].to_dict(), "x5c": x5c})


def test_every_x5c_certificate_must_parse(certified: tuple[Key, x509.Certificate]) -> None:
    key, cert = certified
    chain = [base64.b64encode(der(cert)).decode(), "AAAA"]
    with pytest.raises(errors.InvalidKeyError, match="certificate 1"):
        Key.import_key({**key.to_dict(), "x5c": chain})


@pytest.mark.parametrize("name", ["x5t", "x5t#S256"])
@pytest.mark.parametrize("value", ["", "AAAA", "é", "A" * 100])
def test_malformed_x5t(keys: dict[str, Key], name: str, value: str) -> None:
    with pytest.raises(errors.InvalidKeyError, match=name):
        Key.import_key({**keys["EC-P-256"].to_dict(), name: value})


def test_oct_key_cannot_have_x5c(certified: tuple[Key, x509.Certificate]) -> None:
    _, cert = certified
    with pytest.raises(errors.InvalidKeyError, match="'oct'"):
        Key.import_key(
            {"kty": "oct", "k": b64url(bytes(32)), "x5c": [base64.b64encode(der(cert)).decode()]}
        )


# -- generation -----------------------------------------------------------------------------


def test_generate_records_metadata() -> None:
    key = jwk.generate("EC", crv="P-256", kid="k1", alg="ES256", use="sig")
    assert (key.kid, key.alg, key.use) == ("k1", "ES256", "sig")
    assert jwk.generate("oct", size=512).size == 512
    assert jwk.generate("OKP").crv == "Ed25519"
    assert jwk.generate("EC").crv == "P-256"


@pytest.mark.parametrize(
    ("kty", "kw", "error"),
    [
        ("RSA", {"size": 1024}, errors.InvalidKeyError),
        ("RSA", {"size": 2049}, errors.InvalidKeyError),
        ("RSA", {"crv": "P-256"}, errors.InvalidKeyError),
        ("EC", {"crv": "P-192"}, errors.UnsupportedAlgorithmError),
        ("EC", {"size": 256}, errors.InvalidKeyError),
        ("OKP", {"crv": "Ed1174"}, errors.UnsupportedAlgorithmError),
        ("OKP", {"crv": "X25519", "use": "sig"}, errors.InvalidKeyError),
        ("oct", {"size": 64}, errors.InvalidKeyError),
        ("oct", {"size": 260}, errors.InvalidKeyError),
        ("oct", {"crv": "P-256"}, errors.InvalidKeyError),
        ("DSA", {}, errors.UnsupportedAlgorithmError),
    ],
)
def test_generate_refusals(kty: str, kw: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        jwk.generate(kty, **kw)


def test_an_imported_key_is_a_plain_immutable_key() -> None:
    # Key._build fills a writable twin of Key and then makes it a Key: what comes out is a
    # Key, and as immutable as ever.
    data = jwk.generate("RSA").public().to_dict()
    for key in (Key.import_key(data), Key.import_key(data, kid="k"), jwk.generate("EC")):
        assert type(key) is Key
        with pytest.raises(AttributeError, match="immutable"):
            key.kid = "other"  # type: ignore[misc]
        with pytest.raises(AttributeError, match="immutable"):
            del key.kid
        assert Key.import_key(key.to_dict(private=True)) == key
