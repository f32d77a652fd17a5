"""Selective Disclosure for JWTs (RFC 9901), Key Binding, and the SD-JWT VC profile.

The issuer signs digests of the claims marked :class:`SD`; the holder presents only the
claims it chooses, optionally bound to its key; the verifier gets the disclosed claims::

    from josekit import jwk, sdjwt

    issuer_key = jwk.generate("EC", crv="P-256")
    holder_key = jwk.generate("EC", crv="P-256")
    issued = sdjwt.issue(
        {"iss": "https://issuer.example", "given_name": sdjwt.SD("Ada"),
         "email": sdjwt.SD("ada@example.com")},
        issuer_key, "ES256", holder_key=holder_key,
    )
    shown = sdjwt.present(issued, ["given_name"], holder_key=holder_key, alg="ES256",
                          audience="https://verifier.example", nonce="n-0S6_WzA2Mj")
    verified = sdjwt.verify(
        shown, issuer_key.public(), algorithms=["ES256"], require_key_binding=True,
        issuer="https://issuer.example", kb_audience="https://verifier.example",
        kb_nonce="n-0S6_WzA2Mj",
    )
    verified.claims["given_name"]      # 'Ada'; 'email' was not disclosed

An SD-JWT presented without key binding is a bearer credential: whoever holds it can present
it. :func:`verify` therefore takes ``require_key_binding`` without a default.
"""

from __future__ import annotations

from ._async import issue_async, present_async
from ._disclosure import HASHES, Disclosure, Path
from ._format import Serialization
from ._issue import SD, Decoys, issue
from ._metadata import (
    WELL_KNOWN_PATH,
    AsyncIssuerMetadataKeys,
    IssuerKeys,
    IssuerMetadataKeys,
)
from ._parse import SDJWT, parse
from ._present import KB_TYP, Disclose, PathLike, present
from ._vc import NEVER_DISCLOSED, VC_TYPES
from ._verify import VerifiedSDJWT, verify

__all__ = [
    "HASHES",
    "KB_TYP",
    "NEVER_DISCLOSED",
    "SD",
    "SDJWT",
    "VC_TYPES",
    "WELL_KNOWN_PATH",
    "AsyncIssuerMetadataKeys",
    "Decoys",
    "Disclose",
    "Disclosure",
    "IssuerKeys",
    "IssuerMetadataKeys",
    "Path",
    "PathLike",
    "Serialization",
    "VerifiedSDJWT",
    "issue",
    "issue_async",
    "parse",
    "present",
    "present_async",
    "verify",
]
