"""Issue #19 point 11: one rule for ``alg`` in an unprotected JWS JSON header.

RFC 7515 allows it (RFC 7520 §4.8 has such a signature), so ``jws.verify_json`` accepts it;
a JWT's ``alg`` must be protected, so the SD-JWT verifier refuses it; josekit always signs it
protected; and ``josekit inspect`` says exactly that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from click.testing import CliRunner

from josekit import errors, jwk, jws
from josekit._b64 import b64e_str
from josekit._json import dumps
from josekit.cli import cli


def unprotected_alg_token(key: jwk.Key) -> dict[str, Any]:
    protected = b64e_str(dumps({"typ": "JOSE"}).encode())
    payload = b64e_str(b"x")
    mac = hmac.new(key.crypto_key, f"{protected}.{payload}".encode(), hashlib.sha256).digest()
    return {
        "payload": payload,
        "protected": protected,
        "header": {"alg": "HS256"},
        "signature": b64e_str(mac),
    }


def test_verify_json_accepts_alg_in_the_unprotected_header() -> None:
    key = jwk.generate("oct", size=256, alg="HS256")
    assert jws.verify_json(unprotected_alg_token(key), key, algorithms=["HS256"]).payload == b"x"


def test_signing_puts_alg_in_the_protected_header() -> None:
    key = jwk.generate("oct", size=256, alg="HS256")
    with pytest.raises(errors.InvalidHeaderError, match="protected header"):
        jws.sign_json(b"x", [jws.Signer(key, "HS256", header={"alg": "HS256"})])


def test_inspect_states_the_same_rule() -> None:
    key = jwk.generate("oct", size=256, alg="HS256")
    result = CliRunner().invoke(cli, ["inspect", json.dumps(unprotected_alg_token(key))])
    assert "RFC 7515 allows it, but JWT and SD-JWT verifiers refuse it" in result.output
    assert "verifiers refuse it\n" not in result.output.replace("SD-JWT verifiers refuse it", "")
