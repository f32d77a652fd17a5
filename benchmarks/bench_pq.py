"""Post-quantum JOSE: ML-DSA-65 signatures and HPKE JWE, beside ES256 and ECDH-ES for scale.

No other Python JOSE library here implements ML-DSA (RFC 9964) or HPKE (draft-ietf-jose-
hpke-encrypt-20), so those rows compare josekit with the floor only: the same work done directly
with pyca/cryptography, ``base64`` and ``json``. For ML-DSA-65 the floor builds the signing
input, signs with the empty context and encodes (or splits, checks ``alg``, checks the
signature size and verifies). For HPKE Integrated Encryption (``HPKE-0``: P-256, ``HPKE-3``:
X25519) the floor seals the plaintext with the encoded header as HPKE aad (or opens it). The
ES256 and ECDH-ES rows are the classical counterparts, built exactly as bench_jws and
bench_jwe build them (every library); they are repeated here so that one ``--filter 'pq.*'``
shows the scale.

The harness checks that a token with a damaged last part is refused, but the last part of an
Integrated Encryption JWE (the tag) is empty. So the HPKE codecs hand the harness the five
parts with the ciphertext moved last (:func:`_carry`, :func:`_uncarry`): the same string
swap for josekit and the floor, and the damage then falls on the ciphertext.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import bench_jwe
import bench_jws
from _harness import (
    FLOOR,
    JOSEKIT,
    PEERS,
    Benchmark,
    Codec,
    Prepared,
    Target,
    consume_case,
    produce_case,
)
from bench_jws import PAYLOAD, b64d, b64e
from cryptography.hazmat.bindings._rust import openssl as rust_openssl
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import ec, mldsa, x25519

from josekit import jwe, jws
from josekit.jwk import Key

__all__ = ["benchmarks"]

ML_DSA = "ML-DSA-65"
ML_DSA_SIGNATURE = 3309


# -- ML-DSA-65 ------------------------------------------------------------------------------


@functools.cache
def _mldsa_key() -> mldsa.MLDSA65PrivateKey:
    return mldsa.MLDSA65PrivateKey.generate()


def _mldsa_codecs() -> list[Codec]:
    private = _mldsa_key()
    public = private.public_key()
    signing, verifying = Key.import_key(private), Key.import_key(public)
    header64 = b64e(json.dumps({"alg": ML_DSA}, separators=(",", ":")).encode())

    def produce(payload: bytes) -> str:
        return jws.sign(payload, signing, ML_DSA)

    def consume(token: str) -> bytes:
        return jws.verify(token, verifying, algorithms=[ML_DSA]).payload

    def floor_produce(payload: bytes) -> str:
        signing_input = header64 + b"." + b64e(payload)
        return (signing_input + b"." + b64e(private.sign(signing_input))).decode()

    def floor_consume(token: str) -> bytes:
        h64, p64, s64 = token.split(".")
        if json.loads(b64d(h64)).get("alg") != ML_DSA:
            raise ValueError("alg")
        signature = b64d(s64)
        if len(signature) != ML_DSA_SIGNATURE:
            raise ValueError("signature size")
        public.verify(signature, f"{h64}.{p64}".encode())
        return b64d(p64)

    return [Codec(JOSEKIT, produce, consume), Codec(FLOOR, floor_produce, floor_consume)]


# -- HPKE Integrated Encryption ---------------------------------------------------------------

_SUITES: dict[str, tuple[Any, Callable[[], Any]]] = {
    "HPKE-0": (
        hpke.Suite(hpke.KEM.P256, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM),
        lambda: ec.generate_private_key(ec.SECP256R1()),
    ),
    "HPKE-3": (
        hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM),
        x25519.X25519PrivateKey.generate,
    ),
}
_ENC_SIZES = {"HPKE-0": 65, "HPKE-3": 32}


@functools.cache
def _hpke_key(alg: str) -> Any:
    return _SUITES[alg][1]()


def _carry(token: str) -> str:
    h64, ek64, iv64, ct64, tag64 = token.split(".")
    return ".".join((h64, ek64, iv64, tag64, ct64))


def _uncarry(carried: str) -> str:
    h64, ek64, iv64, tag64, ct64 = carried.split(".")
    return ".".join((h64, ek64, iv64, ct64, tag64))


def _hpke_codecs(alg: str) -> list[Codec]:
    suite = _SUITES[alg][0]
    private = _hpke_key(alg)
    public = private.public_key()
    recipient, own = Key.import_key(public), Key.import_key(private)
    header64 = b64e(json.dumps({"alg": alg}, separators=(",", ":")).encode())
    size = _ENC_SIZES[alg]
    seal = rust_openssl.hpke._encrypt_with_aad
    open_ = rust_openssl.hpke._decrypt_with_aad

    def produce(payload: bytes) -> str:
        return _carry(jwe.encrypt(payload, recipient, alg, None))

    def consume(carried: str) -> bytes:
        return jwe.decrypt(_uncarry(carried), own, algorithms=[alg]).plaintext

    def floor_produce(payload: bytes) -> str:
        sealed = seal(suite, payload, public, info=b"", aad=header64)
        token = b".".join((header64, b64e(sealed[:size]), b"", b64e(sealed[size:]), b""))
        return _carry(token.decode())

    def floor_consume(carried: str) -> bytes:
        h64, ek64, iv64, ct64, tag64 = _uncarry(carried).split(".")
        header = json.loads(b64d(h64))
        if header.get("alg") != alg or "enc" in header or iv64 or tag64:
            raise ValueError("not an Integrated Encryption JWE")
        return bytes(open_(suite, b64d(ek64) + b64d(ct64), private, b"", h64.encode()))

    return [Codec(JOSEKIT, produce, consume), Codec(FLOOR, floor_produce, floor_consume)]


# -- the classical counterparts, from bench_jws and bench_jwe --------------------------------


def _codecs(name: str) -> tuple[list[Codec], dict[str, str]]:
    if name == "ES256":
        return bench_jws.codecs("ES256")
    if name == "ECDH-ES":
        return bench_jwe.codecs("ECDH-ES")
    if name == ML_DSA:
        return _mldsa_codecs(), dict.fromkeys(PEERS, "n/a: no ML-DSA (RFC 9964)")
    return _hpke_codecs(name), dict.fromkeys(PEERS, "n/a: no HPKE (draft-ietf-jose-hpke-encrypt)")


def _consume(name: str) -> Prepared:
    found, unsupported = _codecs(name)
    return consume_case(found, PAYLOAD, unsupported=unsupported)


def _produce(name: str) -> Prepared:
    found, unsupported = _codecs(name)
    return produce_case(found, PAYLOAD, unsupported=unsupported)


_ROWS = (
    ("sign", "verify", ML_DSA, "ML-DSA-65"),
    ("sign", "verify", "ES256", "ES256"),
    ("encrypt", "decrypt", "HPKE-0", "HPKE-0.P-256"),
    ("encrypt", "decrypt", "HPKE-3", "HPKE-3.X25519"),
    ("encrypt", "decrypt", "ECDH-ES", f"ECDH-ES.{bench_jwe.ENC}.X25519"),
)


def benchmarks() -> list[Benchmark]:
    """ML-DSA-65 sign/verify and HPKE-0/HPKE-3 encrypt/decrypt, with ES256/ECDH-ES for scale."""
    out = []
    for produce_op, consume_op, name, label in _ROWS:
        kind = "JWS" if produce_op == "sign" else "JWE"
        out.append(
            Benchmark(
                f"pq.{consume_op}.{label}",
                functools.partial(_consume, name),
                Target(),
                f"{consume_op} a compact {kind} ({len(PAYLOAD)}-byte payload)",
            )
        )
        out.append(
            Benchmark(
                f"pq.{produce_op}.{label}",
                functools.partial(_produce, name),
                Target(),
                f"{produce_op} to a compact {kind} ({len(PAYLOAD)}-byte payload)",
            )
        )
    return out
