"""Key.import_key: an alg that does not fit is refused (a key set skips it); hints for non-keys."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from josekit import errors, jwk, jws
from josekit.jwk import Key, KeySet

EC = jwk.generate("EC", crv="P-256", kid="ec")
RSA = jwk.generate("RSA", kid="rsa")


def _with_alg(key: Key, alg: str, kid: str | None = None) -> dict[str, Any]:
    data = key.public().to_dict()
    data["alg"] = alg
    if kid is not None:
        data["kid"] = kid
    return data


@pytest.mark.parametrize(
    ("key", "alg"),
    [(EC, "ES384"), (EC, "RS256"), (RSA, "HS256"), (RSA, "ES256"), (EC, "dir")],
)
def test_a_known_alg_that_does_not_fit_is_refused(key: Key, alg: str) -> None:
    with pytest.raises(errors.InvalidKeyError, match=f"alg {alg} takes"):
        Key.import_key(_with_alg(key, alg))
    with pytest.raises(errors.InvalidKeyError, match=r"does not fit|takes a secret"):
        Key.import_key(key.public().to_pem(), alg=alg)


def test_algs_that_fit_are_kept() -> None:
    assert Key.import_key(_with_alg(EC, "ES256")).alg == "ES256"
    assert Key.import_key(_with_alg(EC, "ECDH-ES+A256KW")).alg == "ECDH-ES+A256KW"
    x25519 = jwk.generate("OKP", crv="X25519")
    assert Key.import_key(_with_alg(x25519, "ECDH-ES")).alg == "ECDH-ES"
    assert Key.import_key(_with_alg(RSA, "RSA-OAEP-256")).alg == "RSA-OAEP-256"


def test_an_unknown_alg_is_kept_and_never_selected_for_a_known_one() -> None:
    key = Key.import_key(_with_alg(EC, "X-PRIVATE-ALG"))
    assert key.alg == "X-PRIVATE-ALG"
    token = jws.sign(b"x", EC, "ES256")
    with pytest.raises(errors.InvalidKeyError):
        jws.verify(token, key, algorithms=["ES256"])
    with pytest.raises(errors.JoseError):
        jws.verify(token, KeySet([key]), algorithms=["ES256"])


def test_a_key_set_skips_the_member_and_keeps_the_others(caplog: Any) -> None:
    good = jwk.generate("EC", crv="P-256", kid="good")
    bad = jwk.generate("EC", crv="P-256", kid="bad")
    document = {"keys": [_with_alg(bad, "ES384"), good.public().to_dict()]}
    with caplog.at_level(logging.WARNING, logger="josekit"):
        keys = KeySet.import_key_set(document)
        # The member is read on first use (the set's lazy reading), found unfit, skipped.
        with pytest.raises(errors.JoseError):
            jws.verify(jws.sign(b"x", bad, "ES256"), keys, algorithms=["ES256", "ES384"])
        token = jws.sign(b"x", good, "ES256")
        assert jws.verify(token, keys, algorithms=["ES256"]).key.kid == "good"
    assert any("does not fit" in reason for reason in keys.skipped)
    assert any(
        "kid 'bad'" in r.getMessage() and "does not fit" in r.getMessage() for r in caplog.records
    )
    with pytest.raises(errors.InvalidKeyError, match="does not fit"):
        KeySet.import_key_set(document, strict=True)


def test_hints_for_what_is_not_one_key() -> None:
    document = {"keys": [EC.public().to_dict()]}
    with pytest.raises(errors.MalformedError, match=r"JWK Set.*KeySet\.import_key_set"):
        Key.import_key(document)
    with pytest.raises(errors.MalformedError, match=r"KeySet\.import_key_set"):
        Key.import_key(json.dumps(document))
    with pytest.raises(errors.MalformedError, match=r"RemoteKeySet\(url\)"):
        Key.import_key("https://issuer.example/.well-known/jwks.json")
    with pytest.raises(errors.MalformedError, match=r"KeySet\(\[\.\.\.\]\)"):
        Key.import_key([EC.public().to_dict()])  # type: ignore[arg-type]
    with pytest.raises(errors.MalformedError, match=r"KeySet\(\[\.\.\.\]\)"):
        Key.import_key(json.dumps([EC.public().to_dict()]))
    with pytest.raises(errors.MalformedError, match="no 'kty'"):
        Key.import_key({"kid": "x"})


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (None, "KeySet([key, ...])"),
        (5, "KeySet([key, ...])"),
        ('{"keys": []}', "KeySet.import_key_set"),
        (b'{"keys": []}', "KeySet.import_key_set"),
        ({"keys": []}, "KeySet.import_key_set"),
    ],
)
def test_hints_for_what_is_not_a_list_of_keys(data: Any, hint: str) -> None:
    with pytest.raises(errors.InvalidKeyError, match=re.escape(hint)):
        KeySet(data)
