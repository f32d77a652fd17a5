"""``josekit inspect``: decode a JWS, JWE or JWT without verifying it, and say what is risky.

The report is built in :mod:`._inspect_report` (with the warnings of
:mod:`._inspect_warnings`) and shown by :mod:`._inspect_render`.
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import JoseError
from ._common import (
    CliFailure,
    current_time,
    emit_json,
    failure_from,
    json_mode,
    json_option,
    now_option,
    read_token,
    split_names,
)
from ._inspect_render import NOT_VERIFIED, NOT_VERIFIED_DECRYPTED, render_report
from ._inspect_report import Decryptor, inspect_token
from ._jwe_cmds import decrypt_token, header_algorithms
from ._keysource import key_source_options, resolve_key_source
from ._render import printer
from ._secrets import has_secret

__all__ = ["Decryptor", "inspect_command", "inspect_token"]


def _decryptor(source: Any, requested: tuple[str, ...], used: list[str]) -> Decryptor:
    def open_jwe(token: str) -> tuple[bytes, dict[str, Any]]:
        used.append(token)
        algs = header_algorithms(token, requested)
        try:
            result = decrypt_token(token, source, algs, None)
        except JoseError as exc:
            raise failure_from(exc, "cannot decrypt the JWE", verifying=True) from None
        return result.plaintext, result.header

    return open_jwe


@click.command(
    "inspect",
    epilog="""\b
Examples:
  josekit inspect eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln...
  josekit inspect @token.txt --json
  pbpaste | josekit inspect -
  josekit inspect @nested.jwe --key bob.jwk     # decrypt, then show the inner token
""",
)
@click.argument("token_arg", metavar="TOKEN")
@key_source_options
@click.option(
    "--alg",
    "algs",
    multiple=True,
    metavar="ALG",
    help="With --key: the JWE key management algorithms to accept (default: the one the "
    "token names).",
)
@now_option
@json_option
def inspect_command(
    token_arg: str,
    key_spec: str | None,
    jwks_spec: str | None,
    password: str | None,
    algs: tuple[str, ...],
    now: str | None,
) -> None:
    """Decode TOKEN (text, @FILE or -) WITHOUT verifying it, and warn about risky content.

    Shows the header, the claims (with times as dates and as "expires in 4 min"), and
    warnings: alg none, keys or key URLs in the header (jwk, jku, x5u, x5c), RSA1_5, a
    missing exp, a very long lifetime. JWS, JWE, JSON serializations and nested tokens are
    recognised. An encrypted token (JWE) is opened only with --key (or --jwks); no
    signature is ever checked.
    """
    ctx = click.get_current_context()
    token = read_token(token_arg, "TOKEN")
    moment = current_time(now)
    decrypt = None
    opened: list[str] = []
    if key_spec is not None or jwks_spec is not None or has_secret():
        source = resolve_key_source(key_spec, jwks_spec, password, split_names(algs))
        decrypt = _decryptor(source, algs, opened)
    try:
        report = inspect_token(token, moment, decrypt=decrypt)
    except JoseError as exc:
        raise CliFailure(f"cannot read the token: {exc}", 2, type(exc).__name__) from None
    if decrypt is not None and not opened:
        report["warnings"] = [
            "--key only opens a JWE, and there is none here: no signature was checked",
            *report["warnings"],
        ]
    if json_mode(ctx):
        decrypted = bool(report.get("decrypted"))
        emit_json(
            {
                "verified": False,
                "notice": NOT_VERIFIED_DECRYPTED if decrypted else NOT_VERIFIED,
                **report,
            }
        )
        return
    render_report(printer(ctx), report, top=True)
