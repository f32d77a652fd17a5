"""``josekit jwks``: fetch a remote JWK Set, rotate a key store, serve its public keys."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from typing import Any

import click

from ..errors import JoseError
from ..jwk import Key, KeySet
from ._access_log import AccessLog
from ._common import (
    CliFailure,
    current_time,
    dump_json,
    emit_json,
    failure_from,
    format_duration,
    json_mode,
    json_option,
    now_option,
    parse_duration,
)
from ._inputs import write_public_file
from ._keystore import kek_option, open_store, policy_options, store_option
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
  josekit jwks status --store postgresql://issuer@db/issuer --kek env:ISSUER_KEK
  josekit jwks serve --store /var/lib/issuer/keys --port 8080
""",
)
def jwks_group() -> None:
    """JWK Sets: fetch one; rotate, inspect and serve a key store."""


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


def _date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "-"


def _when(moment: datetime | None, now: float) -> str:
    if moment is None:
        return "-"
    delta = moment.timestamp() - now
    return f"{_date(moment)} ({'in ' + format_duration(delta) if delta > 0 else 'now'})"


def _rows(store: Any, now: float) -> list[dict[str, Any]]:
    return [
        {
            "kid": e.kid,
            "alg": e.alg,
            "status": e.status,
            "created": _date(e.created),
            "activated": _date(e.activated),
            "deactivated": _date(e.deactivated),
            "next_step": e.next_step,
            "due": _date(e.due) if e.due else None,
            "due_text": _when(e.due, now),
        }
        for e in store.entries()
    ]


def _show_keys(ctx: click.Context, rows: list[dict[str, Any]]) -> None:
    printer(ctx).table(
        ["kid", "alg", "status", "created", "activated", "deactivated", "next step", "due"],
        [
            [
                r["kid"],
                r["alg"],
                r["status"],
                r["created"],
                r["activated"],
                r["deactivated"],
                r["next_step"] or "-",
                r["due_text"],
            ]
            for r in rows
        ],
    )


def _policy_values(**values: str | None) -> dict[str, str | None]:
    return values


@jwks_group.command(
    "rotate",
    epilog="""\b
Examples:
  josekit jwks rotate --store ./keys                      # first run: creates the first key
  josekit jwks rotate --store /var/lib/issuer/keys --alg ES256 --rotate-every 7d \\
      --publish-ahead 2h --retire-after 1d                  # from cron, every hour
  josekit jwks rotate --store postgresql://issuer@db/issuer --kek env:ISSUER_KEK
  josekit jwks rotate --store ./keys --rotate-now           # emergency: a new key signs now
  josekit jwks rotate --store ./keys --revoke KID           # unpublish KID at once
  josekit jwks rotate --store ./keys --rotate-every 14d --change-policy

Keys go next -> current -> retired -> removed; key ids are RFC 7638 thumbprints. The policy
is saved in the store: later runs need no policy options, and different ones are refused
without --change-policy. Run it at least every publish-ahead/2; it says when the next step
is due.
""",
)
@store_option
@kek_option
@policy_options
@click.option(
    "--change-policy",
    is_flag=True,
    help="Adopt policy options that differ from the saved policy (keys already published "
    "keep their retire times).",
)
@click.option(
    "--rotate-now",
    is_flag=True,
    help="Emergency rotation: the next key (or a new one) signs from now; the current key "
    "is retired as usual.",
)
@click.option(
    "--revoke",
    "revoke_kid",
    metavar="KID",
    help="Remove KID from the published set at once; it never signs again (a signing key "
    "is replaced at once).",
)
@now_option
@json_option
def rotate_command(
    store_spec: str,
    kek_spec: str | None,
    alg: str | None,
    rotate_every: str | None,
    publish_ahead: str | None,
    retire_after: str | None,
    change_policy: bool,
    rotate_now: bool,
    revoke_kid: str | None,
    now: str | None,
) -> None:
    """Advance the key schedule of the store: create, activate, retire and remove keys."""
    ctx = click.get_current_context()
    if rotate_now and revoke_kid is not None:
        raise CliFailure("give --rotate-now or --revoke, not both")
    policy = _policy_values(
        alg=alg, rotate_every=rotate_every, publish_ahead=publish_ahead, retire_after=retire_after
    )
    store = open_store(store_spec, kek_spec, policy, must_exist=False)
    moment = current_time(now)
    try:
        if revoke_kid is not None:
            result = store.revoke(revoke_kid, now=moment)
        elif rotate_now:
            result = store.rotate_now(now=moment, policy_change=change_policy)
        else:
            result = store.rotate(now=moment, policy_change=change_policy)
        rows = _rows(store, moment)
    except JoseError as exc:
        raise failure_from(exc, "cannot rotate") from None
    if json_mode(ctx):
        emit_json(
            {
                "changed": result.changed,
                "created": result.created,
                "activated": result.activated,
                "retired": result.retired,
                "removed": list(result.removed),
                "revoked": result.revoked,
                "current": result.current,
                "next_due": _date(result.next_due) if result.next_due else None,
                "keys": rows,
            }
        )
        return
    out = printer(ctx)
    changes = [
        f"{what} {kid}"
        for what, kid in (
            ("revoked", result.revoked),
            ("created", result.created),
            ("activated", result.activated),
            ("retired", result.retired),
        )
        if kid
    ] + [f"removed {kid}" for kid in result.removed if kid != result.revoked]
    out.line("; ".join(changes) if changes else "nothing to do: the schedule is up to date")
    out.line(f"next step due: {_when(result.next_due, moment)}")
    _show_keys(ctx, rows)


@jwks_group.command(
    "status",
    epilog="""\b
Examples:
  josekit jwks status --store ./keys
  josekit jwks status --store postgresql://issuer@db/issuer --kek env:ISSUER_KEK --json

Shows the saved policy and every key: its state, times, and the next step due.
""",
)
@store_option
@kek_option
@now_option
@json_option
def status_command(store_spec: str, kek_spec: str | None, now: str | None) -> None:
    """Show the keys of the store, their states and times, and what is due next."""
    ctx = click.get_current_context()
    store = open_store(store_spec, kek_spec)
    moment = current_time(now)
    try:
        policy = store.saved_policy
        rows = _rows(store, moment)
        due = store.next_due() if policy is not None else None
    except JoseError as exc:
        raise failure_from(exc, "cannot read the key store") from None
    if json_mode(ctx):
        emit_json(
            {
                "store": repr(store.storage),
                "encrypted": store.encrypted,
                "policy": None if policy is None else policy.to_document(),
                "next_due": _date(due) if due else None,
                "keys": rows,
            }
        )
        return
    out = printer(ctx)
    if not rows:
        out.line(f"the store has no keys yet: run 'josekit jwks rotate --store {store_spec}'")
        return
    out.line(f"policy: {policy.describe() if policy is not None else '-'}")
    out.line(f"private keys: {'sealed under the KEK' if store.encrypted else 'not encrypted'}")
    out.line(f"next step due: {_when(due, moment)}")
    _show_keys(ctx, rows)


@jwks_group.command(
    "serve",
    epilog="""\b
Examples:
  josekit jwks serve --store ./keys                         # http://127.0.0.1:8000
  josekit jwks serve --store postgresql://issuer@db/issuer --kek env:ISSUER_KEK \\
      --host 0.0.0.0 --port 8080 --issuer https://issuer.example

Serves GET /.well-known/jwks.json (public keys only, with Cache-Control and ETag) and,
with --issuer, /.well-known/openid-configuration, and rotates the store on schedule
(every replica may: one of them makes each change) unless --no-rotate. Changes made by
other processes are served at once. One log line per request on stderr. Put it behind HTTPS.
""",
)
@store_option
@kek_option
@policy_options
@click.option("--rotate/--no-rotate", default=True, show_default=True, help="Rotate on schedule.")
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
    store_spec: str,
    kek_spec: str | None,
    alg: str | None,
    rotate_every: str | None,
    publish_ahead: str | None,
    retire_after: str | None,
    rotate: bool,
    host: str,
    port: int,
    issuer: str | None,
    max_age: int | None,
) -> None:
    """Serve the public keys of the store as a JWK Set over HTTP (until interrupted)."""
    ctx = click.get_current_context()
    policy = _policy_values(
        alg=alg, rotate_every=rotate_every, publish_ahead=publish_ahead, retire_after=retire_after
    )
    store = open_store(store_spec, kek_spec, policy)
    try:
        from ..jwks import create_app

        app = AccessLog(create_app(store, issuer=issuer, max_age=max_age, rotate=rotate))
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
        if count == 0 and not rotate:
            info.line(
                f"the store has no keys yet: run 'josekit jwks rotate --store {store_spec}'",
                "warn",
            )
        info.line(
            f"serving {count} public key(s) at {url}" + ("; rotating on schedule" if rotate else "")
        )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("josekit.jwks")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
