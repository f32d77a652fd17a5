"""``josekit jwks``: fetch a remote JWK Set, rotate a key store, serve its public keys."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

import click

from ..errors import JoseError
from ..jwk import Key, KeySet
from ._common import (
    CliFailure,
    current_time,
    dump_json,
    emit_json,
    failure_from,
    json_mode,
    json_option,
    now_option,
    parse_duration,
)
from ._inputs import write_public_file
from ._render import printer
from ._urls import allow_http_option, allows_http, check_url, remote_key_set

__all__ = ["jwks_group"]


def _key_row(key: Key) -> dict[str, Any]:
    return {
        "kid": key.kid,
        "kty": key.kty,
        "crv": key.crv,
        "size": key.size,
        "alg": key.alg,
        "use": key.use,
        "thumbprint": key.thumbprint(),
    }


def _size_text(row: dict[str, Any]) -> str:
    return str(row["crv"]) if row["crv"] else f"{row['size']} bits"


def _show_key_set(ctx: click.Context, keys: KeySet, source: str) -> None:
    rows = [_key_row(key) for key in keys]
    if json_mode(ctx):
        emit_json({"source": source, "keys": rows, "jwks": keys.to_dict()})
        return
    out = printer(ctx)
    if not rows:
        out.line(f"{source}: the JWK Set is empty", "warn")
        return
    out.table(
        ["kid", "kty", "crv/size", "alg", "use", "thumbprint (SHA-256)"],
        [
            [
                r["kid"] or "-",
                r["kty"],
                _size_text(r),
                r["alg"] or "-",
                r["use"] or "-",
                r["thumbprint"],
            ]
            for r in rows
        ],
        title=f"{len(rows)} key{'s' if len(rows) != 1 else ''} from {source}",
    )


@click.group(
    "jwks",
    epilog="""\b
Examples:
  josekit jwks fetch --issuer https://accounts.example.com
  josekit jwks rotate --store /var/lib/issuer/keys --alg ES256 --rotate-every 7d
  josekit jwks serve --store /var/lib/issuer/keys --port 8080
""",
)
def jwks_group() -> None:
    """JWK Sets: fetch one, rotate a key store, serve its public keys."""


@jwks_group.command(
    "fetch",
    epilog="""\b
Examples:
  josekit jwks fetch https://www.googleapis.com/oauth2/v3/certs
  josekit jwks fetch --issuer https://accounts.example.com
  josekit jwks fetch https://issuer.example/jwks.json -o jwks.json    # from cron
  josekit jwks fetch https://issuer.example/jwks.json --json | jq '.jwks'

Only HTTPS (plain HTTP to loopback addresses, or with --allow-http), no redirects,
bounded time and size. With -o the file is replaced in one step (mode 0644).
""",
)
@click.argument("url", required=False)
@click.option("--issuer", help="Find the JWK Set through the issuer's discovery metadata.")
@click.option(
    "--timeout",
    default="10",
    show_default=True,
    metavar="DURATION",
    help="Deadline for the whole fetch.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False),
    help="Write the JWK Set (JSON, mode 0644) to this file instead of listing its keys.",
)
@allow_http_option
@json_option
def fetch_command(url: str | None, issuer: str | None, timeout: str, out: str | None) -> None:
    """Fetch the JWK Set at URL (or of --issuer) and list its keys (or write it to --out)."""
    ctx = click.get_current_context()
    if (url is None) == (issuer is None):
        raise CliFailure("give a JWK Set URL or --issuer, not both")
    seconds = parse_duration(timeout, "--timeout")
    if url is not None:
        remote = remote_key_set(url, timeout=seconds)
    else:
        check_url(issuer or "", "issuer")
        from ..jwks import RemoteKeySet

        try:
            remote = RemoteKeySet.from_issuer(
                issuer or "", timeout=seconds, allow_http=allows_http()
            )
        except JoseError as exc:
            raise failure_from(exc, "cannot fetch the discovery metadata") from None
    try:
        with remote:
            keys = remote.refresh()
    except JoseError as exc:
        raise failure_from(exc, "cannot fetch the JWK Set") from None
    if out is not None:
        write_public_file(out, dump_json(keys.to_dict()) + "\n")
        if json_mode(ctx):
            emit_json({"source": remote.url, "file": out, "keys": [_key_row(k) for k in keys]})
        else:
            printer(ctx, err=True).line(f"wrote {len(keys)} key(s) from {remote.url} to {out}")
        return
    _show_key_set(ctx, keys, remote.url)


def _policy_options(func: Any) -> Any:
    options = [
        click.option(
            "--retire-after",
            default="1d",
            show_default=True,
            metavar="DURATION",
            help="How long a key stays published after it stopped signing (at least the "
            "longest token lifetime plus the verifiers' cache time).",
        ),
        click.option(
            "--publish-ahead",
            default="2h",
            show_default=True,
            metavar="DURATION",
            help="How long a new key is published before it signs (at least the verifiers' "
            "cache time).",
        ),
        click.option(
            "--rotate-every",
            default="7d",
            show_default=True,
            metavar="DURATION",
            help="How long a key signs.",
        ),
        click.option(
            "--alg",
            default="ES256",
            show_default=True,
            help="Algorithm of new keys (RS*, PS*, ES*, EdDSA, Ed25519, Ed448, ML-DSA-*).",
        ),
        click.option(
            "--store",
            "store_dir",
            required=True,
            type=click.Path(file_okay=False),
            help="The key store directory (private: mode 0700).",
        ),
    ]
    for option in options:
        func = option(func)
    return func


def _store(
    store_dir: str, alg: str, rotate_every: str, publish_ahead: str, retire_after: str
) -> Any:
    from ..jwks import KeyStore, RotationPolicy

    def span(value: str, option: str) -> timedelta:
        return timedelta(seconds=parse_duration(value, option))

    try:
        policy = RotationPolicy(
            alg=alg,
            rotate_every=span(rotate_every, "--rotate-every"),
            publish_ahead=span(publish_ahead, "--publish-ahead"),
            retire_after=span(retire_after, "--retire-after"),
        )
        return KeyStore(store_dir, policy)
    except JoseError as exc:
        raise failure_from(exc) from None


def _date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "-"


@jwks_group.command(
    "rotate",
    epilog="""\b
Examples:
  josekit jwks rotate --store ./keys                      # first run: creates the first key
  josekit jwks rotate --store /var/lib/issuer/keys --alg ES256 --rotate-every 7d \\
      --publish-ahead 2h --retire-after 1d                  # from cron, every hour

Keys go next -> current -> retired -> removed; key ids are RFC 7638 thumbprints.
Run it regularly (at least every publish-ahead/2) with the same options.
""",
)
@_policy_options
@now_option
@json_option
def rotate_command(
    store_dir: str,
    alg: str,
    rotate_every: str,
    publish_ahead: str,
    retire_after: str,
    now: str | None,
) -> None:
    """Advance the key schedule of the store: create, activate, retire and remove keys."""
    ctx = click.get_current_context()
    store = _store(store_dir, alg, rotate_every, publish_ahead, retire_after)
    try:
        result = store.rotate(now=current_time(now))
        entries = store.entries()
    except JoseError as exc:
        raise failure_from(exc, "cannot rotate") from None
    rows = [
        {
            "kid": e.kid,
            "alg": e.alg,
            "status": e.status,
            "created": _date(e.created),
            "activated": _date(e.activated),
            "deactivated": _date(e.deactivated),
        }
        for e in entries
    ]
    if json_mode(ctx):
        emit_json(
            {
                "changed": result.changed,
                "created": result.created,
                "activated": result.activated,
                "retired": result.retired,
                "removed": list(result.removed),
                "current": result.current,
                "keys": rows,
            }
        )
        return
    out = printer(ctx)
    changes = [
        f"{what} {kid}"
        for what, kid in (
            ("created", result.created),
            ("activated", result.activated),
            ("retired", result.retired),
        )
        if kid
    ] + [f"removed {kid}" for kid in result.removed]
    out.line("; ".join(changes) if changes else "nothing to do: the schedule is up to date")
    out.table(
        ["kid", "alg", "status", "created", "activated", "deactivated"],
        [
            [r["kid"], r["alg"], r["status"], r["created"], r["activated"], r["deactivated"]]
            for r in rows
        ],
    )


@jwks_group.command(
    "serve",
    epilog="""\b
Examples:
  josekit jwks serve --store ./keys                         # http://127.0.0.1:8000
  josekit jwks serve --store /var/lib/issuer/keys --host 0.0.0.0 --port 8080 \\
      --issuer https://issuer.example

Serves GET /.well-known/jwks.json (public keys only, with Cache-Control and ETag) and,
with --issuer, /.well-known/openid-configuration. Rotations made by 'josekit jwks rotate'
in another process are served at once. Put it behind HTTPS.
""",
)
@_policy_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--issuer", help="Also serve discovery metadata for this issuer.")
@click.option(
    "--max-age",
    type=click.IntRange(min=0),
    help="Seconds verifiers may cache the set. Default: half of --publish-ahead, at most 1 h.",
)
@json_option
def serve_command(
    store_dir: str,
    alg: str,
    rotate_every: str,
    publish_ahead: str,
    retire_after: str,
    host: str,
    port: int,
    issuer: str | None,
    max_age: int | None,
) -> None:
    """Serve the public keys of the store as a JWK Set over HTTP (until interrupted)."""
    ctx = click.get_current_context()
    if not os.path.isdir(store_dir):
        raise CliFailure(
            f"no key store at {store_dir}: create it with 'josekit jwks rotate --store {store_dir}'"
        )
    store = _store(store_dir, alg, rotate_every, publish_ahead, retire_after)
    try:
        from ..jwks import create_app

        app = create_app(store, issuer=issuer, max_age=max_age)
        count = len(store.public_key_set())
    except ImportError:
        raise CliFailure(
            "serving needs Starlette and uvicorn: pip install 'josekit[server]'"
        ) from None
    except JoseError as exc:
        raise failure_from(exc, "cannot serve") from None
    try:
        import uvicorn
    except ImportError:
        raise CliFailure(
            "serving needs Starlette and uvicorn: pip install 'josekit[server]'"
        ) from None
    url = f"http://{host}:{port}/.well-known/jwks.json"
    if json_mode(ctx):  # one line a supervisor can parse, before the server starts
        click.echo(dump_json({"serving": url, "keys": count, "issuer": issuer}, indent=None))
    else:
        info = printer(ctx, err=True)
        if count == 0:
            info.line(
                f"the store has no keys yet: run 'josekit jwks rotate --store {store_dir}'",
                "warn",
            )
        info.line(f"serving {count} public key(s) at {url}")
    uvicorn.run(app, host=host, port=port, log_level="warning")
