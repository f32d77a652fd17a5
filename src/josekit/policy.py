"""Limits on everything an attacker controls: sizes, counts, depths and iteration numbers.

A :class:`Limits` is frozen. Pass one as ``limits=`` to change a bound for one call, e.g.
``jws.verify(token, key, algorithms=["ES256"], limits=Limits(max_token_size=2_000_000))``,
or build one with :func:`dataclasses.replace` from :data:`DEFAULT_LIMITS`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds applied while parsing and processing untrusted input.

    Attributes:
        max_token_size: largest compact token or JSON serialization accepted, in characters.
        max_header_size: largest protected or unprotected header, in bytes of JSON.
        max_payload_size: largest JWS payload / JWE ciphertext, in bytes after decoding.
        max_json_depth: deepest nesting of JSON objects and arrays in headers and claims.
        max_signatures: most signatures (JWS) or recipients (JWE) in a JSON serialization.
        max_kid_length: longest ``kid`` accepted.
        max_keys: most keys in an imported JWK Set.
        max_p2c: highest PBES2 iteration count accepted on decrypt.
        min_p2c: lowest PBES2 iteration count used on encrypt.
        default_p2c: PBES2 iteration count used on encrypt when none is given.
        max_inflated_size: largest plaintext after ``zip: DEF`` decompression, in bytes.
        max_disclosures: most disclosures in one SD-JWT (RFC 9901).
        max_sd_digests: most digests in one ``_sd`` array of an SD-JWT.
        max_sd_depth: deepest nesting of objects and arrays walked while processing an
            SD-JWT's disclosures (disclosures inside disclosures count their own levels).
    """

    max_token_size: int = 1_000_000
    max_header_size: int = 8_192
    max_payload_size: int = 750_000
    max_json_depth: int = 32
    max_signatures: int = 16
    max_kid_length: int = 512
    max_keys: int = 256
    max_p2c: int = 10_000
    min_p2c: int = 1_000
    default_p2c: int = 8_192
    max_inflated_size: int = 250_000
    max_disclosures: int = 512
    max_sd_digests: int = 1024
    max_sd_depth: int = 16


DEFAULT_LIMITS = Limits()
"""The limits used when a call gets no ``limits=`` argument."""
