"""Issue #19 point 8: ECDH-ES with keys on several curves and no ``kid``.

A candidate on another curve than the ``epk``'s does not fit; it is skipped, never an error,
so the order of the keys in the set does not matter.
"""

from __future__ import annotations

import itertools

import pytest

from josekit import errors, jwe, jwk
from josekit.jwk import Key, KeySet


@pytest.fixture(scope="module")
def keys() -> list[Key]:
    return [
        jwk.generate("EC", crv="P-256", alg="ECDH-ES+A128KW"),
        jwk.generate("EC", crv="P-384", alg="ECDH-ES+A128KW"),
        jwk.generate("OKP", crv="X25519", alg="ECDH-ES+A128KW"),
    ]


@pytest.mark.parametrize("alg", ["ECDH-ES", "ECDH-ES+A128KW"])
def test_every_key_of_a_multi_curve_set_decrypts_whatever_the_order(
    keys: list[Key], alg: str
) -> None:
    bound = [Key.import_key({**k.to_dict(private=True), "alg": alg}) for k in keys]
    for recipient in bound:
        token = jwe.encrypt(b"x", recipient.public(), alg, "A128GCM")
        for order in itertools.permutations(bound):
            result = jwe.decrypt(token, KeySet(list(order)), algorithms=[alg])
            assert result.plaintext == b"x"
            assert result.key == recipient


def test_no_key_on_the_epk_curve_is_key_not_found(keys: list[Key]) -> None:
    token = jwe.encrypt(b"x", keys[0].public(), "ECDH-ES+A128KW", "A128GCM")
    with pytest.raises(errors.KeyNotFoundError):
        jwe.decrypt(token, KeySet(keys[1:]), algorithms=["ECDH-ES+A128KW"])


def test_one_key_on_another_curve_is_still_a_header_error(keys: list[Key]) -> None:
    token = jwe.encrypt(b"x", keys[0].public(), "ECDH-ES+A128KW", "A128GCM")
    with pytest.raises(errors.InvalidHeaderError, match="epk"):
        jwe.decrypt(token, keys[1], algorithms=["ECDH-ES+A128KW"])
