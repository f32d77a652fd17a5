"""jwk.generate(alg=...): the algorithm decides the key type, curve and size."""

from __future__ import annotations

from typing import Any

import pytest

from josekit import jwk
from josekit.algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT, SIGNATURE_ALGORITHMS
from josekit.errors import InvalidKeyError
from josekit.jwk._alg_keys import ALG_KEYS

_FAST = [name for name, row in ALG_KEYS.items() if row.kty != "RSA"] + ["RS256", "RSA-OAEP-256"]


def _check(alg: str, key: jwk.Key) -> None:
    """The algorithm table's own key check for ``alg``: it raises when the key does not fit."""
    row: Any = SIGNATURE_ALGORITHMS.get(alg)
    if row is not None:
        row.check_key(key, "sign")
        return
    row = KEY_MANAGEMENT[alg]
    suite = getattr(row, "suite", None)
    if suite is not None:  # HPKE: the suite names the key (some suites may be unavailable)
        if (key.kty, key.crv) != (suite.kty, suite.crv):
            raise InvalidKeyError(f"{alg} takes {suite.kty} {suite.crv}, not {key.kty} {key.crv}")
        return
    if getattr(row, "integrated", False):
        row.check_integrated_key(key, "decrypt")
    else:
        row.check_key(key, "decrypt", CONTENT_ENCRYPTION["A256GCM"])


@pytest.mark.parametrize(
    ("alg", "kty", "crv", "size"),
    [
        ("ES384", "EC", "P-384", 384),
        ("HS512", "oct", None, 512),
        ("RSA-OAEP-256", "RSA", None, 2048),
        ("ECDH-ES+A256KW", "EC", "P-256", 256),
        ("ML-DSA-65", "AKP", None, None),
        ("ES256K", "EC", "secp256k1", 256),
        ("EdDSA", "OKP", "Ed25519", 256),
        ("A192KW", "oct", None, 192),
        ("HPKE-3", "OKP", "X25519", 256),
    ],
)
def test_alg_alone_decides_the_key(alg: str, kty: str, crv: str | None, size: int | None) -> None:
    key = jwk.generate(alg=alg, kid="k")
    assert (key.kty, key.crv, key.alg, key.kid) == (kty, crv, alg, "k")
    if size is not None:
        assert key.size == size
    _check(alg, key)


def test_kty_with_alg_follows_alg_for_the_rest() -> None:
    assert jwk.generate("EC", alg="ES384").crv == "P-384"
    assert jwk.generate("oct", alg="HS384").size == 384
    assert jwk.generate("OKP", alg="ECDH-ES").crv == "X25519"
    assert jwk.generate(alg="ECDH-ES", crv="X448").kty == "OKP"
    assert jwk.generate(alg="EdDSA", crv="Ed448").crv == "Ed448"
    assert jwk.generate("oct", alg="HS256", size=512).size == 512  # more than enough is fine
    assert jwk.generate("oct", alg="dir", size=256).alg == "dir"  # dir: the size is yours


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("EC",), {"alg": "RS256"}, "alg RS256 needs an RSA key, not EC"),
        (("oct",), {"alg": "HS512", "size": 256}, "at least 512 bits, not 256"),
        (("EC",), {"alg": "ES384", "crv": "P-256"}, "needs a key on P-384, not P-256"),
        (("RSA",), {"alg": "ECDH-ES"}, "needs an EC or OKP key, not RSA"),
        ((), {"alg": "A128KW", "size": 256}, "needs a 128-bit key, not 256 bits"),
        ((), {"alg": "ES256", "size": 256}, "takes a curve (P-256), not a size"),
        ((), {"alg": "HS256", "crv": "P-256"}, "has no curve"),
        ((), {"alg": "RS256", "size": 1024}, "at least 2048 bits"),
        ((), {"alg": "dir"}, "alg dir does not"),
        ((), {}, "give kty"),
    ],
)
def test_contradictions_are_refused(
    args: tuple[str, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidKeyError) as excinfo:
        jwk.generate(*args, **kwargs)
    assert message in str(excinfo.value)


def test_an_alg_josekit_does_not_know_is_kept_with_an_explicit_kty() -> None:
    assert jwk.generate("EC", alg="X-PRIVATE").alg == "X-PRIVATE"


@pytest.mark.parametrize("alg", _FAST)
def test_every_row_makes_a_key_its_algorithm_accepts(alg: str) -> None:
    _check(alg, jwk.generate(alg=alg))


@pytest.mark.parametrize("alg", sorted(ALG_KEYS))
def test_every_row_names_a_known_algorithm(alg: str) -> None:
    assert alg in SIGNATURE_ALGORITHMS or alg in KEY_MANAGEMENT


def test_every_algorithm_that_decides_its_key_has_a_row() -> None:
    from josekit.jwk._akp import AKP_ALGORITHMS

    undecided = {"dir"} | {n for n, row in KEY_MANAGEMENT.items() if row.accepts_password}
    # Post-quantum HPKE suites that the installed cryptography cannot run make no keys.
    unavailable = {
        n for n, row in KEY_MANAGEMENT.items()
        if getattr(row, "suite", None) is not None and row.suite.kty == "AKP"  # type: ignore[attr-defined]
        and n not in AKP_ALGORITHMS
    }  # fmt: skip
    names = set(SIGNATURE_ALGORITHMS) | set(KEY_MANAGEMENT)
    assert names - set(ALG_KEYS) - undecided - unavailable == set()
    assert undecided & set(ALG_KEYS) == set()


def test_curves_a_row_does_not_list_are_refused_by_its_algorithm_too() -> None:
    for alg, row in ALG_KEYS.items():
        if row.curves is None or row.kty == "AKP":
            continue
        for crv in ("P-256", "P-384", "P-521", "secp256k1", "Ed25519", "Ed448", "X25519", "X448"):
            kty = "OKP" if crv[0] in "EX" else "EC"
            key = jwk.generate(kty, crv=crv)
            if crv in row.curves:
                _check(alg, key)
            else:
                with pytest.raises(InvalidKeyError):
                    _check(alg, key)
