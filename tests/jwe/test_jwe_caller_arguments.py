"""Issue #19 point 10: caller arguments are validated, as jws.verify and jwt.decode do.

``jwe.decrypt(crit=...)`` and ``decrypt_json`` refuse a string, a number or non-string names
with an ``InvalidHeaderError`` (never a ``TypeError``, never ``"xy"`` read as ``x``, ``y``);
the JWT profile helpers refuse a ``required=`` that is not a list of claim names.
"""

from __future__ import annotations

from typing import Any

import pytest

from josekit import errors, jwe, jwk, jws, jwt


@pytest.fixture(scope="module")
def key() -> jwk.Key:
    return jwk.generate("oct", size=128, alg="A128KW")


def token_with_crit(key: jwk.Key) -> str:
    return jwe.encrypt(b"x", key, "A128KW", "A128GCM", header={"crit": ["x"], "x": 1})


@pytest.mark.parametrize("crit", [5, "xy", b"x", [5], [None]])
def test_decrypt_refuses_a_malformed_crit_argument(key: jwk.Key, crit: Any) -> None:
    with pytest.raises(errors.InvalidHeaderError, match="crit="):
        jwe.decrypt(token_with_crit(key), key, algorithms=["A128KW"], crit=crit)
    obj = jwe.encrypt_json(b"x", [jwe.Recipient(key, "A128KW")], "A128GCM")
    with pytest.raises(errors.InvalidHeaderError, match="crit="):
        jwe.decrypt_json(obj, key, algorithms=["A128KW"], crit=crit)


def test_decrypt_crit_none_means_no_extension(key: jwk.Key) -> None:
    with pytest.raises(errors.CriticalHeaderError, match="does not understand"):
        jwe.decrypt(token_with_crit(key), key, algorithms=["A128KW"], crit=None)
    assert jwe.decrypt(token_with_crit(key), key, algorithms=["A128KW"], crit=["x"]).plaintext


def test_verify_refuses_a_number_as_crit() -> None:
    secret = jwk.generate("oct", size=256, alg="HS256")
    with pytest.raises(errors.InvalidHeaderError, match="crit="):
        jws.verify(jws.sign(b"x", secret, "HS256"), secret, algorithms=["HS256"], crit=5)


@pytest.mark.parametrize("required", [5, [5], "scope"])
def test_profile_helpers_refuse_a_malformed_required(required: Any) -> None:
    secret = jwk.generate("oct", size=256, alg="HS256")
    token = jwt.encode({"sub": "a"}, secret, "HS256")
    with pytest.raises(errors.JoseError, match="required must"):
        jwt.decode_access_token(
            token, secret, algorithms=["HS256"], issuer="i", audience="a", required=required
        )
    with pytest.raises(errors.JoseError, match="required must"):
        jwt.decode_id_token(
            token, secret, algorithms=["HS256"], issuer="i", client_id="c", required=required
        )
