"""The README quick start, as written: `make typecheck` runs mypy --strict on it."""

from josekit import jwk, jwt

key = jwk.generate("EC", crv="P-256", kid="2026-11")
token = jwt.encode({"iss": "https://issuer.example", "sub": "alice"}, key, "ES256")

result = jwt.decode(token, key.public(), algorithms=["ES256"], issuer="https://issuer.example")
assert result.claims["sub"] == "alice"
assert result.key.kid == "2026-11"
