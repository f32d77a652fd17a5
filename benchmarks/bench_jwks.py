"""JWK Set parsing: read a fetched JWK Set document and select the key a token's ``kid`` names.

This is the work a verifier does each time it (re)fetches an issuer's keys. The set holds ten
public keys (five RSA-2048, five EC P-256, each with ``kid``, ``alg`` and ``use``) as JSON text,
as it arrives over HTTP; the operation parses it and returns the key object for one ``kid``.

The floor is what any library must spend at least: ``json.loads`` and a scan for the ``kid``.
PyJWT (``PyJWKSet``), joserfc (``KeySet.import_key_set``) and jwcrypto (``JWKSet``) import
and check every key of the set while parsing it. josekit reads the set's structure (strict
JSON, the ``kid`` index, the symmetric/private mix rules) and imports a key's material on its
first use, validating it fully then: the key returned here is usable as it is, and its first
verification pays the import once. python-jose has no JWK Set type (left out).

Before timing, the key each library selects must verify a token josekit signed with that key
and refuse the token with a damaged signature.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from _harness import FLOOR, JOSEKIT, Benchmark, CheckError, Prepared, Target, tamper
from joserfc import jws as rfc_jws
from joserfc.jwk import KeySet as RfcKeySet
from jwcrypto import jwk as jwc_jwk
from jwcrypto import jws as jwc_jws

import jwt as pyjwt
from josekit import jwk, jws
from josekit.jwk import KeySet

__all__ = ["benchmarks"]

KID = "key-7"
ALG = "ES256"


def _keys() -> tuple[str, jwk.Key]:
    """The JWK Set document (JSON text) and the private key of the member named ``KID``."""
    private = []
    for i in range(10):
        if i % 2 == 0:
            key = jwk.generate("RSA", size=2048, kid=f"key-{i}", alg="RS256", use="sig")
        else:
            key = jwk.generate("EC", crv="P-256", kid=f"key-{i}", alg="ES256", use="sig")
        private.append(key)
    document = KeySet([k.public() for k in private]).to_json()
    return document, next(k for k in private if k.kid == KID)


def _floor(document: str) -> dict[str, Any]:
    for member in json.loads(document)["keys"]:
        if member.get("kid") == KID:
            return member  # type: ignore[no-any-return]
    raise LookupError(KID)


def _selectors(document: str) -> dict[str, Callable[[], object]]:
    return {
        JOSEKIT: lambda: KeySet.import_key_set(document).get(KID),
        FLOOR: lambda: _floor(document),
        "PyJWT": lambda: pyjwt.PyJWKSet.from_json(document)[KID],
        "joserfc": lambda: RfcKeySet.import_key_set(json.loads(document)).get_by_kid(KID),
        "jwcrypto": lambda: jwc_jwk.JWKSet.from_json(document).get_key(KID),
    }


def _verifiers(token: str) -> dict[str, Callable[[Any], object]]:
    """How each library verifies ``token`` with the key object its selector returned."""

    def jwcrypto_verify(key: Any) -> object:
        checked = jwc_jws.JWS()
        checked.deserialize(token)
        checked.verify(key, alg=ALG)
        return checked.payload

    return {
        JOSEKIT: lambda key: jws.verify(token, key, algorithms=[ALG]).payload,
        FLOOR: lambda member: jws.verify(token, jwk.Key.import_key(member), algorithms=[ALG]),
        "PyJWT": lambda key: pyjwt.api_jws.decode_complete(token, key.key, algorithms=[ALG]),
        "joserfc": lambda key: rfc_jws.deserialize_compact(token, key, algorithms=[ALG]),
        "jwcrypto": jwcrypto_verify,
    }


def _check(library: str, select: Callable[[], object], token: str) -> None:
    verify = _verifiers(token)[library]
    verify(select())
    try:
        _verifiers(tamper(token))[library](select())
    except Exception:
        return
    raise CheckError(f"{library}: the selected key accepted a damaged signature")


def _build() -> Prepared:
    document, signer = _keys()
    token = jws.sign(b'{"sub":"user-1234567890"}', signer, ALG)
    timed = {}
    notes = {"python-jose": "n/a: python-jose has no JWK Set type"}
    for library, select in _selectors(document).items():
        try:
            _check(library, select, token)
        except Exception as exc:  # a library that does not interoperate is left out
            notes[library] = f"{type(exc).__name__}: {exc}"[:120]
            continue
        timed[library] = select
    return Prepared(timed, notes)


def benchmarks() -> list[Benchmark]:
    """Parse a 10-key JWK Set document and select one key by ``kid``."""
    return [
        Benchmark(
            "jwks.parse+select.10keys",
            _build,
            Target(beat_peers=True, max_floor_ratio=3.0),
            "parse a JWK Set of 10 public keys (JSON text) and select one by kid",
        )
    ]
