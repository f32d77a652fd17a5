"""End-to-end demo: generate keys, sign and verify in every serialization, print a JWKS."""

from __future__ import annotations

from josekit import KeySet, jwk, jws


def main() -> None:
    """Run the demo."""
    keys = [
        jwk.generate("RSA", size=2048, kid="rsa-1", alg="PS256", use="sig"),
        jwk.generate("EC", crv="P-256", kid="ec-1", alg="ES256", use="sig"),
        jwk.generate("OKP", crv="Ed25519", kid="ed-1", alg="Ed25519", use="sig"),
    ]
    public = KeySet([k.public() for k in keys])
    payload = b'{"hello":"world"}'
    for key in keys:
        assert key.alg is not None
        compact = jws.sign(payload, key, key.alg)
        res = jws.verify(compact, public, algorithms=[key.alg])
        print(f"compact   {key.alg:7} kid={res.key.kid if res.key else None}: {compact[:60]}...")
        flat = jws.sign_json(payload, [jws.Signer(key, key.alg)], flattened=True)
        jws.verify_json(flat, public, algorithms=[key.alg])
        print(f"flattened {key.alg:7} verified")
    general = jws.sign_json(payload, [jws.Signer(k, k.alg or "") for k in keys])
    res = jws.verify_json(general, public, algorithms=["PS256", "ES256", "Ed25519"])
    count = len(general["signatures"])
    kid = res.key.kid if res.key else None
    print(f"general JSON with {count} signatures verified by kid={kid}")
    print("JWKS:", public.to_json())


if __name__ == "__main__":
    main()
