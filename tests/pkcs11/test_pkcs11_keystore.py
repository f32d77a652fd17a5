"""A KeyStore whose keys live in the SoftHSM2 token: rotation, publishing, destruction."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from josekit import jwt
from josekit.errors import KeyStoreError
from josekit.jwk import KeySet
from josekit.jwks import FileKeyStorage, KeyStore, MemoryKeyStorage, RotationPolicy
from josekit.pkcs11 import Pkcs11Token

HOUR = 3600
POLICY = RotationPolicy(
    "ES256",
    rotate_every=timedelta(hours=10),
    publish_ahead=timedelta(hours=2),
    retire_after=timedelta(hours=3),
)


@pytest.mark.parametrize("kek", [False, True])
def test_store_on_the_token_rotates_three_times_and_destroys_retired_keys(
    token: Pkcs11Token, tmp_path: Path, kek: bool
) -> None:
    from josekit.jwk import generate

    storage = FileKeyStorage(tmp_path / "keys")
    seal = generate("oct", size=256) if kek else None
    store = KeyStore(storage, POLICY, keys=token, kek=seal)
    now = 1_800_000_000
    signed: list[tuple[str, str]] = []
    seen = []
    for _ in range(3 * 10 + 12):  # every hour, for more than three rotations and retirements
        store.rotate(now=now)
        key = store.signing_key()
        assert key.external is not None  # signs in the token
        seen.append(key)
        signed.append((jwt.encode({"sub": "s", "iat": now}, key, "ES256"), key.kid or ""))
        # every token signed so far whose key is still published verifies through the JWKS
        published = KeySet.import_key_set(store.public_key_set().to_dict())
        kids = {k.kid for k in published}
        for compact, kid in signed:
            if kid in kids:
                decoded = jwt.decode(compact, published, algorithms=["ES256"], now=now)
                assert decoded.claims["sub"] == "s"
        now += HOUR
    kids_used = list(dict.fromkeys(k.kid for k in seen))
    assert len(kids_used) >= 4  # the first key and three rotations
    published = {k.kid for k in store.public_key_set()}
    distinct = {k.kid: k for k in seen}
    for kid in kids_used:
        assert token.has(distinct[kid]) == (kid in published)  # retired ones are destroyed
    assert sum(not token.has(k) for k in distinct.values()) >= 2
    # the state document holds public members and the token reference only
    document = storage.load()
    assert document is not None
    text = json.dumps(document)
    assert '"d"' not in text
    assert all(item["held"]["type"] == "pkcs11" for item in document["keys"])
    assert all("sealed" not in item for item in document["keys"])
    # a second store on the same storage and token opens the same keys
    again = KeyStore(storage, POLICY, keys=token, kek=seal)
    assert again.signing_key().thumbprint() == store.signing_key().thumbprint()
    with pytest.raises(KeyStoreError, match="keys=<token>"):
        KeyStore(storage, POLICY, kek=seal).signing_key()


def test_a_substituted_token_key_is_refused(token: Pkcs11Token) -> None:
    storage = MemoryKeyStorage()
    store = KeyStore(storage, POLICY, keys=token)
    store.rotate(now=1_800_000_000)
    document = storage.load()
    assert document is not None
    other = token.generate("EC", crv="P-256", label="substitute")
    document["keys"][0]["held"]["id"] = other.external.cka_id.hex()
    storage.save(document)
    with pytest.raises(KeyStoreError, match="is not the saved key"):
        KeyStore(storage, POLICY, keys=token).signing_key()
