"""The examples of RFC 9449, and proofs made by an independent implementation (npm ``dpop``)."""

from __future__ import annotations

from typing import Any

import pytest
from dpop_helpers import load

from josekit import cnf, dpop, jwk
from josekit.errors import DPoPError
from josekit.replay import MemoryReplayCache

RFC = load("rfc9449.json")
NPM = load("npm-dpop-2.1.2.json")


@pytest.mark.parametrize("vector", RFC["proofs"], ids=lambda v: v["title"])
def test_rfc9449_proofs_verify(vector: dict[str, Any]) -> None:
    proof = dpop.verify_proof(
        vector["proof"],
        method=vector["htm"],
        url=vector["htu"],
        algorithms=["ES256"],
        access_token=vector["access_token"],
        now=vector["iat"],
    )
    assert proof.jkt == RFC["jkt"]
    assert proof.key.to_dict() == RFC["jwk"]
    assert proof.claims["jti"] == vector["jti"]
    assert proof.claims.get("ath") == vector["ath"]
    cnf.check_confirmation({"cnf": RFC["cnf"]}, key=proof.key)


def test_rfc9449_ath_is_the_hash_of_the_access_token() -> None:
    vector = RFC["proofs"][1]
    assert dpop.access_token_hash(vector["access_token"]) == vector["ath"]


def test_rfc9449_jkt_and_cnf_of_the_example_key() -> None:
    key = jwk.import_key(RFC["jwk"])
    assert cnf.jkt(key) == RFC["jkt"]
    assert cnf.confirmation(key) == RFC["cnf"]


def test_rfc9449_proof_refused_for_another_token() -> None:
    vector = RFC["proofs"][1]
    with pytest.raises(DPoPError) as info:
        dpop.verify_proof(
            vector["proof"],
            method="GET",
            url=vector["htu"],
            algorithms=["ES256"],
            access_token=vector["access_token"] + "x",
            now=vector["iat"],
        )
    assert info.value.check == "ath"


@pytest.mark.parametrize("vector", NPM["proofs"], ids=lambda v: v["title"])
def test_npm_dpop_proofs_verify(vector: dict[str, Any]) -> None:
    cache = MemoryReplayCache(clock=lambda: vector["iat"])
    proof = dpop.verify_proof(
        vector["proof"],
        method=vector["htm"],
        url=vector["htu"],
        algorithms=[vector["alg"]],
        access_token=vector["access_token"],
        nonce=vector["nonce"],
        replay=cache,
        now=vector["iat"],
    )
    assert proof.jkt == vector["jkt"]
    assert proof.header["alg"] == vector["alg"]
    assert not proof.key.is_private
    assert len(cache) == 1
