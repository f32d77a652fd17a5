"""create_app: the JWKS endpoint and the discovery document, served by uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from jwks_helpers import serve

from josekit import KeySet, jwk
from josekit.errors import JoseError
from josekit.jwks import JWKS_PATH, KeyStore, MemoryKeyStorage, RotationPolicy, create_app

POLICY = RotationPolicy(
    alg="EdDSA",
    rotate_every=timedelta(hours=1),
    publish_ahead=timedelta(minutes=10),
    retire_after=timedelta(hours=1),
)


@pytest.fixture
def store() -> KeyStore:
    store = KeyStore(MemoryKeyStorage(), POLICY)
    store.rotate(now=0)
    return store


@pytest.fixture
def base(store: KeyStore) -> Iterator[str]:
    with serve(create_app(store, issuer="http://127.0.0.1:1/tenant")) as url:
        yield url


def test_jwks_is_public_cached_and_tagged(base: str, store: KeyStore) -> None:
    response = httpx.get(base + JWKS_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jwk-set+json"
    assert response.headers["cache-control"] == "public, max-age=300"  # publish_ahead / 2
    published = KeySet.import_key_set(response.content)
    assert [k.kid for k in published] == [store.signing_key().kid]
    assert not any(k.is_private for k in published)
    assert '"d"' not in response.text


def test_if_none_match_gives_304_until_the_keys_change(base: str, store: KeyStore) -> None:
    first = httpx.get(base + JWKS_PATH)
    etag = first.headers["etag"]
    for value in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = httpx.get(base + JWKS_PATH, headers={"If-None-Match": value})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
    assert httpx.get(base + JWKS_PATH, headers={"If-None-Match": '"x"'}).status_code == 200
    store.rotate(now=55 * 60)  # publishes a next key: new document, new ETag
    changed = httpx.get(base + JWKS_PATH, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert len(KeySet.import_key_set(changed.content)) == 2


def test_discovery_document(base: str) -> None:
    document = httpx.get(base + "/.well-known/openid-configuration").json()
    assert document == {
        "issuer": "http://127.0.0.1:1/tenant",
        "jwks_uri": "http://127.0.0.1:1/tenant/.well-known/jwks.json",
        "id_token_signing_alg_values_supported": ["EdDSA"],
    }


def test_only_get_and_known_paths(base: str) -> None:
    assert httpx.post(base + JWKS_PATH).status_code == 405
    assert httpx.get(base + "/keys.json").status_code == 404
    assert httpx.head(base + JWKS_PATH).status_code == 200


def test_without_issuer_there_is_no_discovery(store: KeyStore) -> None:
    with serve(create_app(store, max_age=17, metadata={"x": 1})) as url:
        assert httpx.get(url + "/.well-known/openid-configuration").status_code == 404
        assert httpx.get(url + JWKS_PATH).headers["cache-control"] == "public, max-age=17"


def test_any_public_key_source_can_be_served() -> None:
    private = jwk.generate("EC", crv="P-256", kid="k")

    class Source:
        def public_key_set(self) -> KeySet:
            return KeySet([private])  # private by mistake: only public members are served

    with serve(create_app(Source())) as url:
        response = httpx.get(url + JWKS_PATH)
    assert response.headers["cache-control"] == "public, max-age=300"
    assert KeySet.import_key_set(response.content).get("k") == private.public()
    assert '"d"' not in response.text


def test_secret_keys_are_never_published() -> None:
    class Source:
        def public_key_set(self) -> KeySet:
            return KeySet([jwk.generate("oct", kid="secret")])

    with serve(create_app(Source())) as url:
        assert httpx.get(url + JWKS_PATH).json() == {"keys": []}


@pytest.mark.parametrize(
    "arguments",
    [
        {"max_age": -1},
        {"max_age": 1.5},
        {"issuer": "http://issuer.example"},
        {"issuer": "not a url"},
    ],
)
def test_bad_arguments_are_refused(store: KeyStore, arguments: dict[str, object]) -> None:
    with pytest.raises(JoseError):
        create_app(store, **arguments)  # type: ignore[arg-type]
    with pytest.raises(JoseError, match="public_key_set"):
        create_app(object())  # type: ignore[arg-type]


def test_file_store_served_from_another_instance(tmp_path: Path) -> None:
    rotator = KeyStore(tmp_path / "keys", POLICY)
    rotator.rotate(now=0)
    with serve(create_app(KeyStore(tmp_path / "keys", POLICY))) as url:
        before = KeySet.import_key_set(httpx.get(url + JWKS_PATH).content)
        rotator.rotate(now=55 * 60)
        after = KeySet.import_key_set(httpx.get(url + JWKS_PATH).content)
    assert len(before) == 1
    assert len(after) == 2
