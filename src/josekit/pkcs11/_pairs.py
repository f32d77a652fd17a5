"""Key pairs josekit makes in a token: their templates, ``C_GenerateKeyPair``, their public half.

:func:`pair_spec` turns ``kty``/``crv``/``size``/``use`` into the mechanism and the two
attribute templates (one capability, never WRAP/UNWRAP, SENSITIVE and not EXTRACTABLE);
:func:`make_pair` generates the pair in a session and refuses (destroying it) a private key
the token does not report as ALWAYS_SENSITIVE and NEVER_EXTRACTABLE; :func:`public_crypto`
reads a public key object back as a pyca/cryptography key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ..errors import InvalidKeyError, KeyBackendError, UnsupportedAlgorithmError
from ..jwk._curves import EC_CURVES
from ._mechanisms import EC_PARAMS
from ._session import import_pkcs11

__all__ = ["PairSpec", "make_pair", "pair_spec", "public_crypto"]

_CURVE_OF_PARAMS = {der: crv for crv, der in EC_PARAMS.items()}
_MIN_RSA_BITS = 2048
_CURVES = (("EC", "P-256"), ("EC", "P-384"), ("EC", "P-521"), ("OKP", "Ed25519"))


@dataclass(frozen=True)
class PairSpec:
    """What to ask the token for: key type, mechanism, RSA size and the two templates.

    The templates are fresh dicts of each spec; a caller sets ``CKA_ID``, ``CKA_LABEL`` (and,
    for a staged pair, ``CKA_TOKEN``/``CKA_MODIFIABLE``) in them before :func:`make_pair`.
    """

    kty: str
    crv: str | None
    key_type: Any
    mechanism: Any
    length: int | None
    private: dict[Any, Any]
    public: dict[Any, Any]


def pair_spec(kty: str, crv: str | None, size: int | None, use: str) -> PairSpec:
    """The mechanism and templates of a ``kty``/``crv``/``size`` pair for ``use``.

    Raises:
        InvalidKeyError: an unknown key type, curve, size or use.
    """
    p11 = import_pkcs11()
    attr = p11.Attribute
    if use not in ("sig", "enc"):
        raise InvalidKeyError(f"use must be 'sig' or 'enc', not {use!r}")
    private: dict[Any, Any] = {
        attr.TOKEN: True,
        attr.PRIVATE: True,
        attr.SENSITIVE: True,
        attr.EXTRACTABLE: False,
        attr.MODIFIABLE: False,
        attr.SIGN: use == "sig",
        attr.DECRYPT: use == "enc" and kty == "RSA",
        attr.DERIVE: use == "enc" and kty == "EC",
        attr.UNWRAP: False,
        attr.SIGN_RECOVER: False,
    }
    public: dict[Any, Any] = {
        attr.TOKEN: True,
        attr.MODIFIABLE: False,
        attr.VERIFY: use == "sig",
        attr.ENCRYPT: use == "enc" and kty == "RSA",
        attr.WRAP: False,
    }
    if kty == "RSA":
        bits = size if size is not None else _MIN_RSA_BITS
        if bits < _MIN_RSA_BITS or bits % 8 or crv is not None:
            raise InvalidKeyError(f"an RSA key needs size >= {_MIN_RSA_BITS} bits, no crv")
        public[attr.PUBLIC_EXPONENT] = b"\x01\x00\x01"
        public[attr.MODULUS_BITS] = bits
        mechanism = p11.Mechanism.RSA_PKCS_KEY_PAIR_GEN
        return PairSpec(kty, crv, p11.KeyType.RSA, mechanism, bits, private, public)
    if (kty, crv) not in _CURVES:
        raise InvalidKeyError(
            f"cannot generate kty={kty!r} crv={crv!r} in a token: use RSA, EC with P-256, "
            "P-384 or P-521, or OKP with Ed25519"
        )
    if size is not None or (kty == "OKP" and use != "sig"):
        raise InvalidKeyError(f"a {kty} {crv} key takes no size; Ed25519 only signs")
    public[attr.EC_PARAMS] = EC_PARAMS[crv or ""]
    if kty == "OKP":
        edwards = p11.Mechanism.EC_EDWARDS_KEY_PAIR_GEN
        return PairSpec(kty, crv, p11.KeyType.EC_EDWARDS, edwards, None, private, public)
    mechanism = p11.Mechanism.EC_KEY_PAIR_GEN
    return PairSpec(kty, crv, p11.KeyType.EC, mechanism, None, private, public)


def make_pair(session: Any, spec: PairSpec, token_label: str) -> tuple[Any, Any]:
    """Generate ``spec`` in ``session``: the ``(public, private)`` objects.

    Raises:
        UnsupportedAlgorithmError: the token lacks the key generation mechanism.
        KeyBackendError: the private key is not always sensitive and never extractable (the
            pair was destroyed).
    """
    p11 = import_pkcs11()
    attr = p11.Attribute
    if spec.mechanism not in session.token.slot.get_mechanisms():
        raise UnsupportedAlgorithmError(
            f"token {token_label!r} cannot generate {spec.kty} {spec.crv or ''} keys "
            f"(no CKM_{spec.mechanism.name})"
        )
    public, private = session.generate_keypair(
        spec.key_type,
        spec.length,
        store=True,
        mechanism=spec.mechanism,
        capabilities=p11.MechanismFlag(0),
        public_template=spec.public,
        private_template=spec.private,
    )
    flags = private.get_attributes([attr.ALWAYS_SENSITIVE, attr.NEVER_EXTRACTABLE])
    if not (flags[attr.ALWAYS_SENSITIVE] and flags[attr.NEVER_EXTRACTABLE]):
        private.destroy()
        public.destroy()
        raise KeyBackendError(
            f"token {token_label!r} made a key that is not always sensitive and never "
            "extractable: it was destroyed"
        )
    return public, private


def _octets(point: bytes) -> bytes:
    """``CKA_EC_POINT`` is a DER OCTET STRING (some modules give the raw point)."""
    if len(point) > 2 and point[0] == 0x04:
        length, start = point[1], 2
        if length & 0x80:
            count = length & 0x7F
            length, start = int.from_bytes(point[2 : 2 + count], "big"), 2 + count
        if start + length == len(point):
            return point[start:]
    return point


def public_crypto(public: Any) -> tuple[str, Any]:
    """The ``kty`` and pyca/cryptography public key of a public key object.

    Raises:
        UnsupportedAlgorithmError: not an RSA, P-256/384/521 or Ed25519 key.
    """
    p11 = import_pkcs11()
    attr = p11.Attribute
    key_type = public[attr.KEY_TYPE]
    if key_type == p11.KeyType.RSA:
        n = int.from_bytes(public[attr.MODULUS], "big")
        e = int.from_bytes(public[attr.PUBLIC_EXPONENT], "big")
        return "RSA", rsa.RSAPublicNumbers(e, n).public_key()
    crv = _CURVE_OF_PARAMS.get(bytes(public[attr.EC_PARAMS]))
    point = _octets(bytes(public[attr.EC_POINT]))
    if key_type == p11.KeyType.EC and crv in EC_CURVES:
        curve = EC_CURVES[crv].curve()
        return "EC", ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
    if key_type == p11.KeyType.EC_EDWARDS and crv == "Ed25519":
        return "OKP", ed25519.Ed25519PublicKey.from_public_bytes(point)
    raise UnsupportedAlgorithmError(
        "the token key is not an RSA, P-256/384/521 or Ed25519 key pair josekit can use"
    )
