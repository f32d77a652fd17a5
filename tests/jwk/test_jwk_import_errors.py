"""Issue #19 point 2: every failure while importing a key is a JoseError, never a bare one.

Hybrid AKP keys (HPKE-9 and HPKE-10, ±``-KE``) have no SubjectPublicKeyInfo form, so an ``x5c``
cannot hold them; and whatever ``cryptography`` raises while a key type imports a JWK
becomes an :class:`~josekit.errors.InvalidKeyError` at the ``kty`` table's entry point.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from josekit import errors, jwk
from josekit.jwk import Key, _key
from josekit.jwk._akp import AKP_ALGORITHMS
from josekit.jwk._kty import guarded

HYBRID = [alg for alg in ("HPKE-9", "HPKE-9-KE", "HPKE-10", "HPKE-10-KE") if alg in AKP_ALGORITHMS]


def certificate_b64() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x5c test")])
    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(when)
        .not_valid_after(when + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


@pytest.mark.skipif(not HYBRID, reason="this cryptography has no hybrid HPKE KEMs")
@pytest.mark.parametrize("alg", HYBRID)
def test_hybrid_akp_key_with_x5c_is_an_invalid_key(alg: str) -> None:
    key = jwk.generate(alg=alg)
    for data in (key.public().to_dict(), key.to_dict(private=True)):
        with pytest.raises(errors.InvalidKeyError, match="x5c"):
            Key.import_key({**data, "x5c": [certificate_b64()]})


@pytest.mark.skipif(not HYBRID, reason="this cryptography has no hybrid HPKE KEMs")
@pytest.mark.parametrize("alg", HYBRID)
def test_hybrid_akp_key_to_pem_is_an_invalid_key(alg: str) -> None:
    key = jwk.generate(alg=alg)
    for private in (False, True):
        with pytest.raises(errors.InvalidKeyError):
            key.to_pem(private=private)


@pytest.mark.parametrize("raised", [ValueError("bad"), TypeError("bad"), AttributeError("bad")])
def test_unexpected_exception_of_a_key_type_is_an_invalid_key(
    monkeypatch: pytest.MonkeyPatch, raised: Exception
) -> None:
    def from_jwk(data: Any) -> Any:
        raise raised

    rows = dict(_key.KEY_TYPES)
    rows["EC"] = guarded(dataclasses.replace(rows["EC"], from_jwk=from_jwk))
    monkeypatch.setattr(_key, "KEY_TYPES", rows)
    with pytest.raises(errors.InvalidKeyError, match="cannot import this EC JWK"):
        Key.import_key(jwk.generate("EC", crv="P-256").public().to_dict())


def test_the_cause_of_an_invalid_key_is_not_chained() -> None:
    # Messages say what was wrong; no key material reaches a traceback's chained exception.
    with pytest.raises(errors.InvalidKeyError) as caught:
        Key.import_key({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"})
    assert caught.value.__cause__ is None
