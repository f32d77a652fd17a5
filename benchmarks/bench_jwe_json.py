"""JWE JSON serialization with ten recipients, decrypted as the last one.

Each recipient is an ECDH-ES+A256KW (P-256) key with a ``kid`` in its recipient header.
josekit tries the recipient whose ``kid`` names the key first, so decrypting as the tenth
costs one key agreement; jwcrypto is timed as it comes (joserfc needs every recipient's
key). The floor parses the
JSON, finds the recipient by ``kid``, does one key agreement, Concat KDF, AES key unwrap and
AES-GCM with the protected header (and nothing else) as AAD.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from _harness import FLOOR, JOSEKIT, Benchmark, Prepared, Target
from bench_jwe import ENC, _concat_kdf, _other_info, b64d
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap
from jwcrypto import jwe as jwc_jwe
from jwcrypto import jwk as jwc_jwk

from josekit import jwe
from josekit.jwk import generate

__all__ = ["benchmarks"]

ALG = "ECDH-ES+A256KW"
COUNT = 10
PLAINTEXT = b'{"sub":"alice","scope":"read write"}'


def _floor(private: ec.EllipticCurvePrivateKey, kid: str) -> Callable[[str], bytes]:
    info = _other_info(ALG, 256)
    curve = ec.SECP256R1()

    def consume(text: str) -> bytes:
        obj = json.loads(text)
        protected = json.loads(b64d(obj["protected"]))
        if protected["enc"] != ENC:
            raise ValueError("unexpected enc")
        entry = next(r for r in obj["recipients"] if r["header"].get("kid") == kid)
        header = entry["header"]
        if header["alg"] != ALG:
            raise ValueError("unexpected alg")
        epk = header["epk"]
        point = b"\x04" + b64d(epk["x"]) + b64d(epk["y"])
        sender = ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
        kek = _concat_kdf(private.exchange(ec.ECDH(), sender), info)
        cek = aes_key_unwrap(kek, b64d(entry["encrypted_key"]))
        sealed = b64d(obj["ciphertext"]) + b64d(obj["tag"])
        return AESGCM(cek).decrypt(b64d(obj["iv"]), sealed, obj["protected"].encode())

    return consume


def _prepare() -> Prepared:
    keys = [generate(alg=ALG, kid=f"recipient-{i}") for i in range(COUNT)]
    token = jwe.encrypt_json(PLAINTEXT, [jwe.Recipient(k.public(), ALG) for k in keys], ENC)
    text = json.dumps(token)
    last = keys[-1]
    private: Any = last.crypto_key
    jwc_key = jwc_jwk.JWK.from_json(json.dumps(last.to_dict(private=True)))

    floor = _floor(private, str(last.kid))

    def with_jwcrypto() -> bytes:
        token = jwc_jwe.JWE()
        token.deserialize(text, key=jwc_key)
        return bytes(token.plaintext)

    timed: dict[str, Callable[[], object]] = {
        JOSEKIT: lambda: jwe.decrypt_json(text, last, algorithms=[ALG]).plaintext,
        FLOOR: lambda: floor(text),
        "jwcrypto": with_jwcrypto,
    }
    notes = {
        "PyJWT": "n/a: PyJWT has no JWE",
        # joserfc.jwe.decrypt_json unwraps for every recipient: with one key (or a KeySet
        # holding only it) it fails on the first recipient that is not this one.
        "joserfc": "n/a: joserfc decrypts a JWE JSON only with a key for every recipient",
        "python-jose": "n/a: python-jose has no ECDH-ES or JWE JSON serialization",
    }
    for name, fn in list(timed.items()):
        try:
            if fn() != PLAINTEXT:
                raise ValueError("decrypted something else")
        except Exception as exc:
            if name in (JOSEKIT, FLOOR):
                raise
            notes[name] = f"left out: {type(exc).__name__}: {exc}"
            del timed[name]
    return Prepared(timed, notes)


def benchmarks() -> list[Benchmark]:
    """Decrypt a ten-recipient JWE JSON as its last recipient."""
    return [
        Benchmark(
            f"jwe.decrypt_json.{ALG}.{ENC}.10th-of-10",
            _prepare,
            Target(beat_peers=True),
            f"decrypt a general JWE JSON with {COUNT} recipients as the last one",
        )
    ]
