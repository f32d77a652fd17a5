"""JWK import validates every parameter of every key type."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from josekit import errors
from josekit.jwk import Key
from josekit.jwk._curves import EC_CURVES

COOKBOOK = Path(__file__).resolve().parent.parent / "vectors" / "jwk" / "cookbook"
RSA_PRIVATE = json.loads((COOKBOOK / "3_4.rsa_private_key.json").read_text(encoding="utf-8"))
EC_PRIVATE = json.loads((COOKBOOK / "3_2.ec_private_key.json").read_text(encoding="utf-8"))
CRT = ("p", "q", "dp", "dq", "qi")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def to_int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def from_int(value: int, length: int | None = None) -> str:
    return b64url(value.to_bytes(length or max(1, (value.bit_length() + 7) // 8), "big"))


def rsa_public() -> dict[str, Any]:
    return {m: RSA_PRIVATE[m] for m in ("kty", "n", "e")}


def without(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in names}


# -- kty ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error", "fragment"),
    [
        ({}, errors.MalformedError, "no 'kty'"),
        ({"kty": 1}, errors.MalformedError, "no 'kty'"),
        ({"kty": "DSA"}, errors.UnsupportedAlgorithmError, "'DSA' is not supported"),
        ({"kty": "rsa", "n": "AQAB", "e": "AQAB"}, errors.UnsupportedAlgorithmError, "'rsa'"),
        ({"kty": "oct"}, errors.InvalidKeyError, "missing required member 'k'"),
        ({"kty": "EC", "crv": "P-256", "x": "AA"}, errors.InvalidKeyError, "member 'y'"),
        ({"kty": "OKP", "x": "AA"}, errors.InvalidKeyError, "member 'crv'"),
    ],
)
def test_kty_and_required_members(
    data: dict[str, Any], error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        Key.import_key(data)


@pytest.mark.parametrize("text", ["[]", "null", '{"kty": "oct", "k": "AA", "k": "AB"}', "{"])
def test_json_text_must_be_one_object(text: str) -> None:
    with pytest.raises(errors.MalformedError):
        Key.import_key(text)


# -- RSA --------------------------------------------------------------------------------------


def test_rsa_private_key_without_crt_members_is_completed() -> None:
    key = Key.import_key(without(RSA_PRIVATE, *CRT))
    assert key.to_dict(private=True) == RSA_PRIVATE


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"e": from_int(1)}, "exponent 'e' must be odd, at least 3"),
        ({"e": from_int(2)}, "exponent 'e' must be odd"),
        ({"e": from_int(65536)}, "exponent 'e' must be odd"),
        ({"e": RSA_PRIVATE["n"]}, "below n"),
        ({"e": ""}, "'e' is empty"),
        ({"n": ""}, "'n' is empty"),
        ({"n": from_int(to_int(RSA_PRIVATE["n"]) + 1)}, "must be odd"),
        ({"n": from_int(2**510 + 1)}, "at least 512 bits"),
        ({"n": from_int(2**16385 + 1)}, "at most 16384"),
        ({"n": 12345}, "base64url string"),
        ({"n": "AQAB="}, "base64url"),
        ({"n": "AQ+B"}, "base64url"),
    ],
)
def test_rsa_public_parameters(change: dict[str, Any], fragment: str) -> None:
    for data in (rsa_public(), RSA_PRIVATE):
        with pytest.raises(errors.InvalidKeyError, match=fragment):
            Key.import_key({**data, **change})


def test_rsa_small_modulus_is_imported_but_not_usable() -> None:
    small = rsa.generate_private_key(65537, 1024)
    key = Key.import_key(small.public_key())
    assert key.size == 1024


def test_rsa_multi_prime_keys_are_refused_with_a_clear_error() -> None:
    oth = [{"r": RSA_PRIVATE["p"], "d": RSA_PRIVATE["dp"], "t": RSA_PRIVATE["qi"]}]
    with pytest.raises(errors.UnsupportedAlgorithmError, match=r"'oth'.*two-prime"):
        Key.import_key({**RSA_PRIVATE, "oth": oth})


def crt_change(name: str, delta: int) -> dict[str, str]:
    return {name: from_int(to_int(RSA_PRIVATE[name]) + delta)}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (crt_change("p", 2), "not the factors of n"),
        (crt_change("q", -2), "not the factors of n"),
        ({"p": from_int(1), "q": RSA_PRIVATE["n"]}, "not the factors of n"),
        ({"p": RSA_PRIVATE["n"], "q": from_int(1)}, "not the factors of n"),
        ({"p": RSA_PRIVATE["q"], "q": RSA_PRIVATE["p"]}, "dp, dq or qi"),
        (crt_change("dp", 1), "dp, dq or qi"),
        (crt_change("dq", 1), "dp, dq or qi"),
        (crt_change("qi", 1), "dp, dq or qi"),
        (crt_change("d", 2), "dp, dq or qi"),
        ({"d": from_int(1)}, "between 1 and n"),
        ({"d": RSA_PRIVATE["n"]}, "between 1 and n"),
        ({"d": ""}, "'d' is empty"),
    ],
)
def test_rsa_private_consistency(change: dict[str, str], fragment: str) -> None:
    with pytest.raises(errors.InvalidKeyError, match=fragment):
        Key.import_key({**RSA_PRIVATE, **change})


def test_rsa_private_exponent_must_match_e_when_crt_agrees() -> None:
    # d, dp and dq all shifted consistently: only e * d = 1 (mod lcm) can catch it.
    p, q, d = (to_int(RSA_PRIVATE[m]) for m in ("p", "q", "d"))
    bad_d = d + 2
    change = {
        "d": from_int(bad_d),
        "dp": from_int(bad_d % (p - 1)),
        "dq": from_int(bad_d % (q - 1)),
    }
    with pytest.raises(errors.InvalidKeyError, match="invalid RSA private key"):
        Key.import_key({**RSA_PRIVATE, **change})


def test_rsa_private_d_must_match_e_without_crt() -> None:
    change = crt_change("d", 2)
    with pytest.raises(errors.InvalidKeyError, match="d does not match n and e"):
        Key.import_key({**without(RSA_PRIVATE, *CRT), **change})


@pytest.mark.parametrize("names", [("p",), ("p", "q"), ("dp", "dq", "qi")])
def test_rsa_crt_members_all_or_none(names: tuple[str, ...]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="all of p, q, dp, dq, qi"):
        Key.import_key(without(RSA_PRIVATE, *names))


def test_rsa_private_members_without_d() -> None:
    with pytest.raises(errors.InvalidKeyError, match="no 'd'"):
        Key.import_key(without(RSA_PRIVATE, "d"))


# -- EC ---------------------------------------------------------------------------------------


def ec_public() -> dict[str, Any]:
    return without(EC_PRIVATE, "d")


@pytest.mark.parametrize(
    ("change", "error", "fragment"),
    [
        ({"crv": "P-192"}, errors.UnsupportedAlgorithmError, "'P-192'"),
        ({"crv": "Ed25519"}, errors.UnsupportedAlgorithmError, "'Ed25519'"),
        ({"crv": 256}, errors.UnsupportedAlgorithmError, "256"),
        ({"crv": "P-384"}, errors.InvalidKeyError, "48 bytes each"),
        ({"x": b64url(bytes(65))}, errors.InvalidKeyError, "66 bytes each"),
        ({"y": EC_PRIVATE["x"]}, errors.InvalidKeyError, "not on curve P-521"),
        ({"x": b64url(b"\xff" * 66)}, errors.InvalidKeyError, "not on curve"),
        ({"x": 1}, errors.InvalidKeyError, "base64url string"),
    ],
)
def test_ec_public_parameters(
    change: dict[str, Any], error: type[Exception], fragment: str
) -> None:
    for data in (ec_public(), EC_PRIVATE):
        with pytest.raises(error, match=fragment):
            Key.import_key({**data, **change})


@pytest.mark.parametrize(
    ("d", "fragment"),
    [
        (bytes(66), "out of range"),
        ((2**521 - 1).to_bytes(66, "big"), "out of range"),
        (bytes(65) + b"\x01", "does not match the public point"),
        (bytes(65), "must be 66 bytes"),
        (b"", "must be 66 bytes"),
    ],
)
def test_ec_private_parameters(d: bytes, fragment: str) -> None:
    with pytest.raises(errors.InvalidKeyError, match=fragment):
        Key.import_key({**EC_PRIVATE, "d": b64url(d)})


@pytest.mark.parametrize("crv", sorted(EC_CURVES))
def test_curve_order_table(crv: str) -> None:
    # Checks the order josekit uses for range checks against the backend: (n - 1) * G = -G
    # (same x, other y), and n * G is the point at infinity, which is no valid key.
    curve = EC_CURVES[crv]
    g = ec.derive_private_key(1, curve.curve()).public_key().public_numbers()
    minus_g = ec.derive_private_key(curve.order - 1, curve.curve()).public_key().public_numbers()
    assert minus_g.x == g.x
    assert minus_g.y != g.y
    with pytest.raises(ValueError):
        ec.derive_private_key(curve.order, curve.curve())


def test_ec_private_d_equal_to_the_order_is_refused() -> None:
    order = EC_CURVES["P-521"].order
    with pytest.raises(errors.InvalidKeyError, match="out of range"):
        Key.import_key({**EC_PRIVATE, "d": from_int(order, 66)})


# -- OKP and oct ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error", "fragment"),
    [
        ({"crv": "Ed25519", "x": b64url(bytes(31))}, errors.InvalidKeyError, "32 bytes"),
        ({"crv": "Ed448", "x": b64url(bytes(56))}, errors.InvalidKeyError, "57 bytes"),
        ({"crv": "X448", "x": b64url(bytes(57))}, errors.InvalidKeyError, "56 bytes"),
        ({"crv": "X25519", "x": b64url(bytes(32)), "d": b64url(bytes(31))}, None, "'d' must be 32"),
        ({"crv": "P-256", "x": b64url(bytes(32))}, errors.UnsupportedAlgorithmError, "'P-256'"),
        ({"crv": "Curve25519", "x": b64url(bytes(32))}, errors.UnsupportedAlgorithmError, "OKP"),
    ],
)
def test_okp_parameters(data: dict[str, Any], error: type[Exception] | None, fragment: str) -> None:
    with pytest.raises(error or errors.InvalidKeyError, match=fragment):
        Key.import_key({"kty": "OKP", **data})


@pytest.mark.parametrize(
    ("k", "fragment"), [("", "empty"), (None, "base64url string"), ("A", "base64url")]
)
def test_oct_parameters(k: Any, fragment: str) -> None:
    with pytest.raises(errors.InvalidKeyError, match=fragment):
        Key.import_key({"kty": "oct", "k": k})
