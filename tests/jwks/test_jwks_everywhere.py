"""A RemoteKeySet is accepted wherever a key or a key set is: jws, jwt and jwe."""

from __future__ import annotations

from jwks_helpers import Live

from josekit import KeySet, jwe, jwk, jws, jwt
from josekit.jwks import RemoteKeySet


def test_remote_key_set_verifies_jws_and_decodes_jwt(live: Live) -> None:
    signer = jwk.generate("OKP", crv="Ed25519", kid="sig-1", alg="Ed25519", use="sig")
    live.app.set_keys(KeySet([signer.public()]))
    with RemoteKeySet(live.url) as keys:
        token = jws.sign(b"payload", signer, "Ed25519")
        assert jws.verify(token, keys, algorithms=["Ed25519"]).payload == b"payload"
        claims = {"iss": "https://issuer.example", "sub": "alice", "exp": 2000}
        jwt_token = jwt.encode(claims, signer, "Ed25519")
        decoded = jwt.decode(
            jwt_token, keys, algorithms=["Ed25519"], issuer="https://issuer.example", now=1000
        )
        assert decoded.claims["sub"] == "alice"
        assert decoded.key is not None
        assert decoded.key.kid == "sig-1"
    assert live.hits() == 1


def test_remote_key_set_selects_the_key_for_jwe(live: Live) -> None:
    # A JWK Set holds public keys only, so a remote set serves the encrypting side's keys:
    # the encrypter picks the recipient key from it, and the recipient decrypts with its own.
    recipient = jwk.generate("EC", crv="P-256", kid="enc-1", alg="ECDH-ES+A256KW", use="enc")
    live.app.set_keys(KeySet([recipient.public()]))
    with RemoteKeySet(live.url) as keys:
        header = {"kid": "enc-1", "alg": "ECDH-ES+A256KW"}
        (public,) = keys.candidates(header, "encrypt")
        token = jwe.encrypt(b"secret", public, "ECDH-ES+A256KW", "A256GCM")
    result = jwe.decrypt(token, KeySet([recipient]), algorithms=["ECDH-ES+A256KW"])
    assert result.plaintext == b"secret"
    assert result.key is not None
    assert result.key.kid == "enc-1"
