"""Signing in a SoftHSM2 token: every alg, verified by josekit, pyca, PyJWT and jwcrypto."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws

import jwt as pyjwt
from josekit import jws, jwt
from josekit._b64 import b64d
from josekit.errors import InvalidKeyError, InvalidSignatureError
from josekit.jwk import Key, generate
from josekit.pkcs11 import Pkcs11Token

CASES = [
    ("EC", "P-256", None, "ES256"),
    ("EC", "P-384", None, "ES384"),
    ("EC", "P-521", None, "ES512"),
    ("RSA", None, 2048, "RS256"),
    ("RSA", None, 2048, "PS384"),
    ("OKP", "Ed25519", None, "EdDSA"),
]
_KEYS: dict[str, Key] = {}


def _key(token: Pkcs11Token, kty: str, crv: str | None, size: int | None, alg: str) -> Key:
    if alg not in _KEYS:
        _KEYS[alg] = token.generate(kty, crv=crv, size=size, label=f"sign-{alg}")
    return _KEYS[alg]


@pytest.mark.parametrize(("kty", "crv", "size", "alg"), CASES)
def test_token_signature_verifies_with_software_keys_and_peers(
    token: Pkcs11Token, kty: str, crv: str | None, size: int | None, alg: str
) -> None:
    key = _key(token, kty, crv, size, alg)
    compact = jwt.encode({"sub": "alice", "alg": alg}, key, alg)
    public = Key.import_key(key.to_json())  # a plain software key from the published JWK
    assert jwt.decode(compact, public, algorithms=[alg]).claims["sub"] == "alice"
    verifier = jwcrypto_jws.JWS()
    verifier.deserialize(compact)
    verifier.verify(jwcrypto_jwk.JWK(**key.to_dict()), alg=alg)
    if alg != "EdDSA":  # PyJWT verifies EdDSA too, but needs its own OKP class
        pyjwt_key = pyjwt.PyJWK(key.to_dict(), algorithm=alg).key
        assert pyjwt.decode(compact, pyjwt_key, algorithms=[alg])["sub"] == "alice"
    # pyca directly, on the JWS signing input
    head, body, sig = compact.split(".")
    data, signature = f"{head}.{body}".encode(), b64d(sig, "sig")
    native = key.public_crypto_key
    if kty == "EC":
        half = len(signature) // 2
        assert half == {"P-256": 32, "P-384": 48, "P-521": 66}[crv or ""]
        der = encode_dss_signature(
            int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
        )
        algo = {"ES256": hashes.SHA256(), "ES384": hashes.SHA384(), "ES512": hashes.SHA512()}
        native.verify(der, data, ec.ECDSA(algo[alg]))
    elif alg == "RS256":
        native.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "PS384":
        pss = padding.PSS(padding.MGF1(hashes.SHA384()), 48)  # sLen = hash length, not 20
        native.verify(signature, data, pss, hashes.SHA384())
    else:
        native.verify(signature, data)


def test_flattened_and_general_json_and_nested(token: Pkcs11Token) -> None:
    key = _key(token, "EC", "P-256", None, "ES256")
    general = jws.sign_json(b"payload", [jws.Signer(key, "ES256")])
    assert jws.verify_json(general, key.public(), algorithms=["ES256"]).payload == b"payload"
    recipient = generate("EC", crv="P-256")
    nested = jwt.encode_nested({"sub": "n"}, key, "ES256", recipient.public(), "ECDH-ES", "A256GCM")
    out = jwt.decode_nested(
        nested,
        recipient,
        key.public(),
        algorithms=["ECDH-ES"],
        encryptions=["A256GCM"],
        signing_algorithms=["ES256"],
    )
    assert out.claims["sub"] == "n"


def test_ecdsa_is_hashed_locally_inputs_sharing_a_prefix_never_cross_verify(
    token: Pkcs11Token,
) -> None:
    # A token given the raw input truncates it to the order length: both would verify.
    key = _key(token, "EC", "P-256", None, "ES256")
    prefix = b"A" * 64
    one = jws.sign(prefix + b"one", key, alg="ES256")
    two = jws.sign(prefix + b"two", key, alg="ES256")
    assert one[:64] == two[:64]  # the signing inputs share (more than) their first 64 bytes
    sig_one = one.rsplit(".", 1)[1]
    forged = two.rsplit(".", 1)[0] + "." + sig_one
    with pytest.raises(InvalidSignatureError):
        jws.verify(forged, key.public(), algorithms=["ES256"])
    native = key.public_crypto_key
    sig = b64d(sig_one, "sig")
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    native.verify(der, one.rsplit(".", 1)[0].encode(), ec.ECDSA(hashes.SHA256()))


def test_checks_run_before_the_token(token: Pkcs11Token) -> None:
    key = _key(token, "EC", "P-256", None, "ES256")
    with pytest.raises(InvalidKeyError):
        jws.sign(b"x", key, alg="ES384")  # wrong curve
    with pytest.raises(InvalidKeyError):
        jws.sign(b"x", key, alg="RS256")
    enc_key = token.generate("EC", crv="P-256", label="sign-refused", use="enc")
    with pytest.raises(InvalidKeyError, match="use 'enc'"):
        jws.sign(b"x", enc_key, alg="ES256")


def test_published_jwk_is_public_only(token: Pkcs11Token) -> None:
    key = _key(token, "RSA", None, 2048, "RS256")
    published = json.loads(key.to_json())
    assert set(published) == {"kty", "n", "e", "kid", "use"}
    assert published["kid"] == key.thumbprint()
