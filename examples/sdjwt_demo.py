"""SD-JWT end to end: a credential with five claims, presented with two, verified.

The issuer signs digests of five claims and hands the holder the credential with all five
disclosures. For one verifier the holder discloses two of them and binds the presentation
to its key with the verifier's nonce; the verifier sees exactly those two claims, and
refuses the same presentation replayed with another nonce.

Run it with ``python examples/sdjwt_demo.py`` (needs nothing beyond josekit itself).
"""

from __future__ import annotations

import secrets
import time

from josekit import jwk, sdjwt
from josekit.errors import SDJWTError
from josekit.sdjwt import SD

ISSUER = "https://issuer.example"
VERIFIER = "https://verifier.example"


def main() -> None:
    issuer_key = jwk.generate("EC", crv="P-256", kid="issuer-1")
    holder_key = jwk.generate("EC", crv="P-256")
    now = int(time.time())

    credential = sdjwt.issue(
        {
            "iss": ISSUER,
            "iat": now,
            "exp": now + 86_400,
            "vct": "urn:example:employee-badge",
            "given_name": SD("Ada"),
            "family_name": SD("Lovelace"),
            "email": SD("ada@example.com"),
            "birthdate": SD("1815-12-10"),
            "employee_id": SD("E-1815"),
        },
        issuer_key,
        "ES256",
        holder_key=holder_key,
        decoys=2,
        typ="dc+sd-jwt",
    )
    view = sdjwt.parse(credential)
    print(f"issued: {len(credential)} characters, {len(view.disclosures)} disclosures")
    for disclosure in view.disclosures:
        print(f"  {disclosure.name:12} = {disclosure.value!r:22} digest {disclosure.digest}")

    nonce = secrets.token_urlsafe(16)  # the verifier's, for this presentation only
    presentation = sdjwt.present(
        credential,
        ["given_name", "email"],
        holder_key=holder_key,
        alg="ES256",
        audience=VERIFIER,
        nonce=nonce,
    )
    print(f"presented: {presentation.count('~') - 1} of {len(view.disclosures)} disclosures")

    def check(with_nonce: str) -> sdjwt.VerifiedSDJWT:
        return sdjwt.verify(
            presentation,
            issuer_key.public(),
            algorithms=["ES256"],
            require_key_binding=True,
            issuer=ISSUER,
            typ="dc+sd-jwt",
            vct="urn:example:employee-badge",
            kb_audience=VERIFIER,
            kb_nonce=with_nonce,
            required=["exp"],
        )

    verified = check(nonce)
    shown = {k: v for k, v in verified.claims.items() if k not in ("iat", "exp", "cnf")}
    print(f"verified: {shown}")
    assert set(shown) == {"iss", "vct", "given_name", "email"}
    try:
        check(secrets.token_urlsafe(16))
    except SDJWTError as exc:
        print(f"replayed with another nonce: refused ({exc})")
    else:
        raise SystemExit("a replayed presentation was accepted")


if __name__ == "__main__":
    main()
