"""Key-set selection for JWE says why no key fits, like JWS does."""

from __future__ import annotations

import pytest

from josekit import KeySet, errors, jwe, jwk


def test_key_not_found_names_the_reason_the_key_did_not_fit() -> None:
    right = jwk.generate("oct", size=256, kid="kw")
    token = jwe.encrypt(b"secret", right, "A256KW", "A256GCM")
    too_small = jwk.generate("oct", size=128, kid="kw")
    with pytest.raises(errors.KeyNotFoundError, match=r"first candidate was refused: .*256-bit"):
        jwe.decrypt(token, KeySet([too_small]), algorithms=["A256KW"])
    assert jwe.decrypt(token, KeySet([right]), algorithms=["A256KW"]).plaintext == b"secret"
