"""The ROCA fingerprint check (CVE-2017-15361) at RSA key import."""

from __future__ import annotations

import base64
import json
import math
import random
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from josekit import errors, jwk
from josekit.jwk import Key
from josekit.jwk._roca import _GROUPS, _MARKERS, has_roca_fingerprint

WYCHEPROOF = Path(__file__).resolve().parent.parent / "vectors" / "jwk" / "wycheproof"
PRIMES = [p for p, _ in _MARKERS]
M = math.prod(PRIMES)


def b64url_int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def roca_public_key() -> dict[str, str]:
    data = json.loads((WYCHEPROOF / "json_web_key_test.json").read_text(encoding="utf-8"))
    (group,) = [g for g in data["testGroups"] if g["comment"] == "jws_rsa_roca_key"]
    (key,) = group["public"]["keys"]
    assert isinstance(key, dict)
    return key


def test_table_covers_the_published_primes() -> None:
    # The published detector tests the odd primes 3..167 (38 of them).
    assert PRIMES[0] == 3
    assert PRIMES[-1] == 167
    assert len(PRIMES) == 38
    assert all(all(p % d for d in range(2, p)) for p in PRIMES)


def test_table_matches_the_published_markers() -> None:
    # The first markers of the published detector (roca/detect.py, "prints"), as a
    # cross-check of the derivation: bit x of marker i is set iff x is a power of 65537
    # modulo primes[i].
    published = [6, 30, 126, 1026, 5658, 107286, 199410, 8388606, 536870910, 2147483646]
    assert [mask for _, mask in _MARKERS[: len(published)]] == published


@pytest.mark.parametrize(("prime", "mask"), _MARKERS)
def test_each_marker_is_the_subgroup_of_65537(prime: int, mask: int) -> None:
    subgroup = {pow(65537, k, prime) for k in range(prime)}
    assert mask == sum(1 << x for x in subgroup)


@settings(max_examples=40, deadline=None)
@given(
    a=st.integers(min_value=0, max_value=2**64),
    b=st.integers(min_value=0, max_value=2**64),
    k=st.integers(min_value=2**700, max_value=2**800),
    j=st.integers(min_value=2**700, max_value=2**800),
)
def test_moduli_built_like_roca_are_detected(a: int, b: int, k: int, j: int) -> None:
    # Factors of the flawed generator's form k * M + (65537^a mod M) (no need to be prime:
    # the fingerprint only sees n modulo the small primes).
    p = k * M + pow(65537, a, M)
    q = j * M + pow(65537, b, M)
    assert has_roca_fingerprint(p * q)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=2**2047, max_value=2**2048 - 1))
def test_random_moduli_are_not_flagged(n: int) -> None:
    # A random odd number passes all 38 tests with probability far below 2^-100.
    assert not has_roca_fingerprint(n | 1)


def test_wycheproof_roca_key_is_flagged() -> None:
    n = int.from_bytes(base64.urlsafe_b64decode(roca_public_key()["n"] + "=="), "big")
    assert has_roca_fingerprint(n)


def test_roca_key_is_refused_from_every_import_path() -> None:
    data = roca_public_key()
    n = int.from_bytes(base64.urlsafe_b64decode(data["n"] + "=="), "big")
    native = rsa.RSAPublicNumbers(65537, n).public_key()
    pem = native.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    der = native.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for source in (data, json.dumps(data), native, pem, pem.decode(), der):
        with pytest.raises(errors.InvalidKeyError, match="ROCA"):
            Key.import_key(source)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidKeyError, match="ROCA"):
        jwk.KeySet.import_key_set({"keys": [data]}, strict=True)
    (lazy,) = jwk.KeySet.import_key_set({"keys": [data]})
    with pytest.raises(errors.InvalidKeyError, match="ROCA"):
        lazy.public_crypto_key  # noqa: B018  (checked before the key is used)


def roca_factor(bits: int, a: int) -> int:
    p = (2**bits // M) * M + pow(65537, a, M)
    return p if p % 2 else p + M  # M is odd: adding it fixes the parity, not the residues


def test_constructed_roca_modulus_is_refused_as_a_jwk() -> None:
    n = roca_factor(1024, 5) * roca_factor(1030, 9)
    assert n % 2 == 1
    assert n.bit_length() > 2048
    with pytest.raises(errors.InvalidKeyError, match="ROCA"):
        Key.import_key({"kty": "RSA", "n": b64url_int(n), "e": "AQAB"})
    with pytest.raises(errors.InvalidKeyError, match="ROCA"):
        Key.import_key({"kty": "RSA", "n": b64url_int(n + 2 * M), "e": "AQAB"})
    # One step off the subgroup for some prime and the fingerprint is gone.
    assert Key.import_key({"kty": "RSA", "n": b64url_int(n + 2), "e": "AQAB"}).size > 2048


def test_generated_keys_pass() -> None:
    key = jwk.generate("RSA")
    assert not has_roca_fingerprint(key.public_crypto_key.public_numbers().n)


def published_detector(n: int) -> bool:
    """The published test as written: 38 remainders of n, primes in increasing order."""
    return all(mask >> (n % prime) & 1 for prime, mask in _MARKERS)


def subgroup(prime: int, mask: int) -> list[int]:
    return [x for x in range(prime) if mask >> x & 1]


def crt_modulus(residues: dict[int, int], bits: int, rng: random.Random) -> int:
    """An odd number of about ``bits`` bits with ``n % p == residues[p]`` for each prime."""
    n = sum(r * (M // p) * pow(M // p, -1, p) for p, r in residues.items()) % M
    n += rng.getrandbits(bits - M.bit_length()) * M
    return n if n % 2 else n + M


def test_groups_hold_each_marker_once_below_one_digit() -> None:
    grouped = [marker for _, markers in _GROUPS for marker in markers]
    assert sorted(grouped) == sorted(_MARKERS)
    for product, markers in _GROUPS:
        assert product == math.prod(p for p, _ in markers) < 2**30


def test_same_verdict_as_the_published_detector() -> None:
    # Random moduli, moduli built like ROCA's, and ROCA-like moduli with one prime's residue
    # moved out of its subgroup (or to 0): each of the 38 conditions counts, in any order.
    rng = random.Random(20171016)
    cases = [rng.getrandbits(2048) | 1 for _ in range(2000)]
    for _ in range(200):
        cases.append(
            roca_factor(1024, rng.randrange(2**32)) * roca_factor(1024, rng.randrange(2**32))
        )
    for prime, mask in _MARKERS:
        outside = [x for x in range(prime) if not mask >> x & 1]
        for bad in (rng.choice(outside), 0) if outside != [0] else (0,):
            residues = {p: rng.choice(subgroup(p, m)) for p, m in _MARKERS}
            residues[prime] = bad
            cases.append(crt_modulus(residues, 2048, rng))
        residues = {p: rng.choice(subgroup(p, m)) for p, m in _MARKERS}
        cases.append(crt_modulus(residues, 2048, rng))
    verdicts = [has_roca_fingerprint(n) for n in cases]
    assert verdicts == [published_detector(n) for n in cases]
    assert sum(verdicts) == 200 + 38  # the ROCA-built ones and one all-subgroup modulus per prime


class CountingInt(int):
    """An int that counts the remainders taken of it (the costly step on a 2048-bit n)."""

    reductions = 0

    def __mod__(self, other: int) -> int:
        CountingInt.reductions += 1
        return int(self) % other


def reductions_of(n: int) -> int:
    CountingInt.reductions = 0
    has_roca_fingerprint(CountingInt(n))
    return CountingInt.reductions


def test_a_modulus_is_reduced_once_per_group_at_most() -> None:
    # A random modulus fails the first group (all but ~1 in 17,000): one reduction, where the
    # published order took one per prime up to the first one failing (at least 4: 3, 5 and 7
    # fail no modulus prime to them).
    rng = random.Random(7)
    randoms = [n for n in (rng.getrandbits(2048) for _ in range(1000)) if math.gcd(n, 2 * M) == 1]
    assert len(randoms) >= 50  # like an RSA modulus, none has a factor below 168
    assert [reductions_of(n) for n in randoms] == [1] * len(randoms)
    roca = roca_factor(1024, 5) * roca_factor(1030, 9)
    assert reductions_of(roca) == len(_GROUPS) < len(_MARKERS) / 4
