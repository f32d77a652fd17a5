"""Every async entry point with keys held by a remote KMS (a loopback Starlette service).

What the KMS signs verifies with josekit software keys, PyJWT and jwcrypto; what is
encrypted for its public halves (by josekit and by jwcrypto) decrypts through it.
"""

from __future__ import annotations

import json

import httpx
import pytest
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws
from kms_service import Kms, b64, unb64
from remote import remote_key, run

import jwt as pyjwt
from josekit import jwe, jwk, jwks, jws, jwt
from josekit.algorithms.content import DECRYPTION_FAILED
from josekit.errors import DecryptionError
from josekit.jwk import KeySet

CLAIMS = {"iss": "https://issuer.example", "sub": "alice"}


def flipped(part: str) -> str:
    """A base64url part with one bit of its first octet flipped."""
    raw = unb64(part)
    return b64(bytes([raw[0] ^ 1]) + raw[1:])


@pytest.mark.parametrize(
    ("key_id", "alg"), [("ec-1", "ES256"), ("rsa-1", "RS256"), ("rsa-1", "PS256")]
)
def test_jwt_encode_async_verifies_everywhere(kms: Kms, key_id: str, alg: str) -> None:
    async def scenario(client: httpx.AsyncClient) -> tuple[str, jwk.Key]:
        key, _ = await remote_key(client, key_id)
        return await jwt.encode_async(CLAIMS, key, alg), key

    token, key = run(kms, scenario)
    assert kms.service.seen["sign"] == 1
    published = jwk.import_key(key.public().to_json())  # a plain software key
    assert jwt.decode(token, published, algorithms=[alg]).claims == CLAIMS
    assert jwt.decode(token, published, algorithms=[alg]).header["kid"] == key_id
    peer_key = pyjwt.PyJWK(key.public().to_dict(), algorithm=alg).key
    assert pyjwt.decode(token, peer_key, algorithms=[alg]) == CLAIMS
    verifier = jwcrypto_jws.JWS()
    verifier.deserialize(token)
    verifier.verify(jwcrypto_jwk.JWK(**key.public().to_dict()), alg=alg)
    assert json.loads(verifier.payload) == CLAIMS


def test_jws_sign_async_compact_and_detached(kms: Kms) -> None:
    async def scenario(client: httpx.AsyncClient) -> tuple[str, str, jwk.Key]:
        key, _ = await remote_key(client, "ec-1")
        compact = await jws.sign_async(b"hello", key, "ES256", header={"cty": "text/plain"})
        detached = await jws.sign_async(b"hello", key, "ES256", detached=True)
        return compact, detached, key

    compact, detached, key = run(kms, scenario)
    public = key.public()
    verified = jws.verify(compact, public, algorithms=["ES256"])
    assert (verified.payload, verified.header["cty"]) == (b"hello", "text/plain")
    assert jws.verify(detached, public, algorithms=["ES256"], detached_payload=b"hello")
    verifier = jwcrypto_jws.JWS()
    verifier.deserialize(compact)
    verifier.verify(jwcrypto_jwk.JWK(**public.to_dict()), alg="ES256")


def test_jws_sign_json_async_with_a_remote_and_a_software_signer(kms: Kms) -> None:
    software = jwk.generate("OKP", crv="Ed25519", kid="local")

    async def scenario(client: httpx.AsyncClient) -> tuple[dict[str, object], jwk.Key]:
        remote, _ = await remote_key(client, "rsa-1")
        signers = [jws.Signer(remote, "PS256"), jws.Signer(software, "Ed25519")]
        return await jws.sign_json_async(b"to both", signers), remote

    signed, remote = run(kms, scenario)
    assert kms.service.seen["sign"] == 1
    for public, alg in ((remote.public(), "PS256"), (software.public(), "Ed25519")):
        assert jws.verify_json(signed, public, algorithms=[alg]).payload == b"to both"
    verifier = jwcrypto_jws.JWS()
    verifier.deserialize(json.dumps(signed))
    verifier.verify(jwcrypto_jwk.JWK(**remote.public().to_dict()), alg="PS256")


@pytest.mark.parametrize(
    ("key_id", "alg"),
    [
        ("rsa-1", "RSA-OAEP"),
        ("rsa-1", "RSA-OAEP-256"),
        ("ec-1", "ECDH-ES"),
        ("ec-1", "ECDH-ES+A128KW"),
    ],
)
def test_jwe_decrypt_async_for_the_public_half(kms: Kms, key_id: str, alg: str) -> None:
    async def public_of(client: httpx.AsyncClient) -> jwk.Key:
        return (await remote_key(client, key_id))[0].public()

    public = run(kms, public_of)
    ours = jwe.encrypt(b"sealed", public, alg, "A256GCM")
    theirs = jwcrypto_jwe.JWE(
        b"sealed by jwcrypto", json.dumps({"alg": alg, "enc": "A128CBC-HS256"})
    )
    theirs.add_recipient(jwcrypto_jwk.JWK(**public.to_dict()))
    head, ek, iv, ct, tag = ours.split(".")
    tampered = [".".join((head, ek, iv, flipped(ct), tag))]
    if ek:  # RSA: the KMS itself refuses an altered encrypted key
        tampered.append(".".join((head, flipped(ek), iv, ct, tag)))

    async def scenario(client: httpx.AsyncClient) -> list[object]:
        key, _ = await remote_key(client, key_id)
        out: list[object] = []
        for token in (ours, theirs.serialize(compact=True), *tampered):
            try:
                out.append((await jwe.decrypt_async(token, key, algorithms=[alg])).plaintext)
            except DecryptionError as exc:
                out.append(exc)
        return out

    mine, jwcrypto_made, *failed = run(kms, scenario)
    assert (mine, jwcrypto_made) == (b"sealed", b"sealed by jwcrypto")
    assert len(failed) == len(tampered)
    assert all(isinstance(e, DecryptionError) and str(e) == DECRYPTION_FAILED for e in failed)


def test_jwe_decrypt_json_async_finds_the_remote_recipient(kms: Kms) -> None:
    other = jwk.generate("EC", crv="P-256", kid="someone-else")

    async def scenario(client: httpx.AsyncClient) -> tuple[bytes, str | None, DecryptionError]:
        key, _ = await remote_key(client, "rsa-1")
        recipients = [
            jwe.Recipient(other.public(), "ECDH-ES+A128KW"),
            jwe.Recipient(key.public(), "RSA-OAEP-256"),
        ]
        sealed = jwe.encrypt_json(b"for two", recipients, "A128GCM")
        keys = KeySet([other, key])  # a software key and the KMS key
        result = await jwe.decrypt_json_async(sealed, keys, algorithms=["RSA-OAEP-256"])
        sealed["tag"] = flipped(sealed["tag"])
        with pytest.raises(DecryptionError) as info:
            await jwe.decrypt_json_async(sealed, key, algorithms=["RSA-OAEP-256"])
        return result.plaintext, result.key.kid, info.value

    plaintext, kid, failed = run(kms, scenario)
    assert (plaintext, kid) == (b"for two", "rsa-1")
    assert str(failed) == DECRYPTION_FAILED


def test_jwt_decode_encrypted_async_with_a_key_and_a_key_set(kms: Kms) -> None:
    async def scenario(client: httpx.AsyncClient) -> list[dict[str, object]]:
        key, _ = await remote_key(client, "ec-1")
        token = jwt.encode_encrypted(CLAIMS, key.public(), "ECDH-ES+A256KW", "A256GCM")
        keys = KeySet([jwk.generate("EC", crv="P-256", kid="old"), key])
        out = []
        for source in (key, keys):
            decoded = await jwt.decode_encrypted_async(token, source, algorithms=["ECDH-ES+A256KW"])
            out.append(decoded.claims)
        return out

    assert run(kms, scenario) == [CLAIMS, CLAIMS]
    assert kms.service.seen["exchange"] == 2


def test_nested_jwt_signed_and_opened_through_the_kms(kms: Kms) -> None:
    recipient = jwk.generate("EC", crv="P-256", kid="recipient")
    issuer = jwk.generate("EC", crv="P-256", kid="issuer")

    async def scenario(client: httpx.AsyncClient) -> tuple[jwt.NestedToken, jwt.NestedToken]:
        signing, _ = await remote_key(client, "ec-1")
        decrypting, _ = await remote_key(client, "rsa-1")
        issued = await jwt.encode_nested_async(
            CLAIMS, signing, "ES256", recipient.public(), "ECDH-ES", "A256GCM"
        )
        received = jwt.encode_nested(
            CLAIMS, issuer, "ES256", decrypting.public(), "RSA-OAEP-256", "A256GCM"
        )
        opened = await jwt.decode_nested_async(
            received,
            decrypting,
            issuer.public(),
            algorithms=["RSA-OAEP-256"],
            signing_algorithms=["ES256"],
        )
        return jwt.decode_nested(
            issued,
            recipient,
            signing.public(),
            algorithms=["ECDH-ES"],
            signing_algorithms=["ES256"],
        ), opened

    issued, opened = run(kms, scenario)
    assert issued.claims == opened.claims == CLAIMS
    assert (issued.key.kid, opened.decryption_key.kid) == ("ec-1", "rsa-1")
    assert (kms.service.seen["sign"], kms.service.seen["decrypt"]) == (1, 1)


def test_jwks_decrypt_async_with_an_async_source_of_kms_keys(kms: Kms) -> None:
    class AsyncPrivateKeys:
        """An async key source whose keys are held by the KMS."""

        def __init__(self, keys: list[jwk.Key]) -> None:
            self.keys = keys

        async def candidates_async(self, header: object, operation: str) -> list[jwk.Key]:
            return self.keys

    async def scenario(client: httpx.AsyncClient) -> bytes:
        key, _ = await remote_key(client, "rsa-1")
        sealed = jwe.encrypt(b"from a source", key.public(), "RSA-OAEP-256", "A128GCM")
        source = AsyncPrivateKeys([key])
        return (await jwks.decrypt_async(sealed, source, algorithms=["RSA-OAEP-256"])).plaintext

    assert run(kms, scenario) == b"from a source"
    assert kms.service.seen["decrypt"] == 1
