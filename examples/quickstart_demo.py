"""The common case first: an HS256 token made with a shared secret, and an RS256 token from an
identity provider, verified through the provider's JWK Set.

The provider is a small HTTP server on 127.0.0.1 that this script starts and stops; the
verifier knows only its URL. The clock is simulated: every call gets ``now=`` from the
script's own timeline, so the output is the same on every run except for keys and tokens.

Run it with ``python examples/quickstart_demo.py`` (``make demo`` runs it first; it needs
``josekit[remote]``).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from josekit import Key, KeySet, errors, jwk, jwt
from josekit.jwks import RemoteKeySet

START = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc).timestamp()
"""Where the simulated timeline starts (the demo never reads the real clock)."""
OTHERS = sorted(
    p.name for p in Path(__file__).parent.glob("*.py") if p.name != "quickstart_demo.py"
)
"""The other demos ``make demo`` runs, each in its own file."""


class _JWKSHandler(BaseHTTPRequestHandler):
    body: ClassVar[bytes] = b""

    def do_GET(self) -> None:
        if self.path != "/.well-known/jwks.json":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/jwk-set+json")
        self.send_header("Cache-Control", "max-age=300")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def provider(keys: KeySet) -> Iterator[str]:
    """Serve ``keys`` (public halves only) on a free loopback port; yield the JWK Set URL."""
    handler = type("Handler", (_JWKSHandler,), {"body": keys.to_json().encode()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def at(seconds: float) -> str:
    """A moment of the simulated timeline, for printing."""
    moment = datetime.fromtimestamp(START + seconds, tz=timezone.utc)
    return moment.strftime("%H:%M:%S")


def shared_secret() -> None:
    """HS256: both sides hold the same secret (a str is used as its UTF-8 bytes)."""
    secret = "a shared secret of at least 32 bytes, from your vault"
    key = Key.from_secret(secret, alg="HS256")
    token = jwt.encode({"sub": "alice", "iat": int(START), "exp": int(START) + 900}, key, "HS256")
    print(f"1. HS256 with a shared secret, issued at {at(0)}, valid 15 minutes")
    print(f"   token  {token[:48]}...")
    claims = jwt.decode(token, key, algorithms=["HS256"], now=START + 60).claims
    print(f"   {at(60)}  verified: sub={claims['sub']}")
    try:
        jwt.decode(token, key, algorithms=["HS256"], now=START + 1800)
    except errors.ExpiredTokenError as exc:
        print(f"   {at(1800)}  refused: {exc}")
    try:
        Key.from_secret("changeme")
    except errors.InvalidKeyError as exc:
        print(f"   a short secret is refused: {str(exc).split(':')[0]}")


def identity_provider() -> None:
    """RS256: the provider signs with its private key and publishes the public one."""
    signing = jwk.generate(alg="RS256", kid="provider-2026-12")
    with provider(KeySet([signing.public()])) as url:
        print(f"2. RS256 from an identity provider publishing its JWK Set at {url}")
        token = jwt.encode(
            {
                "iss": "https://provider.example",
                "aud": "my-api",
                "sub": "bob",
                "iat": int(START),
                "exp": int(START) + 300,
            },
            signing,
            "RS256",
        )
        with RemoteKeySet(url) as keys:  # fetched on first use, then cached (max-age)
            result = jwt.decode(
                token,
                keys,
                algorithms=["RS256"],
                issuer="https://provider.example",
                audience="my-api",
                now=START + 10,
            )
            print(
                f"   {at(10)}  verified through the JWK Set: sub={result.claims['sub']}, "
                f"key kid {result.key.kid}"
            )
            forged = jwt.encode({"sub": "mallory"}, jwk.generate(alg="RS256"), "RS256")
            try:
                jwt.decode(forged, keys, algorithms=["RS256"], now=START + 20)
            except errors.JoseError as exc:
                print(f"   {at(20)}  a token signed by another key is refused: {exc}")
        print(
            f"   the same from the shell: josekit jwt decode TOKEN --jwks {url} --alg RS256 "
            "--iss https://provider.example --aud my-api"
        )


def main() -> None:
    """Run the demo."""
    print("josekit demo. The timeline below is simulated time (a fixed clock passed as now=);")
    print("its code is in examples/quickstart_demo.py.")
    print()
    shared_secret()
    print()
    identity_provider()
    print()
    print("The rest of `make demo` runs " + ", ".join(f"examples/{d}" for d in OTHERS) + ".")


def next_steps() -> None:
    """What to run after the demo: the CLI and the Python of the demo's virtualenv."""
    print()
    print("Next: everything is installed in .venv (no need to activate it):")
    print("  .venv/bin/josekit --help            the command line (josekit key, jws, jwt, ...)")
    print("  .venv/bin/python                    then: from josekit import Key, jwt")
    print("  .venv/bin/python examples/demo.py   any demo again; its code is in examples/")
    print("Or `source .venv/bin/activate` to run `josekit` and `python` by name.")


if __name__ == "__main__":
    if sys.argv[1:] == ["--next-steps"]:  # `make demo` ends with this
        next_steps()
    else:
        main()
