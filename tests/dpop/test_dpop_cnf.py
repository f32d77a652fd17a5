"""josekit.cnf: jkt (RFC 9449 §6) and x5t#S256 (RFC 8705 §3.1) confirmation."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from josekit import cnf, jwk
from josekit._b64 import b64e_str
from josekit.errors import ClaimError, InvalidKeyError, JoseError, MissingClaimError

KEY = jwk.generate("EC", crv="P-256")


def _certificate(name: str) -> x509.Certificate:
    private = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=1))
        .sign(private, hashes.SHA256())
    )


CERT = _certificate("client-1")
DER = CERT.public_bytes(serialization.Encoding.DER)


def test_jkt_is_the_sha256_thumbprint() -> None:
    assert cnf.jkt(KEY) == KEY.thumbprint("SHA-256") == cnf.jkt(KEY.public())
    with pytest.raises(InvalidKeyError):
        cnf.jkt(jwk.generate("oct", size=256))


def test_x5t_s256_is_the_hash_of_the_der() -> None:
    expected = b64e_str(hashlib.sha256(DER).digest())
    assert cnf.x5t_s256(CERT) == cnf.x5t_s256(DER) == expected
    assert cnf.confirmation(certificate=CERT) == {"x5t#S256": expected}


def test_confirmation_binds_to_exactly_one() -> None:
    assert cnf.confirmation(KEY) == {"jkt": KEY.thumbprint()}
    with pytest.raises(JoseError):
        cnf.confirmation()
    with pytest.raises(JoseError):
        cnf.confirmation(KEY, certificate=CERT)


def test_matching_bindings_pass() -> None:
    cnf.check_confirmation({"cnf": cnf.confirmation(KEY)}, key=KEY.public())
    cnf.check_confirmation({"cnf": cnf.confirmation(certificate=CERT)}, certificate=DER)
    both = {"cnf": {**cnf.confirmation(KEY), **cnf.confirmation(certificate=CERT)}}
    cnf.check_confirmation(both, key=KEY, certificate=CERT)


@pytest.mark.parametrize(
    ("claims", "presented"),
    [
        ({"cnf": {"jkt": jwk.generate("EC", crv="P-256").thumbprint()}}, {"key": KEY}),
        ({"cnf": {"x5t#S256": cnf.x5t_s256(_certificate("other"))}}, {"certificate": CERT}),
        ({"cnf": {"x5t#S256": cnf.x5t_s256(CERT)}}, {"key": KEY}),
        ({"cnf": {"jkt": KEY.thumbprint()}}, {"certificate": CERT}),
        ({"cnf": {"jkt": ""}}, {"key": KEY}),
        ({"cnf": {"jkt": 5}}, {"key": KEY}),
        ({"cnf": "jkt"}, {"key": KEY}),
        ({"cnf": {"jkt": KEY.thumbprint()}}, {"key": KEY, "certificate": CERT}),
    ],
)
def test_mismatched_bindings_are_refused(
    claims: dict[str, object], presented: dict[str, object]
) -> None:
    with pytest.raises(ClaimError) as info:
        cnf.check_confirmation(claims, **presented)  # type: ignore[arg-type]
    assert info.value.claim == "cnf"


def test_missing_cnf_when_a_binding_is_expected() -> None:
    with pytest.raises(MissingClaimError) as info:
        cnf.check_confirmation({"sub": "u"}, key=KEY)
    assert info.value.claim == "cnf"


def test_nothing_presented_is_a_caller_error() -> None:
    with pytest.raises(JoseError):
        cnf.check_confirmation({"cnf": {"jkt": KEY.thumbprint()}})
