"""What the bridge of the async entry points costs, with an async backend that does no I/O.

Rows ``external.async.sign.ES256`` and ``external.async.decrypt.ECDH-ES``: the ``josekit``
column runs ``jws.sign_async`` / ``jwe.decrypt_async`` (each to completion on one event loop)
with a key whose ``AsyncExternalPrivateKey`` backend signs or agrees in-process at once; the
``floor`` column is the sync ``jws.sign`` / ``jwe.decrypt`` with a sync backend doing the same.
The ratio is the bridge alone: the hop to a worker thread, the backend coroutine submitted
back to the loop, and the loop round trips. A real KMS adds its network latency on top. No
target: the figure is for the docs. Time it with ``--clock wall`` (the default): the work
runs in a worker thread, which ``--clock cpu`` does not see.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
from typing import Any

from _harness import FLOOR, JOSEKIT, Benchmark, CheckError, Prepared, Target
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from josekit import jwe, jws
from josekit.errors import UnsupportedAlgorithmError
from josekit.jwk import Key, external_key

__all__ = ["benchmarks"]

PAYLOAD = b'{"iss":"https://issuer.example","sub":"alice","aud":"api","exp":1900000000}'
_LOOP: list[asyncio.AbstractEventLoop] = []


class _Local:
    """A P-256 key behind the protocol, in-process: sign and exchange, nothing else."""

    def __init__(self, private: ec.EllipticCurvePrivateKey) -> None:
        self.private = private

    def sign(self, alg: str, data: bytes) -> bytes:
        r, s = decode_dss_signature(self.private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
        raise UnsupportedAlgorithmError("an EC key does no RSA decryption")

    def exchange(self, alg: str, peer: Any) -> bytes:
        return self.private.exchange(ec.ECDH(), peer)


class _AsyncLocal:
    """The same operations as coroutines that never wait."""

    def __init__(self, private: ec.EllipticCurvePrivateKey) -> None:
        self._sync = _Local(private)

    async def sign(self, alg: str, data: bytes) -> bytes:
        return self._sync.sign(alg, data)

    async def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
        return self._sync.decrypt(alg, encrypted_key)

    async def exchange(self, alg: str, peer: Any) -> bytes:
        return self._sync.exchange(alg, peer)


def _loop() -> asyncio.AbstractEventLoop:
    if not _LOOP:
        _LOOP.append(asyncio.new_event_loop())
        atexit.register(_LOOP[0].close)
    return _LOOP[0]


def _keys() -> tuple[Key, Key]:
    private = ec.generate_private_key(ec.SECP256R1())
    public = Key.import_key(private.public_key())
    return external_key(public, _AsyncLocal(private)), external_key(public, _Local(private))


def _sign() -> Prepared:
    remote, local = _keys()
    loop = _loop()

    def josekit() -> str:
        return loop.run_until_complete(jws.sign_async(PAYLOAD, remote, "ES256"))

    for produce in (josekit, functools.partial(jws.sign, PAYLOAD, local, "ES256")):
        if jws.verify(produce(), remote.public(), algorithms=["ES256"]).payload != PAYLOAD:
            raise CheckError("an ES256 signature through a backend does not verify")
    return Prepared({JOSEKIT: josekit, FLOOR: functools.partial(jws.sign, PAYLOAD, local, "ES256")})


def _decrypt() -> Prepared:
    remote, local = _keys()
    loop = _loop()
    sealed = jwe.encrypt(PAYLOAD, remote.public(), "ECDH-ES", "A128GCM")

    def josekit() -> bytes:
        coro = jwe.decrypt_async(sealed, remote, algorithms=["ECDH-ES"])
        return loop.run_until_complete(coro).plaintext

    def floor() -> bytes:
        return jwe.decrypt(sealed, local, algorithms=["ECDH-ES"]).plaintext

    if josekit() != PAYLOAD or floor() != PAYLOAD:
        raise CheckError("an ECDH-ES JWE does not decrypt through a backend")
    return Prepared({JOSEKIT: josekit, FLOOR: floor})


def benchmarks() -> list[Benchmark]:
    """The async entry points' bridge, against the sync path with a sync backend."""
    return [
        Benchmark(
            "external.async.sign.ES256",
            _sign,
            Target(),
            "jws.sign_async with an async backend (floor: jws.sign with a sync backend)",
        ),
        Benchmark(
            "external.async.decrypt.ECDH-ES",
            _decrypt,
            Target(),
            "jwe.decrypt_async with an async backend (floor: jwe.decrypt with a sync backend)",
        ),
    ]
