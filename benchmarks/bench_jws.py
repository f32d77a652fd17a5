"""JWS compact serialization: josekit against PyJWT, joserfc, jwcrypto, python-jose and the floor.

The floor is the same work done directly with pyca/cryptography, ``base64`` and ``json``:
split the token, decode and parse the header, check its ``alg``, verify the signature over
the signing input and decode the payload (or the reverse to sign). It is what any JOSE
library has to spend at least; the distance to it is the library's own overhead.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _harness import (
    FLOOR,
    JOSEKIT,
    Benchmark,
    Codec,
    Prepared,
    Target,
    consume_case,
    produce_case,
    roundtrip_case,
)
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from jose import jwk as jose_jwk
from jose import jws as jose_jws
from joserfc import jws as rfc_jws
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey
from jwcrypto import jwk as jwc_jwk
from jwcrypto import jws as jwc_jws

import jwt as pyjwt
from josekit import jws
from josekit.jwk import Key

__all__ = ["benchmarks"]

# joserfc warns on every use of "EdDSA" (deprecated by RFC 9864 in favour of "Ed25519"); the
# benchmark still uses "EdDSA", which every library here understands.
warnings.filterwarnings("ignore", message="EdDSA is deprecated", module="joserfc")

ALGORITHMS = ("HS256", "RS256", "ES256", "EdDSA")

PAYLOAD = json.dumps(
    {
        "iss": "https://issuer.example.com",
        "sub": "user-1234567890",
        "aud": "https://api.example.com",
        "iat": 1764400000,
        "exp": 1764403600,
        "scope": "openid profile email",
    },
    separators=(",", ":"),
).encode()

# Payloads of the same size as PAYLOAD (the first of them): verification benchmarks go through
# one token for each in turn, so no library verifies the very same token twice in a row.
PAYLOADS = tuple(
    PAYLOAD.replace(b'"user-1234567890"', f'"user-{1234567890 + i}"'.encode()) for i in range(16)
)


def b64e(data: bytes) -> bytes:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64d(text: str) -> bytes:
    """Decode unpadded base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Material:
    """One algorithm's key pair as pyca/cryptography objects (``bytes`` for HMAC)."""

    alg: str
    private: Any
    public: Any

    def pem(self, private: bool) -> bytes:
        """PEM of the private (PKCS#8) or public (SPKI) key."""
        if private:
            return bytes(
                self.private.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        return bytes(
            self.public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


@functools.cache
def material(alg: str) -> Material:
    """A fresh key pair for ``alg`` (generated once per run)."""
    if alg.startswith("HS"):
        secret = os.urandom(32)
        return Material(alg, secret, secret)
    private: Any
    if alg.startswith("RS"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif alg == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
    else:  # pragma: no cover - programming error
        raise ValueError(alg)
    return Material(alg, private, private.public_key())


# -- josekit --------------------------------------------------------------------------------


def josekit_keys(m: Material) -> tuple[Key, Key]:
    """(signing key, verification key) as josekit Keys."""
    if isinstance(m.private, bytes):
        key = Key.import_key({"kty": "oct", "k": b64e(m.private).decode()})
        return key, key
    return Key.import_key(m.private), Key.import_key(m.public)


def josekit_codec(m: Material) -> Codec:
    """``jws.sign`` / ``jws.verify`` with the algorithm pinned."""
    alg = m.alg
    signing, verifying = josekit_keys(m)

    def produce(payload: bytes) -> str:
        return jws.sign(payload, signing, alg)

    def consume(token: str) -> bytes:
        return jws.verify(token, verifying, algorithms=[alg]).payload

    return Codec(JOSEKIT, produce, consume)


# -- the floor ------------------------------------------------------------------------------


def _floor_primitives(
    m: Material,
) -> tuple[Callable[[bytes], bytes], Callable[[bytes, bytes], None]]:
    """(sign(data) -> signature, verify(data, signature)) straight on pyca/cryptography."""
    alg, private, public = m.alg, m.private, m.public
    if alg == "HS256":
        sha256 = hashes.SHA256()

        def sign(data: bytes) -> bytes:
            h = crypto_hmac.HMAC(private, sha256)
            h.update(data)
            return h.finalize()

        def verify(data: bytes, signature: bytes) -> None:
            h = crypto_hmac.HMAC(public, sha256)
            h.update(data)
            h.verify(signature)

        return sign, verify
    if alg == "RS256":
        pkcs1, sha = padding.PKCS1v15(), hashes.SHA256()
        return (
            lambda data: private.sign(data, pkcs1, sha),
            lambda data, signature: public.verify(signature, data, pkcs1, sha),
        )
    if alg == "ES256":
        ecdsa = ec.ECDSA(hashes.SHA256())

        def es_sign(data: bytes) -> bytes:
            r, s = decode_dss_signature(private.sign(data, ecdsa))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")

        def es_verify(data: bytes, signature: bytes) -> None:
            if len(signature) != 64:
                raise InvalidSignature
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            public.verify(encode_dss_signature(r, s), data, ecdsa)

        return es_sign, es_verify
    return private.sign, lambda data, signature: public.verify(signature, data)


def floor_codec(m: Material) -> Codec:
    """The same cryptographic work as a JWS library, done directly."""
    alg = m.alg
    sign, verify = _floor_primitives(m)

    # The header is the same for every token: encoded once, as a library can do too.
    h64 = b64e(json.dumps({"alg": alg}, separators=(",", ":")).encode())

    def produce(payload: bytes) -> str:
        signing_input = h64 + b"." + b64e(payload)
        return (signing_input + b"." + b64e(sign(signing_input))).decode()

    def consume(token: str) -> bytes:
        signing_input, _, s64 = token.rpartition(".")
        h64, p64 = signing_input.split(".")
        if json.loads(b64d(h64))["alg"] != alg:
            raise ValueError("unexpected alg")
        verify(signing_input.encode(), b64d(s64))
        return b64d(p64)

    return Codec(FLOOR, produce, consume)


# -- peers ----------------------------------------------------------------------------------


def pyjwt_codec(m: Material) -> Codec:
    """``jwt.api_jws.encode`` / ``decode`` with pyca key objects and ``algorithms=[alg]``."""
    alg = m.alg

    def produce(payload: bytes) -> str:
        return pyjwt.api_jws.encode(payload, m.private, algorithm=alg)

    def consume(token: str) -> bytes:
        return pyjwt.api_jws.decode(token, m.public, algorithms=[alg])

    return Codec("PyJWT", produce, consume)


def joserfc_keys(m: Material) -> tuple[Any, Any]:
    """(signing key, verification key) as joserfc keys."""
    if isinstance(m.private, bytes):
        key = OctKey.import_key(m.private)
        return key, key
    cls = {"RS256": RSAKey, "ES256": ECKey, "EdDSA": OKPKey}[m.alg]
    return cls.import_key(m.pem(True)), cls.import_key(m.pem(False))


def joserfc_codec(m: Material) -> Codec:
    """``jws.serialize_compact`` / ``deserialize_compact`` with ``algorithms=[alg]``."""
    alg = m.alg
    signing, verifying = joserfc_keys(m)

    def produce(payload: bytes) -> str:
        return rfc_jws.serialize_compact({"alg": alg}, payload, signing, algorithms=[alg])

    def consume(token: str) -> bytes:
        return rfc_jws.deserialize_compact(token, verifying, algorithms=[alg]).payload

    return Codec("joserfc", produce, consume)


def jwcrypto_keys(m: Material) -> tuple[Any, Any]:
    """(signing key, verification key) as jwcrypto JWKs."""
    if isinstance(m.private, bytes):
        key = jwc_jwk.JWK(kty="oct", k=b64e(m.private).decode())
        return key, key
    return jwc_jwk.JWK.from_pyca(m.private), jwc_jwk.JWK.from_pyca(m.public)


def jwcrypto_codec(m: Material) -> Codec:
    """``JWS.add_signature`` / ``JWS.deserialize(token, key, alg=alg)``."""
    alg = m.alg
    signing, verifying = jwcrypto_keys(m)

    def produce(payload: bytes) -> str:
        obj = jwc_jws.JWS(payload)
        obj.add_signature(signing, alg=alg, protected={"alg": alg})
        return str(obj.serialize(compact=True))

    def consume(token: str) -> bytes:
        obj = jwc_jws.JWS()
        obj.deserialize(token, key=verifying, alg=alg)
        return bytes(obj.payload)

    return Codec("jwcrypto", produce, consume)


def python_jose_codec(m: Material) -> Codec:
    """``jws.sign`` / ``jws.verify`` with keys built once by ``jwk.construct``."""
    alg = m.alg
    signing = jose_jwk.construct(m.private, alg)
    verifying = jose_jwk.construct(m.public, alg)

    def produce(payload: bytes) -> str:
        return str(jose_jws.sign(payload, signing, algorithm=alg))

    def consume(token: str) -> bytes:
        return bytes(jose_jws.verify(token, verifying, algorithms=[alg]))

    return Codec("python-jose", produce, consume)


def codecs(alg: str) -> tuple[list[Codec], dict[str, str]]:
    """Every library's codec for ``alg``, and the libraries that do not support it."""
    m = material(alg)
    out = [josekit_codec(m), floor_codec(m), pyjwt_codec(m), joserfc_codec(m), jwcrypto_codec(m)]
    unsupported = {}
    if alg == "EdDSA":
        unsupported["python-jose"] = "n/a: python-jose has no EdDSA"
    else:
        out.append(python_jose_codec(m))
    return out, unsupported


def _verify(alg: str) -> Prepared:
    found, unsupported = codecs(alg)
    return consume_case(found, PAYLOAD, variants=PAYLOADS[1:], unsupported=unsupported)


def _sign(alg: str) -> Prepared:
    found, unsupported = codecs(alg)
    return produce_case(found, PAYLOAD, unsupported=unsupported)


def _sign_verify(alg: str) -> Prepared:
    found, unsupported = codecs(alg)
    return roundtrip_case(found, PAYLOAD, unsupported=unsupported)


def benchmarks() -> list[Benchmark]:
    """JWS verify for every algorithm, sign for every algorithm, HS256 sign+verify."""
    out = [
        Benchmark(
            f"jws.verify.{alg}",
            functools.partial(_verify, alg),
            Target(beat_peers=True),
            f"verify a compact {alg} JWS ({len(PAYLOAD)}-byte payload)",
        )
        for alg in ALGORITHMS
    ]
    out += [
        Benchmark(
            f"jws.sign.{alg}",
            functools.partial(_sign, alg),
            Target(),
            f"sign a compact {alg} JWS ({len(PAYLOAD)}-byte payload)",
        )
        for alg in ALGORITHMS
    ]
    out.append(
        Benchmark(
            "jws.sign+verify.HS256",
            functools.partial(_sign_verify, "HS256"),
            Target(max_floor_ratio=1.5),
            "sign then verify a compact HS256 JWS",
        )
    )
    return out
