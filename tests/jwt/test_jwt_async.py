"""The async twins of the JWT decoders: same checks, same messages, any key source."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from josekit import KeySet, jwk, jwt
from josekit.errors import ExpiredTokenError, InvalidSignatureError, JoseError, MalformedError

ISS = "https://issuer.example"
NOW = 1_800_000_000


class AwaitedKeys:
    """An async key source (like AsyncRemoteKeySet, without the network); counts lookups."""

    def __init__(self, keys: KeySet) -> None:
        self.keys = keys
        self.calls = 0

    async def candidates_async(self, header: Mapping[str, Any], operation: str) -> Sequence[Any]:
        self.calls += 1
        await asyncio.sleep(0)
        return self.keys.candidates(header, operation)


@pytest.fixture(scope="module")
def signer() -> jwk.Key:
    return jwk.generate("EC", crv="P-256", kid="s1")


@pytest.fixture(scope="module")
def recipient() -> jwk.Key:
    return jwk.generate("EC", crv="P-256", kid="r1")


def claims(**extra: Any) -> dict[str, Any]:
    return {"iss": ISS, "sub": "u", "aud": "api", "iat": NOW, "exp": NOW + 60, **extra}


def test_decode_async_with_an_async_source(signer: jwk.Key) -> None:
    token = jwt.encode(claims(), signer, "ES256")
    source = AwaitedKeys(KeySet([signer.public()]))
    result = asyncio.run(
        jwt.decode_async(token, source, algorithms=["ES256"], issuer=ISS, audience="api", now=NOW)
    )
    assert result.claims["sub"] == "u"
    assert source.calls == 1


@pytest.mark.parametrize("kind", ["key", "keyset", "async"])
def test_decode_async_refuses_what_decode_refuses(signer: jwk.Key, kind: str) -> None:
    public = signer.public()
    source: Any = {
        "key": public,
        "keyset": KeySet([public]),
        "async": AwaitedKeys(KeySet([public])),
    }[kind]
    expired = jwt.encode(claims(exp=NOW - 1), signer, "ES256")
    with pytest.raises(ExpiredTokenError):
        asyncio.run(
            jwt.decode_async(expired, source, algorithms=["ES256"], audience="api", now=NOW)
        )
    other = jwk.generate("EC", crv="P-256", kid="s1")
    forged = jwt.encode(claims(), other, "ES256")
    with pytest.raises(InvalidSignatureError):
        asyncio.run(jwt.decode_async(forged, source, algorithms=["ES256"], audience="api", now=NOW))


def test_messages_match_the_sync_path(signer: jwk.Key, recipient: jwk.Key) -> None:
    source = AwaitedKeys(KeySet([signer.public()]))
    jwe_token = jwt.encode_encrypted(claims(), recipient.public(), "ECDH-ES", "A256GCM")
    for token in (jwe_token, "not a token", "{}"):
        with pytest.raises(MalformedError) as sync_error:
            jwt.decode(token, signer.public(), algorithms=["ES256"])
        with pytest.raises(MalformedError) as async_error:
            asyncio.run(jwt.decode_async(token, source, algorithms=["ES256"]))
        assert str(async_error.value) == str(sync_error.value)
        assert "prefetch" not in str(async_error.value)
    assert source.calls == 0


def test_access_and_id_token_async(signer: jwk.Key) -> None:
    source = AwaitedKeys(KeySet([signer.public()]))
    access = jwt.encode(claims(client_id="c", jti="j"), signer, "ES256", header={"typ": "at+jwt"})
    got = asyncio.run(
        jwt.decode_access_token_async(
            access, source, algorithms=["ES256"], issuer=ISS, audience="api", now=NOW
        )
    )
    assert got.claims["client_id"] == "c"
    id_token = jwt.encode(claims(nonce="n"), signer, "ES256")
    got = asyncio.run(
        jwt.decode_id_token_async(
            id_token, source, algorithms=["ES256"], issuer=ISS, client_id="api", nonce="n", now=NOW
        )
    )
    assert got.claims["nonce"] == "n"
    with pytest.raises(JoseError, match="typ"):  # an ID token is not an access token
        asyncio.run(
            jwt.decode_access_token_async(
                id_token, source, algorithms=["ES256"], issuer=ISS, audience="api", now=NOW
            )
        )


def test_encrypted_and_nested_async(signer: jwk.Key, recipient: jwk.Key) -> None:
    decrypting = AwaitedKeys(KeySet([recipient]))
    verifying = AwaitedKeys(KeySet([signer.public()]))
    encrypted = jwt.encode_encrypted(claims(), recipient.public(), "ECDH-ES", "A256GCM")
    got = asyncio.run(
        jwt.decode_encrypted_async(
            encrypted, decrypting, algorithms=["ECDH-ES"], audience="api", now=NOW
        )
    )
    assert got.claims["sub"] == "u"
    nested = jwt.encode_nested(claims(), signer, "ES256", recipient.public(), "ECDH-ES", "A256GCM")
    result = asyncio.run(
        jwt.decode_nested_async(
            nested,
            decrypting,
            verifying,
            algorithms=["ECDH-ES"],
            signing_algorithms=["ES256"],
            audience="api",
            now=NOW,
        )
    )
    assert result.claims["sub"] == "u"
    assert result.encryption_header["cty"] == "JWT"
    assert (decrypting.calls, verifying.calls) == (2, 1)
    with pytest.raises(MalformedError) as caught:
        asyncio.run(
            jwt.decode_encrypted_async(
                nested.split(".")[0] + ".a.b", decrypting, algorithms=["ECDH-ES"]
            )
        )
    assert "decode_encrypted()" in str(caught.value)


class BlockingKeys:
    """A sync resolver that is not an in-memory KeySet (like RemoteKeySet): notes its thread."""

    def __init__(self, keys: KeySet) -> None:
        self.keys = keys
        self.threads: list[int] = []

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Any]:
        import threading

        self.threads.append(threading.get_ident())
        return self.keys.candidates(header, operation)


def test_a_sync_resolver_is_consulted_off_the_event_loop(signer: jwk.Key) -> None:
    import threading

    source = BlockingKeys(KeySet([signer.public()]))
    token = jwt.encode(claims(), signer, "ES256")

    async def main() -> int:
        result = await jwt.decode_async(
            token, source, algorithms=["ES256"], audience="api", now=NOW
        )
        assert result.claims["sub"] == "u"
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert source.threads
    assert loop_thread not in source.threads


def test_an_async_decoder_reads_only_the_members_it_uses(caplog: pytest.LogCaptureFixture) -> None:
    # Whether a key set holds backend keys is known without importing its members (a JWK
    # Set read from JSON never does), so one bad member, never used, fails nothing.
    good = jwk.generate("EC", crv="P-256", kid="good")
    off_curve = {"y": good.public().to_dict()["x"]}  # a point not on the curve
    bad = {**jwk.generate("EC", crv="P-256", kid="bad").public().to_dict(), **off_curve}
    keys = KeySet.import_key_set({"keys": [good.public().to_dict(), bad]})
    token = jwt.encode({"sub": "s"}, good, "ES256")
    with caplog.at_level("WARNING", logger="josekit"):
        claims = asyncio.run(jwt.decode_async(token, keys, algorithms=["ES256"])).claims
    assert claims == {"sub": "s"}
    assert [r.getMessage() for r in caplog.records] == []
