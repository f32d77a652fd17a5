"""SD-JWT issuing and presenting, and DPoP proofs, with keys held by the remote KMS."""

from __future__ import annotations

import httpx
import pytest
from kms_service import Kms
from remote import remote_key, run

from josekit import dpop, jwk, sdjwt
from josekit.errors import KeyBackendError

NOW = 1_800_000_000
CLAIMS = {"iss": "https://issuer.example", "given_name": sdjwt.SD("Erika"), "age": sdjwt.SD(42)}


def test_an_issuer_key_in_the_kms_issues_an_sd_jwt(kms: Kms) -> None:
    holder = jwk.generate("EC", crv="P-256")

    async def scenario(client: httpx.AsyncClient) -> tuple[str, jwk.Key]:
        key, _ = await remote_key(client, "ec-1")
        return await sdjwt.issue_async(CLAIMS, key, "ES256", holder_key=holder.public()), key

    issued, key = run(kms, scenario)
    assert kms.service.seen["sign"] == 1
    presented = sdjwt.present(
        issued, ["given_name"], holder_key=holder, alg="ES256", audience="v", nonce="n", iat=NOW
    )
    verified = sdjwt.verify(
        presented,
        key.public(),
        algorithms=["ES256"],
        require_key_binding=True,
        kb_audience="v",
        kb_nonce="n",
        now=NOW,
    )
    assert verified.claims["given_name"] == "Erika"
    assert "age" not in verified.claims
    assert verified.holder_key == holder.public()


def test_a_holder_key_in_the_kms_binds_a_presentation(kms: Kms) -> None:
    issuer = jwk.generate("EC", crv="P-256")

    async def scenario(client: httpx.AsyncClient) -> str:
        holder, _ = await remote_key(client, "ec-1")
        issued = sdjwt.issue(CLAIMS, issuer, "ES256", holder_key=holder.public())
        return await sdjwt.present_async(
            issued, ["age"], holder_key=holder, alg="ES256", audience="v", nonce="n", iat=NOW
        )

    presented = run(kms, scenario)
    assert kms.service.seen["sign"] == 1  # the KB-JWT
    verified = sdjwt.verify(
        presented,
        issuer.public(),
        algorithms=["ES256"],
        require_key_binding=True,
        kb_audience="v",
        kb_nonce="n",
        now=NOW,
    )
    assert verified.claims["age"] == 42
    assert "given_name" not in verified.claims
    assert verified.kb_claims is not None
    assert verified.kb_claims["nonce"] == "n"


def test_a_dpop_key_in_the_kms_signs_proofs(kms: Kms) -> None:
    async def scenario(client: httpx.AsyncClient) -> tuple[str, jwk.Key]:
        key, _ = await remote_key(client, "ec-1")
        proof = await dpop.create_proof_async(key, "POST", "https://as.example/token", iat=NOW)
        return proof, key

    proof, key = run(kms, scenario)
    checked = dpop.verify_proof(
        proof, method="POST", url="https://as.example/token", algorithms=["ES256"], now=NOW
    )
    assert checked.jkt == key.thumbprint()


def test_the_sync_functions_name_the_async_twins(kms: Kms) -> None:
    async def scenario(client: httpx.AsyncClient) -> list[str]:
        key, _ = await remote_key(client, "ec-1")
        messages = []
        for call in (
            lambda: sdjwt.issue(CLAIMS, key, "ES256"),
            lambda: dpop.create_proof(key, "GET", "https://api.example/"),
        ):
            with pytest.raises(KeyBackendError) as caught:
                call()
            messages.append(str(caught.value))
        return messages

    for message in run(kms, scenario):
        assert "sdjwt.issue_async" in message
        assert "dpop.create_proof_async" in message
    assert kms.service.seen["sign"] == 0
