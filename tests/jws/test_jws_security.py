"""The safe defaults of JWS verification, one test (or one parametrised family) per rule.

SECURITY-NOTES rows covered: 1 (alg none), 2/2b (algorithm confusion, key alg), 3/4 (header
keys and URLs never used), 6 (ECDSA encoding and range), 16 (duplicate members), 17 (crit),
18 (b64), 19 (sizes), 20 (constant-time MAC is pyca's), 25 (use/key_ops), 26 (short HMAC
keys), 29 (strict base64url).
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from josekit import Key, KeySet, Limits, errors, jwk, jws
from josekit._b64 import b64d, b64e_str
from josekit.jwk._curves import EC_CURVES

HS = jwk.generate("oct", size=256)
RSA = jwk.generate("RSA", size=2048)
EC = {
    "ES256": jwk.generate("EC", crv="P-256"),
    "ES384": jwk.generate("EC", crv="P-384"),
    "ES512": jwk.generate("EC", crv="P-521"),
    "ES256K": jwk.generate("EC", crv="secp256k1"),
}
ED = jwk.generate("OKP", crv="Ed25519")


def _h(header: dict[str, Any]) -> str:
    return b64e_str(json.dumps(header, separators=(",", ":")).encode())


def _hmac_token(header: dict[str, Any] | str, payload: str, secret: bytes, bits: int = 256) -> str:
    """A compact token MACed by hand: the header need not be one josekit would produce."""
    h64 = header if isinstance(header, str) else _h(header)
    signing_input = f"{h64}.{payload}".encode()
    mac = crypto_hmac.HMAC(secret, {256: hashes.SHA256(), 384: hashes.SHA384()}[bits])
    mac.update(signing_input)
    return f"{h64}.{payload}.{b64e_str(mac.finalize())}"


def _secret(key: Key) -> bytes:
    secret = key.crypto_key
    assert isinstance(secret, bytes)
    return secret


# -- the allow-list -------------------------------------------------------------------------


@pytest.mark.parametrize("algorithms", [None, [], (), set(), "HS256", b"HS256", [["HS256"]]])
def test_algorithms_must_be_a_non_empty_collection_of_names(algorithms: Any) -> None:
    token = jws.sign(b"x", HS, "HS256")
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.verify(token, HS, algorithms=algorithms)
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.verify_json(jws.sign_json(b"x", [jws.Signer(HS, "HS256")]), HS, algorithms=algorithms)


@pytest.mark.parametrize("algorithms", [["HS256", "HS999"], ["none"], ["hs256"], [1]])
def test_unknown_names_in_the_allow_list_are_refused(algorithms: list[Any]) -> None:
    token = jws.sign(b"x", HS, "HS256")
    with pytest.raises(errors.UnsupportedAlgorithmError):
        jws.verify(token, HS, algorithms=algorithms)


@pytest.mark.parametrize(
    "algorithms", [["HS256"], ("HS256",), {"HS256"}, frozenset({"HS256", "HS512"}), iter(["HS256"])]
)
def test_any_collection_of_names_is_accepted(algorithms: Any) -> None:
    token = jws.sign(b"x", HS, "HS256")
    assert jws.verify(token, HS, algorithms=algorithms).payload == b"x"


def test_header_alg_must_be_in_the_allow_list() -> None:
    token = jws.sign(b"x", HS, "HS256")
    with pytest.raises(errors.AlgorithmNotAllowedError, match="HS256"):
        jws.verify(token, HS, algorithms=["HS512", "RS256"])


@pytest.mark.parametrize("alg", [None, 256, ["HS256"], "HS256 ", "hs256"])
def test_header_alg_must_be_a_known_string(alg: Any) -> None:
    header = {"alg": alg} if alg is not None else {"typ": "JWT"}
    token = _hmac_token(header, "eA", _secret(HS))
    with pytest.raises((errors.InvalidHeaderError, errors.UnsupportedAlgorithmError)):
        jws.verify(token, HS, algorithms=["HS256"])


# -- alg none -------------------------------------------------------------------------------


@pytest.mark.parametrize("signature", ["", "c2ln"])
@pytest.mark.parametrize("key", [HS, RSA.public(), EC["ES256"].public(), ED.public()])
def test_alg_none_is_never_accepted_by_verify(key: Key, signature: str) -> None:
    token = f"{_h({'alg': 'none'})}.eA.{signature}"
    with pytest.raises(errors.AlgorithmNotAllowedError, match="none"):
        jws.verify(token, key, algorithms=["HS256", "RS256", "ES256", "EdDSA"])
    with pytest.raises(errors.UnsupportedAlgorithmError):
        jws.verify(token, key, algorithms=["none"])


@pytest.mark.parametrize("alg", ["NONE", "None", "nOnE"])
def test_other_spellings_of_none_are_unknown_algorithms(alg: str) -> None:
    with pytest.raises(errors.UnsupportedAlgorithmError):
        jws.verify(f"{_h({'alg': alg})}.eA.", HS, algorithms=["HS256"])


def test_none_is_only_produced_and_read_by_the_unsecured_functions() -> None:
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.sign(b"x", HS, "none")
    token = jws.encode_unsecured(b"hello", header={"typ": "JWT"})
    result = jws.decode_unsecured(token)
    assert (result.payload, result.header, result.key) == (
        b"hello",
        {"alg": "none", "typ": "JWT"},
        None,
    )
    with pytest.raises(errors.InvalidSignatureError):
        jws.decode_unsecured(token + "c2ln")
    with pytest.raises(errors.InvalidHeaderError):
        jws.decode_unsecured(jws.sign(b"x", HS, "HS256"))
    with pytest.raises(errors.InvalidHeaderError):
        jws.encode_unsecured(b"x", header={"alg": "HS256"})
    with pytest.raises(errors.CriticalHeaderError):
        jws.decode_unsecured(f"{_h({'alg': 'none', 'crit': ['exp'], 'exp': 1})}.eA.")
    with pytest.raises(errors.InvalidHeaderError):
        jws.decode_unsecured(f"{_h({'alg': 'none', 'b64': False})}.x.")


# -- the key must fit the algorithm ---------------------------------------------------------


@pytest.mark.parametrize("public", [RSA.public(), EC["ES256"].public(), ED.public()])
def test_asymmetric_key_never_verifies_hmac_even_with_its_own_bytes_as_secret(
    public: Key,
) -> None:
    # The classic confusion: HMAC the token with the public key's PEM (or DER) bytes.
    for secret in (
        public.to_pem().encode(),
        public.public_crypto_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    ):
        token = _hmac_token({"alg": "HS256"}, "eA", secret)
        with pytest.raises(errors.InvalidKeyError, match="oct"):
            jws.verify(token, public, algorithms=["HS256"])
        with pytest.raises(errors.KeyNotFoundError):
            jws.verify(token, KeySet([public]), algorithms=["HS256"])


@pytest.mark.parametrize("raw", ["a secret", b"a secret" * 8, RSA.public().to_pem()])
def test_raw_key_material_is_never_a_verification_key(raw: Any) -> None:
    token = jws.sign(b"x", HS, "HS256")
    with pytest.raises(errors.InvalidKeyError, match="Key"):
        jws.verify(token, raw, algorithms=["HS256"])


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "EdDSA"])
def test_oct_key_never_verifies_asymmetric_algorithms(alg: str) -> None:
    signer = {"RS256": RSA, "PS256": RSA, "ES256": EC["ES256"], "EdDSA": ED}[alg]
    token = jws.sign(b"x", signer, alg)
    with pytest.raises(errors.InvalidKeyError, match="symmetric"):
        jws.verify(token, HS, algorithms=[alg])
    with pytest.raises(errors.InvalidKeyError):
        jws.sign(b"x", HS, alg)


@pytest.mark.parametrize(
    ("alg", "key"),
    [
        ("ES256", EC["ES384"]),
        ("ES384", EC["ES256"]),
        ("ES256K", EC["ES256"]),
        ("ES256", RSA),
        ("Ed25519", jwk.generate("OKP", crv="Ed448")),
        ("Ed448", ED),
        ("EdDSA", jwk.generate("OKP", crv="X25519")),
        ("RS256", ED),
    ],
)
def test_key_type_and_curve_must_fit_the_algorithm(alg: str, key: Key) -> None:
    with pytest.raises(errors.InvalidKeyError):
        jws.sign(b"x", key, alg)
    honest = {"ES256": EC["ES256"], "ES384": EC["ES384"], "ES256K": EC["ES256K"]}.get(alg)
    if honest is not None:
        token = jws.sign(b"x", honest, alg)
        with pytest.raises(errors.InvalidKeyError):
            jws.verify(token, key if key.is_symmetric else key.public(), algorithms=[alg])


def test_header_alg_must_equal_the_keys_alg() -> None:
    secret = HS.to_dict(private=True)
    token = jws.sign(b"x", HS, "HS256")
    pinned = Key.import_key({**secret, "alg": "HS512"})
    with pytest.raises(errors.InvalidKeyError, match="HS512"):
        jws.verify(token, pinned, algorithms=["HS256", "HS512"])
    # The same key pinned to HS256 verifies it.
    assert jws.verify(token, Key.import_key({**secret, "alg": "HS256"}), algorithms=["HS256"])
    with pytest.raises(errors.InvalidKeyError):
        jws.sign(b"x", pinned, "HS256")


def test_rsa_key_pinned_to_pkcs1_refuses_pss() -> None:
    pinned = Key.import_key({**RSA.public().to_dict(), "alg": "RS256"})
    token = jws.sign(b"x", RSA, "PS256")
    with pytest.raises(errors.InvalidKeyError, match="RS256"):
        jws.verify(token, pinned, algorithms=["PS256"])


@pytest.mark.parametrize(
    ("member", "value"), [("use", "enc"), ("key_ops", ["encrypt"]), ("key_ops", ["sign"])]
)
def test_key_use_and_key_ops_must_allow_verification(member: str, value: Any) -> None:
    token = jws.sign(b"x", EC["ES256"], "ES256")
    restricted = Key.import_key({**EC["ES256"].public().to_dict(), member: value})
    with pytest.raises(errors.InvalidKeyError):
        jws.verify(token, restricted, algorithms=["ES256"])


def test_signing_needs_a_private_key() -> None:
    with pytest.raises(errors.InvalidKeyError, match="private"):
        jws.sign(b"x", EC["ES256"].public(), "ES256")


@pytest.mark.parametrize(
    ("alg", "short", "enough"), [("HS256", 31, 32), ("HS384", 47, 48), ("HS512", 63, 64)]
)
def test_hmac_keys_shorter_than_the_hash_are_refused(alg: str, short: int, enough: int) -> None:
    weak = Key.import_key({"kty": "oct", "k": b64e_str(b"k" * short)})
    strong = Key.import_key({"kty": "oct", "k": b64e_str(b"k" * enough)})
    with pytest.raises(errors.InvalidKeyError, match="bits"):
        jws.sign(b"x", weak, alg)
    token = jws.sign(b"x", strong, alg)
    # The same MAC computed by hand with the short key is refused before any MAC is computed.
    with pytest.raises(errors.InvalidKeyError, match="bits"):
        jws.verify(token, weak, algorithms=[alg])
    assert jws.verify(token, strong, algorithms=[alg]).payload == b"x"


def test_rsa_keys_under_2048_bits_are_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = Key.import_key(rsa.generate_private_key(65537, 1024))
    with pytest.raises(errors.InvalidKeyError, match="2048"):
        jws.sign(b"x", small, "RS256")


# -- keys named by the token are never used -------------------------------------------------


def test_embedded_jwk_is_never_used() -> None:
    attacker = jwk.generate("EC", crv="P-256")
    token = jws.sign(b"evil", attacker, "ES256", header={"jwk": attacker.public().to_dict()})
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, EC["ES256"].public(), algorithms=["ES256"])
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, KeySet([EC["ES256"].public()]), algorithms=["ES256"])


@pytest.mark.parametrize(
    "member",
    [
        {"jku": "http://127.0.0.1:9/jwks.json"},
        {"x5u": "http://127.0.0.1:9/cert.pem"},
        {"x5c": ["MIIBkTCB+wIJAL"]},
        {"x5t#S256": "abc"},
    ],
)
def test_key_urls_and_certificates_in_the_header_are_never_used(
    member: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("verification must not open a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    attacker = jwk.generate("EC", crv="P-256")
    token = jws.sign(b"evil", attacker, "ES256", header=member)
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, EC["ES256"].public(), algorithms=["ES256"])
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, KeySet([EC["ES256"].public()]), algorithms=["ES256"])


# -- ECDSA signature encoding ---------------------------------------------------------------


def _ec_parts(alg: str) -> tuple[str, int, int]:
    token = jws.sign(b"payload", EC[alg], alg)
    size = EC_CURVES[EC[alg].crv or ""].size
    return token.rpartition(".")[0], size, EC_CURVES[EC[alg].crv or ""].order


@pytest.mark.parametrize("alg", sorted(EC))
def test_ecdsa_der_signatures_are_refused(alg: str) -> None:
    key = EC[alg]
    signing_input, _, _ = _ec_parts(alg)
    hash_alg = {"ES256": hashes.SHA256(), "ES384": hashes.SHA384(), "ES512": hashes.SHA512()}
    der = key.crypto_key.sign(signing_input.encode(), ec.ECDSA(hash_alg.get(alg, hashes.SHA256())))
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(f"{signing_input}.{b64e_str(der)}", key.public(), algorithms=[alg])


@pytest.mark.parametrize("alg", sorted(EC))
@pytest.mark.parametrize(
    "change", ["r=0", "s=0", "r=n", "s=n", "r+n", "zeros", "short", "long", "trailing-zero"]
)
def test_ecdsa_raw_signatures_must_be_exact_and_in_range(alg: str, change: str) -> None:
    signing_input, size, order = _ec_parts(alg)
    good = b64d(jws.sign(b"payload", EC[alg], alg).rpartition(".")[2])
    r, s = int.from_bytes(good[:size], "big"), int.from_bytes(good[size:], "big")

    def raw(r_: int, s_: int, width: int = size) -> bytes:
        return r_.to_bytes(width, "big") + s_.to_bytes(width, "big")

    bad = {
        "r=0": lambda: raw(0, s),
        "s=0": lambda: raw(r, 0),
        "r=n": lambda: raw(order, s),
        "s=n": lambda: raw(r, order),
        "r+n": lambda: raw(r + order, s) if (r + order).bit_length() <= size * 8 else raw(0, s),
        "zeros": lambda: bytes(2 * size),
        "short": lambda: good[:-1],
        "long": lambda: b"\x00" + good,
        "trailing-zero": lambda: good + b"\x00",
    }[change]()
    token = f"{signing_input}.{b64e_str(bad)}"
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, EC[alg].public(), algorithms=[alg])


@pytest.mark.parametrize("alg", sorted(EC))
def test_ecdsa_high_s_is_a_valid_signature(alg: str) -> None:
    # (r, n - s) is the other valid ECDSA signature of the same input: JWS does not forbid it.
    _, size, order = _ec_parts(alg)
    good = b64d(jws.sign(b"payload", EC[alg], alg).rpartition(".")[2])
    r, s = int.from_bytes(good[:size], "big"), int.from_bytes(good[size:], "big")
    flipped = r.to_bytes(size, "big") + (order - s).to_bytes(size, "big")
    token = jws.sign(b"payload", EC[alg], alg)
    h64, p64, _ = token.split(".")
    assert jws.verify(f"{h64}.{p64}.{b64e_str(flipped)}", EC[alg].public(), algorithms=[alg])


# -- strict base64url and JSON --------------------------------------------------------------


@pytest.mark.parametrize("segment", [0, 1, 2])
@pytest.mark.parametrize("change", ["pad", "plus", "slash", "space", "newline", "bits", "len1"])
def test_every_segment_is_strict_base64url(segment: int, change: str) -> None:
    parts = jws.sign(b"payload!", HS, "HS256").split(".")
    value = parts[segment]
    if change == "pad":
        value += "=" * (-len(value) % 4 or 4)
    elif change in ("plus", "slash"):
        value = ("+" if change == "plus" else "/") + value[1:]
    elif change == "space":
        value = value[:4] + " " + value[4:]
    elif change == "newline":
        value = value + "\n"
    elif change == "bits":
        # a final character whose unused low bits are not zero
        rem = len(value) % 4
        value = value + "AB" if rem == 0 else value[:-1] + ("B" if rem == 2 else "F")
    elif change == "len1":
        rem = len(value) % 4
        value = value + "A" if rem == 0 else value[: len(value) - rem + 1]
    parts[segment] = value
    # Re-MAC a changed header or payload, so that only the encoding is wrong.
    token = ".".join(parts) if segment == 2 else _hmac_token(parts[0], parts[1], _secret(HS))
    with pytest.raises(errors.MalformedError):
        jws.verify(token, HS, algorithms=["HS256"])


@pytest.mark.parametrize(
    "header",
    [
        '{"alg":"HS256","alg":"none"}',
        '{"alg":"HS256","kid":"a","kid":"b"}',
        '{"alg":"HS256","x":{"y":1,"y":2}}',
        '["alg","HS256"]',
        '"HS256"',
        "null",
        '{"alg":"HS256"',
        '{"alg":"HS256"} {}',
        '{"alg":"HS256","n":NaN}',
        '{"alg":"HS256","n":Infinity}',
    ],
)
def test_header_must_be_one_strict_json_object(header: str) -> None:
    token = _hmac_token(b64e_str(header.encode()), "eA", _secret(HS))
    with pytest.raises(errors.MalformedError):
        jws.verify(token, HS, algorithms=["HS256"])


def test_header_must_be_utf8() -> None:
    token = _hmac_token(b64e_str(b'{"alg":"HS256","x":"\xff"}'), "eA", _secret(HS))
    with pytest.raises(errors.MalformedError, match="UTF-8"):
        jws.verify(token, HS, algorithms=["HS256"])


def test_header_whitespace_is_fine_and_signed_as_sent() -> None:
    token = _hmac_token(b64e_str(b' { "alg" : "HS256" }\n'), "eA", _secret(HS))
    assert jws.verify(token, HS, algorithms=["HS256"]).header == {"alg": "HS256"}


@pytest.mark.parametrize("kid", [1, None, ["a"], "k" * 513])
def test_kid_must_be_a_bounded_string(kid: Any) -> None:
    token = _hmac_token({"alg": "HS256", "kid": kid}, "eA", _secret(HS))
    with pytest.raises((errors.InvalidHeaderError, errors.LimitExceededError)):
        jws.verify(token, HS, algorithms=["HS256"])


# -- crit -----------------------------------------------------------------------------------


def _crit_token(header: dict[str, Any]) -> str:
    return _hmac_token({"alg": "HS256", **header}, "eA", _secret(HS))


def test_crit_with_an_understood_extension_verifies() -> None:
    token = jws.sign(b"x", HS, "HS256", header={"crit": ["exp"], "exp": 1363284000})
    with pytest.raises(errors.CriticalHeaderError, match="exp"):
        jws.verify(token, HS, algorithms=["HS256"])
    result = jws.verify(token, HS, algorithms=["HS256"], crit=["exp"])
    assert result.header["exp"] == 1363284000


@pytest.mark.parametrize(
    ("header", "understood"),
    [
        ({"crit": []}, ["exp"]),
        ({"crit": "exp", "exp": 1}, ["exp"]),
        ({"crit": [1], "exp": 1}, ["exp"]),
        ({"crit": ["exp", "exp"], "exp": 1}, ["exp"]),
        ({"crit": ["exp"]}, ["exp"]),
        ({"crit": ["alg"]}, ["alg"]),
        ({"crit": ["kid"], "kid": "a"}, ["kid"]),
        ({"crit": ["exp", "other"], "exp": 1, "other": 2}, ["exp"]),
        ({"crit": None}, ["exp"]),
    ],
    ids=[
        "empty",
        "not-a-list",
        "not-strings",
        "repeated",
        "absent-member",
        "registered-alg",
        "registered-kid",
        "one-not-understood",
        "null",
    ],
)
def test_crit_rules(header: dict[str, Any], understood: list[str]) -> None:
    with pytest.raises(errors.CriticalHeaderError):
        jws.verify(_crit_token(header), HS, algorithms=["HS256"], crit=understood)


def test_crit_must_be_protected_in_json() -> None:
    obj = jws.sign_json(b"x", [jws.Signer(HS, "HS256", protected={"exp": 1})], flattened=True)
    obj["header"] = {"crit": ["exp"]}
    with pytest.raises(errors.InvalidHeaderError, match="protected"):
        jws.verify_json(obj, HS, algorithms=["HS256"], crit=["exp"])
    with pytest.raises(errors.InvalidHeaderError, match="protected"):
        jws.sign_json(b"x", [jws.Signer(HS, "HS256", header={"crit": ["exp"], "exp": 1})])


@pytest.mark.parametrize("header", [{"crit": ["exp"]}, {"crit": []}, {"crit": ["alg"]}])
def test_sign_refuses_a_crit_no_verifier_could_accept(header: dict[str, Any]) -> None:
    with pytest.raises(errors.CriticalHeaderError):
        jws.sign(b"x", HS, "HS256", header=header)


@pytest.mark.parametrize("crit", ["exp", [1], b"exp"])
def test_the_callers_crit_must_be_a_list_of_names(crit: Any) -> None:
    token = jws.sign(b"x", HS, "HS256", header={"crit": ["exp"], "exp": 1})
    with pytest.raises(errors.InvalidHeaderError):
        jws.verify(token, HS, algorithms=["HS256"], crit=crit)


# -- b64 (RFC 7797) -------------------------------------------------------------------------


def test_unencoded_payload_needs_the_caller_to_enable_it() -> None:
    token = jws.sign(b"abc", HS, "HS256", header={"b64": False, "crit": ["b64"]})
    with pytest.raises(errors.CriticalHeaderError, match="b64"):
        jws.verify(token, HS, algorithms=["HS256"])
    # Listing 'b64' in crit= is not the switch: unencoded_payload=True is.
    with pytest.raises(errors.CriticalHeaderError, match="b64"):
        jws.verify(token, HS, algorithms=["HS256"], crit=["b64"])
    assert jws.verify(token, HS, algorithms=["HS256"], unencoded_payload=True).payload == b"abc"


@pytest.mark.parametrize(
    "header",
    [{"b64": False}, {"b64": False, "crit": ["exp"], "exp": 1}, {"b64": "false", "crit": ["b64"]}],
    ids=["not-in-crit", "crit-without-b64", "not-a-boolean"],
)
def test_b64_rules(header: dict[str, Any]) -> None:
    token = _hmac_token({"alg": "HS256", **header}, "abc", _secret(HS))
    with pytest.raises(errors.InvalidHeaderError):
        jws.verify(token, HS, algorithms=["HS256"], crit=["exp"], unencoded_payload=True)
    with pytest.raises(errors.InvalidHeaderError):
        jws.sign(b"abc", HS, "HS256", header=header)


def test_b64_must_be_protected_in_json() -> None:
    obj = jws.sign_json(b"abc", [jws.Signer(HS, "HS256")], flattened=True)
    obj["header"] = {"b64": False}
    with pytest.raises(errors.InvalidHeaderError, match="protected"):
        jws.verify_json(obj, HS, algorithms=["HS256"], unencoded_payload=True)


def test_b64_true_is_an_ordinary_payload() -> None:
    token = jws.sign(b"abc", HS, "HS256", header={"b64": True, "crit": ["b64"]})
    assert token.split(".")[1] == "YWJj"
    assert jws.verify(token, HS, algorithms=["HS256"], unencoded_payload=True).payload == b"abc"


@pytest.mark.parametrize("payload", [b"a.b", "caf\u00e9".encode(), b"\x00\xff"])
def test_compact_unencoded_payload_must_be_ascii_without_dots(payload: bytes) -> None:
    header = {"b64": False, "crit": ["b64"]}
    with pytest.raises(errors.MalformedError):
        jws.sign(payload, HS, "HS256", header=header)
    token = jws.sign(payload, HS, "HS256", header=header, detached=True)
    result = jws.verify(
        token, HS, algorithms=["HS256"], unencoded_payload=True, detached_payload=payload
    )
    assert result.payload == payload


def test_json_unencoded_payload_must_be_utf8_text() -> None:
    signer = jws.Signer(HS, "HS256", protected={"b64": False, "crit": ["b64"]})
    with pytest.raises(errors.MalformedError, match="UTF-8"):
        jws.sign_json(b"\xff", [signer])
    obj = jws.sign_json("\u00e9t\u00e9 $.02", [signer])
    assert obj["payload"] == "\u00e9t\u00e9 $.02"
    result = jws.verify_json(obj, HS, algorithms=["HS256"], unencoded_payload=True)
    assert result.payload == "\u00e9t\u00e9 $.02".encode()


def test_every_signature_must_use_the_same_b64() -> None:
    unencoded = jws.Signer(HS, "HS256", protected={"b64": False, "crit": ["b64"]})
    with pytest.raises(errors.InvalidHeaderError, match="b64"):
        jws.sign_json(b"abc", [unencoded, jws.Signer(EC["ES256"], "ES256")])
    a = jws.sign_json(b"abc", [unencoded])
    b = jws.sign_json(b"abc", [jws.Signer(EC["ES256"], "ES256")])
    mixed = {"payload": a["payload"], "signatures": a["signatures"] + b["signatures"]}
    with pytest.raises(errors.InvalidHeaderError, match="b64"):
        jws.verify_json(mixed, HS, algorithms=["HS256"], unencoded_payload=True)


# -- limits ---------------------------------------------------------------------------------


def test_token_size_limit_and_raising_it() -> None:
    token = jws.sign(b"x" * 3000, HS, "HS256")
    small = Limits(max_token_size=len(token) - 1)
    with pytest.raises(errors.LimitExceededError, match="max_token_size"):
        jws.verify(token, HS, algorithms=["HS256"], limits=small)
    assert jws.verify(token, HS, algorithms=["HS256"], limits=Limits(max_token_size=len(token)))


def test_header_size_limit_and_raising_it() -> None:
    token = jws.sign(b"x", HS, "HS256", header={"pad": "p" * 9000})
    with pytest.raises(errors.LimitExceededError, match="header"):
        jws.verify(token, HS, algorithms=["HS256"])
    assert jws.verify(token, HS, algorithms=["HS256"], limits=Limits(max_header_size=10_000))


@pytest.mark.parametrize("form", ["compact", "b64false", "detached", "json", "json-detached"])
def test_payload_size_limit_and_raising_it(form: str) -> None:
    payload = b"p" * 2000
    small = Limits(max_payload_size=1000)
    unencoded = {"b64": False, "crit": ["b64"]}

    def run(limits: Limits) -> bytes:
        if form == "compact":
            token = jws.sign(payload, HS, "HS256")
            return jws.verify(token, HS, algorithms=["HS256"], limits=limits).payload
        if form == "b64false":
            token = jws.sign(payload, HS, "HS256", header=unencoded)
            return jws.verify(
                token, HS, algorithms=["HS256"], unencoded_payload=True, limits=limits
            ).payload
        if form == "detached":
            token = jws.sign(payload, HS, "HS256", detached=True)
            return jws.verify(
                token, HS, algorithms=["HS256"], detached_payload=payload, limits=limits
            ).payload
        detached = form == "json-detached"
        obj = jws.sign_json(payload, [jws.Signer(HS, "HS256")], detached=detached)
        kwargs: dict[str, Any] = {"detached_payload": payload} if detached else {}
        return jws.verify_json(obj, HS, algorithms=["HS256"], limits=limits, **kwargs).payload

    with pytest.raises(errors.LimitExceededError, match="payload"):
        run(small)
    assert run(Limits(max_payload_size=2000)) == payload


def test_json_depth_limit() -> None:
    deep = json.dumps({"alg": "HS256", "x": [[[[[[1]]]]]]})
    token = _hmac_token(b64e_str(deep.encode()), "eA", _secret(HS))
    with pytest.raises(errors.LimitExceededError, match="nests"):
        jws.verify(token, HS, algorithms=["HS256"], limits=Limits(max_json_depth=4))
    assert jws.verify(token, HS, algorithms=["HS256"]).header["x"] == [[[[[[1]]]]]]
    text = '{"payload":"eA","signatures":' + "[" * 40 + "]" * 40 + "}"
    with pytest.raises(errors.LimitExceededError, match="nests"):
        jws.verify_json(text, HS, algorithms=["HS256"])


# -- every failure is a JoseError -----------------------------------------------------------


_token_chars = st.sampled_from(
    list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"'\x00\u00e9")
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(token=st.one_of(st.text(_token_chars, max_size=80), st.binary(max_size=40)))
def test_garbage_compact_input_only_raises_jose_errors(token: Any) -> None:
    for key in (HS, KeySet([HS])):
        with pytest.raises(errors.JoseError):
            jws.verify(token, key, algorithms=["HS256"])
    with pytest.raises(errors.JoseError):
        jws.decode_unsecured(token)


_json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)
_jws_members = st.fixed_dictionaries(
    {},
    optional={
        "payload": _json_values,
        "protected": st.one_of(_json_values, st.just("eyJhbGciOiJIUzI1NiJ9")),
        "header": _json_values,
        "signature": _json_values,
        "signatures": st.one_of(
            _json_values,
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "protected": st.one_of(_json_values, st.just("eyJhbGciOiJIUzI1NiJ9")),
                        "header": _json_values,
                        "signature": _json_values,
                    },
                ),
                max_size=3,
            ),
        ),
    },
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(obj=_jws_members, as_text=st.booleans())
def test_garbage_json_input_only_raises_jose_errors(obj: dict[str, Any], as_text: bool) -> None:
    with pytest.raises(errors.JoseError):
        jws.verify_json(json.dumps(obj) if as_text else obj, HS, algorithms=["HS256"])


# -- an imported key is used as it is ---------------------------------------------------------


def test_verify_never_imports_the_key_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from josekit.jwk import _key

    keys = {alg: jwk.generate("EC", crv="P-256") for alg in ("ES256",)}
    token = jws.sign(b"x", keys["ES256"], "ES256")
    public = keys["ES256"].public()
    hs_token = jws.sign(b"x", HS, "HS256")

    def no_import(*args: Any, **kwargs: Any) -> Key:
        raise AssertionError("a key was imported again during verification")

    monkeypatch.setattr(_key, "_from_jwk", no_import)
    monkeypatch.setattr(Key, "import_key", no_import)
    for _ in range(3):
        assert jws.verify(token, public, algorithms=["ES256"]).key is public
        assert jws.verify(hs_token, HS, algorithms=["HS256"]).key is HS
        assert jws.verify(token, KeySet([public]), algorithms=["ES256"]).key is public


# -- the memo of decoded protected headers ----------------------------------------------------


def test_header_memo_is_bounded_and_never_bypasses_limits() -> None:
    from josekit import _header

    token = jws.sign(b"x", HS, "HS256", header={"typ": "JWT", "note": "n" * 100})
    assert jws.verify(token, HS, algorithms=["HS256"])  # now remembered
    h64 = token.split(".")[0]
    assert h64 in _header._memo
    with pytest.raises(errors.LimitExceededError):
        jws.verify(token, HS, algorithms=["HS256"], limits=Limits(max_header_size=50))
    with pytest.raises(errors.LimitExceededError):
        jws.verify(token, HS, algorithms=["HS256"], limits=Limits(max_json_depth=0))
    for i in range(300):
        jws.verify(jws.sign(b"x", HS, "HS256", header={"n": i}), HS, algorithms=["HS256"])
    assert len(_header._memo) <= 256


def test_headers_with_nested_members_are_parsed_each_time_with_the_callers_depth() -> None:
    from josekit import _header

    token = jws.sign(b"x", HS, "HS256", header={"crit": ["exp"], "exp": 1})
    assert jws.verify(token, HS, algorithms=["HS256"], crit=["exp"])
    assert token.split(".")[0] not in _header._memo
    with pytest.raises(errors.LimitExceededError):
        jws.verify(token, HS, algorithms=["HS256"], crit=["exp"], limits=Limits(max_json_depth=1))


_header_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=8),
        st.binary(max_size=4),
        st.sets(st.integers(), max_size=2),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    header=st.one_of(
        st.dictionaries(
            st.one_of(st.sampled_from(["alg", "crit", "b64", "kid", "typ"]), st.text(max_size=5)),
            _header_values,
            max_size=4,
        ),
        _header_values,
    ),
    payload=st.one_of(st.binary(max_size=20), st.text(max_size=20)),
    detached=st.booleans(),
)
def test_any_sign_input_gives_a_token_or_a_jose_error(
    header: Any, payload: Any, detached: bool
) -> None:
    try:
        token = jws.sign(payload, HS, "HS256", header=header, detached=detached)
    except errors.JoseError:
        return
    crit = (header or {}).get("crit", [])
    kwargs: dict[str, Any] = {"crit": [n for n in crit if n != "b64"]}
    if detached:
        kwargs["detached_payload"] = payload
    if not isinstance((header or {}).get("kid", ""), str):
        # sign() leaves 'kid' to the caller (tests build such tokens); verify() refuses it.
        with pytest.raises(errors.InvalidHeaderError, match="kid"):
            jws.verify(token, HS, algorithms=["HS256"], unencoded_payload=True, **kwargs)
        return
    result = jws.verify(token, HS, algorithms=["HS256"], unencoded_payload=True, **kwargs)
    expected = payload.encode() if isinstance(payload, str) else payload
    assert result.payload == expected
