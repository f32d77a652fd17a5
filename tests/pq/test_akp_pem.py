"""AKP keys to PEM: a key cryptography cannot serialize raises InvalidKeyError, never more."""

from __future__ import annotations

import pytest

from josekit import Key, jwk
from josekit.errors import InvalidKeyError
from josekit.jwk._akp import AKP_ALGORITHMS

HYBRID = {f"HPKE-{n}{ke}" for n in (9, 10) for ke in ("", "-KE")}
"""ML-KEM combined with X25519 or P-384: pyca/cryptography has no PEM form for them."""


@pytest.mark.parametrize("alg", sorted(HYBRID & set(AKP_ALGORITHMS)))
@pytest.mark.parametrize("private", [True, False])
def test_hybrid_keys_have_no_pem_form(alg: str, private: bool) -> None:
    key = jwk.generate(alg=alg)
    with pytest.raises(InvalidKeyError, match=r"no PEM form .*export it as a JWK"):
        key.to_pem(private=private)


@pytest.mark.parametrize("alg", sorted(set(AKP_ALGORITHMS) - HYBRID))
def test_other_akp_keys_have_one(alg: str) -> None:
    key = jwk.generate(alg=alg)
    pem = key.to_pem(private=True)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert key.to_pem().startswith("-----BEGIN PUBLIC KEY-----")
    if alg.startswith("ML-DSA"):
        assert Key.import_key(pem).thumbprint() == key.thumbprint()
