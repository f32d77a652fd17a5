"""An async key backend as a user writes one: `make typecheck` runs mypy --strict on it.

It checks that such a class satisfies ``jwk.AsyncExternalPrivateKey`` structurally, that
``external_key`` takes it, and the result types of the async entry points.
"""

from __future__ import annotations

import asyncio
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from josekit import jwe, jws, jwt
from josekit.errors import UnsupportedAlgorithmError
from josekit.jwk import AsyncExternalPrivateKey, Key, external_key


class RemoteKey:
    """A P-256 key "elsewhere": each operation yields to the loop, as a network call would."""

    def __init__(self, private: ec.EllipticCurvePrivateKey) -> None:
        self._private = private

    def __repr__(self) -> str:
        return "RemoteKey('typing')"

    async def sign(self, alg: str, data: bytes) -> bytes:
        await asyncio.sleep(0)
        r, s = decode_dss_signature(self._private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    async def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
        raise UnsupportedAlgorithmError(f"{self!r} does no RSA decryption ({alg})")

    async def exchange(self, alg: str, peer: Any) -> bytes:
        await asyncio.sleep(0)
        return self._private.exchange(ec.ECDH(), peer)


async def main() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    backend: AsyncExternalPrivateKey = RemoteKey(private)
    key: Key = external_key(Key.import_key(private.public_key()), backend, kid="remote-1")
    token: str = await jwt.encode_async({"sub": "alice"}, key, "ES256")
    signed: str = await jws.sign_async(b"payload", key, "ES256")
    general: dict[str, Any] = await jws.sign_json_async(b"payload", [jws.Signer(key, "ES256")])
    sealed = jwe.encrypt(b"secret", key.public(), "ECDH-ES", "A256GCM")
    opened: jwe.DecryptedJWE = await jwe.decrypt_async(sealed, key, algorithms=["ECDH-ES"])
    assert opened.plaintext == b"secret"
    assert jwt.decode(token, key.public(), algorithms=["ES256"]).claims["sub"] == "alice"
    assert jws.verify(signed, key.public(), algorithms=["ES256"]).payload == b"payload"
    assert jws.verify_json(general, key.public(), algorithms=["ES256"]).payload == b"payload"


if __name__ == "__main__":
    asyncio.run(main())
