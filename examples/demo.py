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
    encryption_demo()
    nested_jwt_demo()
    post_quantum_demo()


def encryption_demo() -> None:
    """Encrypt and decrypt in every JWE serialization: compact, flattened, general."""
    from josekit import jwe

    ec = jwk.generate("EC", crv="P-256", kid="ec-enc", use="enc")
    x25519 = jwk.generate("OKP", crv="X25519", kid="x-enc", use="enc")
    private = KeySet([ec, x25519])
    message = b'{"secret":"attack at dawn"}'
    compact = jwe.encrypt(message, ec.public(), "ECDH-ES+A256KW", "A256GCM")
    res = jwe.decrypt(compact, private, algorithms=["ECDH-ES+A256KW"])
    assert res.plaintext == message
    print(f"JWE compact   ECDH-ES+A256KW/A256GCM kid={res.key.kid}: {compact[:48]}...")
    flat = jwe.encrypt_json(
        message, [jwe.Recipient(x25519.public(), "ECDH-ES")], "A128GCM", flattened=True
    )
    res = jwe.decrypt_json(flat, private, algorithms=["ECDH-ES"])
    assert res.plaintext == message
    print(f"JWE flattened ECDH-ES (X25519)/A128GCM kid={res.key.kid} decrypted")
    general = jwe.encrypt_json(
        message,
        [
            jwe.Recipient(ec.public(), "ECDH-ES+A128KW"),
            jwe.Recipient(x25519.public(), "ECDH-ES+A128KW"),
        ],
        "A256CBC-HS512",
        aad=b"context",
        zip="DEF",
    )
    for key in (ec, x25519):
        res = jwe.decrypt_json(general, key, algorithms=["ECDH-ES+A128KW"])
        assert res.plaintext == message
    count = len(general["recipients"])
    print(f"JWE general JSON with {count} recipients decrypted by each recipient")


def nested_jwt_demo() -> None:
    """Issue a nested JWT (signed by the issuer, then encrypted to the API) and validate it."""
    import time

    from josekit import jwt

    issuer_key = jwk.generate("EC", crv="P-256", kid="issuer-1", alg="ES256", use="sig")
    api_key = jwk.generate("EC", crv="P-256", kid="api-enc-1", use="enc")
    now = int(time.time())
    token = jwt.encode_nested(
        {
            "iss": "https://issuer.example",
            "sub": "user-42",
            "aud": "https://api.example",
            "iat": now,
            "exp": now + 300,
            "scope": "read",
        },
        issuer_key,
        "ES256",
        api_key.public(),
        "ECDH-ES+A256KW",
        "A256GCM",
    )
    result = jwt.decode_nested(
        token,
        api_key,
        KeySet([issuer_key.public()]),
        algorithms=["ECDH-ES+A256KW"],
        encryptions=["A256GCM"],
        signing_algorithms=["ES256"],
        issuer="https://issuer.example",
        audience="https://api.example",
        required=["exp", "iat"],
        max_age=600,
        leeway=30,
    )
    assert result.claims["sub"] == "user-42"
    signer = result.key.kid if result.key else None
    print(
        f"nested JWT (ES256 inside ECDH-ES+A256KW/A256GCM, cty={result.encryption_header['cty']})"
        f" signed by kid={signer}: sub={result.claims['sub']} scope={result.claims['scope']}"
    )


def post_quantum_demo() -> None:
    """Sign a JWT with ML-DSA-65 (RFC 9964, an AKP key) and verify it through a JWKS."""
    import time

    from josekit import jwt

    key = jwk.generate("AKP", alg="ML-DSA-65", kid="pq-1", use="sig")
    now = int(time.time())
    token = jwt.encode({"sub": "user-42", "iat": now, "exp": now + 300}, key, "ML-DSA-65")
    published = KeySet.import_key_set(KeySet([key.public()]).to_json())
    result = jwt.decode(token, published, algorithms=["ML-DSA-65"], required=["exp"])
    assert result.claims["sub"] == "user-42"
    print(
        f"post-quantum JWT (ML-DSA-65, AKP key thumbprint {key.thumbprint()[:12]}...):"
        f" {len(token)} characters, verified: sub={result.claims['sub']}"
    )


if __name__ == "__main__":
    main()
