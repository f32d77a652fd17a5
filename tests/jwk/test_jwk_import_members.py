"""Issue #19 (speed): importing a public EC/RSA JWK keeps the checked member strings.

The import no longer reads the key back from cryptography to re-encode its members; the
members it stores are the input's own strings, except an RSA member with a leading zero
octet, which becomes the Base64urlUInt (fewest octets, RFC 7518 §2) as before.
"""

from __future__ import annotations

import copy

import pytest

from josekit import errors
from josekit._b64 import b64d, b64e_str
from josekit.jwk import Key, generate


@pytest.mark.parametrize("kty", ["EC", "RSA"])
def test_public_members_are_the_input_strings(kty: str) -> None:
    key = generate(kty) if kty == "EC" else generate("RSA", size=2048)
    given = key.public().to_dict()
    got = Key.import_key(given).to_dict()
    assert got == given
    for name in ("x", "y") if kty == "EC" else ("n", "e"):
        assert got[name] is given[name]  # kept, not decoded and encoded again


def test_rsa_leading_zero_octets_still_become_the_fewest_octets() -> None:
    given = generate("RSA", size=2048).public().to_dict()
    padded = dict(given, n=b64e_str(b"\x00" + b64d(given["n"])), e=b64e_str(b"\x00\x01\x00\x01"))
    assert Key.import_key(padded).to_dict() == given


def test_ec_point_checks_still_run() -> None:
    given = generate("EC").public().to_dict()
    y = bytearray(b64d(given["y"]))
    y[-1] ^= 1
    with pytest.raises(errors.InvalidKeyError, match="not on curve"):
        Key.import_key(dict(given, y=b64e_str(bytes(y))))
    with pytest.raises(errors.InvalidKeyError, match="32 bytes"):
        Key.import_key(dict(given, x=b64e_str(b"\x00" + b64d(given["x"]))))


@pytest.mark.parametrize("kty", ["EC", "RSA"])
def test_the_given_jwk_is_read_not_copied_or_changed(kty: str) -> None:
    # The import reads kid, alg, use and key_ops straight from the given dict: that dict is
    # left as it was, and members josekit does not know are still not kept.
    key = generate(kty, kid="k1", alg="ES256" if kty == "EC" else "RS256", use="sig")
    given = {**key.public().to_dict(), "key_ops": ["verify"], "ext": True}
    before = copy.deepcopy(given)
    imported = Key.import_key(given)
    assert given == before
    assert imported.to_dict() == {name: v for name, v in given.items() if name != "ext"}
    assert (imported.kid, imported.alg, imported.use) == ("k1", given["alg"], "sig")
