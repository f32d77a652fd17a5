"""JWE compact serialization: josekit against joserfc, jwcrypto, python-jose and the floor.

PyJWT has no JWE. python-jose has no ECDH-ES, and its ``jwe.decrypt`` takes no list of
accepted algorithms (it accepts whatever the token names), so it does a little less checking.

The floor is the same work done directly with pyca/cryptography, ``base64`` and ``json``:
to encrypt, a fresh content key (or the agreed key) and IV, AES-GCM over the plaintext with
the encoded header as AAD, the key management step (AES key wrap, RSA-OAEP, ECDH + Concat
KDF) and the five encoded parts; to decrypt, the reverse, with the header's ``alg`` and
``enc`` checked and the ephemeral public key loaded (and so validated) from the header.
"""

from __future__ import annotations

import functools
import json
import os
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
)
from bench_jws import PAYLOAD, PAYLOADS, b64d, b64e
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap
from jose import jwe as jose_jwe
from joserfc import jwe as rfc_jwe
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey
from jwcrypto import jwe as jwc_jwe
from jwcrypto import jwk as jwc_jwk

from josekit import jwe
from josekit.jwk import Key

__all__ = ["benchmarks"]

ENC = "A256GCM"


@dataclass(frozen=True)
class Case:
    """One key management algorithm with A256GCM, and the recipient's key pair."""

    alg: str
    kind: str  # "oct", "RSA", "EC" or "X25519"
    private: Any  # pyca/cryptography key, or bytes
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


# alg -> benchmark id suffix (the curve is named for the ECDH-ES cases).
CASES = {
    "dir": f"dir.{ENC}",
    "A256KW": f"A256KW.{ENC}",
    "RSA-OAEP-256": f"RSA-OAEP-256.{ENC}",
    "ECDH-ES+A256KW": f"ECDH-ES+A256KW.{ENC}.P-256",
    "ECDH-ES": f"ECDH-ES.{ENC}.X25519",
}


@functools.cache
def case(alg: str) -> Case:
    """The key pair for ``alg`` (generated once per run)."""
    private: Any
    if alg in ("dir", "A256KW"):
        secret = os.urandom(32)
        return Case(alg, "oct", secret, secret)
    if alg == "RSA-OAEP-256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return Case(alg, "RSA", private, private.public_key())
    if alg == "ECDH-ES+A256KW":
        private = ec.generate_private_key(ec.SECP256R1())
        return Case(alg, "EC", private, private.public_key())
    if alg == "ECDH-ES":
        private = x25519.X25519PrivateKey.generate()
        return Case(alg, "X25519", private, private.public_key())
    raise ValueError(alg)  # pragma: no cover - programming error


# -- josekit --------------------------------------------------------------------------------


def josekit_codec(c: Case) -> Codec:
    """``jwe.encrypt`` / ``jwe.decrypt`` with ``algorithms`` and ``encryptions`` pinned."""
    alg = c.alg
    if c.kind == "oct":
        encrypting = decrypting = Key.import_key({"kty": "oct", "k": b64e(c.private).decode()})
    else:
        encrypting, decrypting = Key.import_key(c.public), Key.import_key(c.private)

    def produce(plaintext: bytes) -> str:
        return jwe.encrypt(plaintext, encrypting, alg, ENC)

    def consume(token: str) -> bytes:
        return jwe.decrypt(token, decrypting, algorithms=[alg], encryptions=[ENC]).plaintext

    return Codec(JOSEKIT, produce, consume)


# -- the floor ------------------------------------------------------------------------------


def _other_info(algorithm_id: str, bits: int) -> bytes:
    """Concat KDF OtherInfo (RFC 7518 §4.6.2) with empty apu and apv."""
    name = algorithm_id.encode()
    return (
        len(name).to_bytes(4, "big")
        + name
        + (0).to_bytes(4, "big")
        + (0).to_bytes(4, "big")
        + bits.to_bytes(4, "big")
    )


def _concat_kdf(z: bytes, other_info: bytes) -> bytes:
    return ConcatKDFHash(hashes.SHA256(), 32, other_info).derive(z)


KeyManagement = tuple[
    Callable[[], tuple[bytes, bytes, bytes]],  # () -> (h64, cek, encrypted key)
    Callable[[dict[str, Any], bytes], bytes],  # (header, encrypted key) -> cek
]


def _floor_key_management(c: Case) -> KeyManagement:
    """(wrap, unwrap) for the case's ``alg``, straight on pyca/cryptography."""
    alg, private, public = c.alg, c.private, c.public
    fixed_h64 = b64e(json.dumps({"alg": alg, "enc": ENC}, separators=(",", ":")).encode())

    if alg == "dir":

        def wrap() -> tuple[bytes, bytes, bytes]:
            return fixed_h64, private, b""

        def unwrap(header: dict[str, Any], ek: bytes) -> bytes:
            if ek:
                raise ValueError("dir: the encrypted key must be empty")
            return bytes(private)

        return wrap, unwrap
    if alg == "A256KW":

        def kw_wrap() -> tuple[bytes, bytes, bytes]:
            cek = os.urandom(32)
            return fixed_h64, cek, aes_key_wrap(private, cek)

        return kw_wrap, lambda header, ek: aes_key_unwrap(private, ek)
    if alg == "RSA-OAEP-256":
        oaep = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)

        def rsa_wrap() -> tuple[bytes, bytes, bytes]:
            cek = os.urandom(32)
            return fixed_h64, cek, public.encrypt(cek, oaep)

        return rsa_wrap, lambda header, ek: private.decrypt(ek, oaep)
    if alg == "ECDH-ES+A256KW":
        info = _other_info(alg, 256)
        curve = ec.SECP256R1()

        def ec_wrap() -> tuple[bytes, bytes, bytes]:
            ephemeral = ec.generate_private_key(curve)
            point = ephemeral.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
            epk = {"kty": "EC", "crv": "P-256", "x": b64e(point[1:33]).decode()}
            epk["y"] = b64e(point[33:]).decode()
            header = {"alg": alg, "enc": ENC, "epk": epk}
            h64 = b64e(json.dumps(header, separators=(",", ":")).encode())
            kek = _concat_kdf(ephemeral.exchange(ec.ECDH(), public), info)
            cek = os.urandom(32)
            return h64, cek, aes_key_wrap(kek, cek)

        def ec_unwrap(header: dict[str, Any], ek: bytes) -> bytes:
            epk = header["epk"]
            if epk["kty"] != "EC" or epk["crv"] != "P-256":
                raise ValueError("unexpected epk")
            point = b"\x04" + b64d(epk["x"]) + b64d(epk["y"])
            sender = ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
            kek = _concat_kdf(private.exchange(ec.ECDH(), sender), info)
            return aes_key_unwrap(kek, ek)

        return ec_wrap, ec_unwrap
    if alg == "ECDH-ES":
        info = _other_info(ENC, 256)

        def x_wrap() -> tuple[bytes, bytes, bytes]:
            ephemeral = x25519.X25519PrivateKey.generate()
            raw = ephemeral.public_key().public_bytes_raw()
            epk = {"kty": "OKP", "crv": "X25519", "x": b64e(raw).decode()}
            header = {"alg": alg, "enc": ENC, "epk": epk}
            h64 = b64e(json.dumps(header, separators=(",", ":")).encode())
            return h64, _concat_kdf(ephemeral.exchange(public), info), b""

        def x_unwrap(header: dict[str, Any], ek: bytes) -> bytes:
            epk = header["epk"]
            if ek or epk["kty"] != "OKP" or epk["crv"] != "X25519":
                raise ValueError("unexpected epk or encrypted key")
            sender = x25519.X25519PublicKey.from_public_bytes(b64d(epk["x"]))
            return _concat_kdf(private.exchange(sender), info)

        return x_wrap, x_unwrap
    raise ValueError(alg)  # pragma: no cover - programming error


def floor_codec(c: Case) -> Codec:
    """The same cryptographic work as a JWE library, done directly."""
    alg = c.alg
    wrap, unwrap = _floor_key_management(c)
    # With "dir" the content key is the long-term key: its AESGCM object is made once, as a
    # library holding the key can do too. Other content keys are fresh for every message.
    fixed = AESGCM(c.private) if alg == "dir" else None

    def produce(plaintext: bytes) -> str:
        h64, cek, ek = wrap()
        iv = os.urandom(12)
        sealed = (fixed or AESGCM(cek)).encrypt(iv, plaintext, h64)
        parts = (h64, b64e(ek), b64e(iv), b64e(sealed[:-16]), b64e(sealed[-16:]))
        return b".".join(parts).decode()

    def consume(token: str) -> bytes:
        h64, ek64, iv64, ct64, tag64 = token.split(".")
        header = json.loads(b64d(h64))
        if header["alg"] != alg or header["enc"] != ENC:
            raise ValueError("unexpected alg or enc")
        cek = unwrap(header, b64d(ek64))
        iv, tag = b64d(iv64), b64d(tag64)
        if len(iv) != 12 or len(tag) != 16:
            raise ValueError("bad IV or tag length")
        return (fixed or AESGCM(cek)).decrypt(iv, b64d(ct64) + tag, h64.encode())

    return Codec(FLOOR, produce, consume)


# -- peers ----------------------------------------------------------------------------------


def joserfc_codec(c: Case) -> Codec:
    """``jwe.encrypt_compact`` / ``decrypt_compact`` with ``algorithms=[alg, enc]``."""
    alg, algorithms = c.alg, [c.alg, ENC]
    if c.kind == "oct":
        encrypting = decrypting = OctKey.import_key(c.private)
    else:
        cls = {"RSA": RSAKey, "EC": ECKey, "X25519": OKPKey}[c.kind]
        encrypting, decrypting = cls.import_key(c.pem(False)), cls.import_key(c.pem(True))
    header = {"alg": alg, "enc": ENC}

    def produce(plaintext: bytes) -> str:
        return rfc_jwe.encrypt_compact(header, plaintext, encrypting, algorithms=algorithms)

    def consume(token: str) -> bytes:
        result = rfc_jwe.decrypt_compact(token, decrypting, algorithms=algorithms)
        return bytes(result.plaintext or b"")

    return Codec("joserfc", produce, consume)


def jwcrypto_codec(c: Case) -> Codec:
    """``JWE(...).add_recipient`` / ``JWE(algs=[alg, enc]).deserialize(token, key)``."""
    algs = [c.alg, ENC]
    if c.kind == "oct":
        encrypting = decrypting = jwc_jwk.JWK(kty="oct", k=b64e(c.private).decode())
    else:
        encrypting, decrypting = jwc_jwk.JWK.from_pyca(c.public), jwc_jwk.JWK.from_pyca(c.private)
    protected = {"alg": c.alg, "enc": ENC}

    def produce(plaintext: bytes) -> str:
        obj = jwc_jwe.JWE(plaintext, protected=protected, algs=algs)
        obj.add_recipient(encrypting)
        return str(obj.serialize(compact=True))

    def consume(token: str) -> bytes:
        obj = jwc_jwe.JWE(algs=algs)
        obj.deserialize(token, key=decrypting)
        return bytes(obj.plaintext)

    return Codec("jwcrypto", produce, consume)


def python_jose_codec(c: Case) -> Codec:
    """``jwe.encrypt(plaintext, key, encryption=enc, algorithm=alg)`` / ``jwe.decrypt``."""
    alg = c.alg

    def produce(plaintext: bytes) -> str:
        return bytes(jose_jwe.encrypt(plaintext, c.public, encryption=ENC, algorithm=alg)).decode()

    def consume(token: str) -> bytes:
        return bytes(jose_jwe.decrypt(token, c.private))

    return Codec("python-jose", produce, consume)


def codecs(alg: str) -> tuple[list[Codec], dict[str, str]]:
    """Every library's codec for ``alg`` with A256GCM, and the libraries without it."""
    c = case(alg)
    out = [josekit_codec(c), floor_codec(c), joserfc_codec(c), jwcrypto_codec(c)]
    unsupported = {"PyJWT": "n/a: PyJWT has no JWE"}
    if c.kind in ("EC", "X25519"):
        unsupported["python-jose"] = "n/a: python-jose has no ECDH-ES"
    else:
        out.append(python_jose_codec(c))
    return out, unsupported


def _decrypt(alg: str) -> Prepared:
    found, unsupported = codecs(alg)
    return consume_case(found, PAYLOAD, variants=PAYLOADS[1:], unsupported=unsupported)


def _encrypt(alg: str) -> Prepared:
    found, unsupported = codecs(alg)
    return produce_case(found, PAYLOAD, unsupported=unsupported)


def benchmarks() -> list[Benchmark]:
    """Encrypt and decrypt for each key management algorithm, with A256GCM."""
    out = []
    for alg, name in CASES.items():
        target = Target(beat_peers=True, max_floor_ratio=1.5 if alg == "dir" else None)
        out.append(
            Benchmark(
                f"jwe.decrypt.{name}",
                functools.partial(_decrypt, alg),
                target,
                f"decrypt a compact JWE ({len(PAYLOAD)}-byte plaintext)",
            )
        )
        out.append(
            Benchmark(
                f"jwe.encrypt.{name}",
                functools.partial(_encrypt, alg),
                target,
                f"encrypt to a compact JWE ({len(PAYLOAD)}-byte plaintext)",
            )
        )
    return out
