"""``--key`` / ``--jwks`` / ``--password``: where verifying and decrypting commands get keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import click

from .._json import loads_object
from ..errors import JoseError
from ..jwk import Key, KeySet
from ._failures import EXIT_INPUT, CliFailure, failure_from
from ._inputs import read_source
from ._pkcs11_key import is_pkcs11, pkcs11_key
from ._secrets import has_secret, secret_key, secret_options
from ._urls import allow_http_option, remote_key_set

__all__ = [
    "key_source_options",
    "load_key",
    "load_key_set_file",
    "load_key_source",
    "remote_key_set",
    "resolve_key_source",
]


def _password(spec: str | None) -> bytes | None:
    if spec is None:
        return None
    data, _ = read_source(spec, "--password", 64 * 1024)
    return data.rstrip(b"\r\n")


def _is_key_set(data: bytes) -> bool:
    text = data.lstrip()
    if not text.startswith(b"{"):
        return False
    try:
        obj = loads_object(data, "JWK")
    except JoseError:
        return False
    return "keys" in obj and "kty" not in obj


def load_key(
    spec: str, what: str = "--key", password: str | None = None, *, allow_set: bool = False
) -> Key:
    """Load one key (JWK, PEM or DER) from a file, ``env:NAME`` or ``-``.

    Errors name the source and the problem, never the key material.
    """
    if is_pkcs11(spec):  # a key pair on a PKCS#11 token
        return pkcs11_key(spec, what)
    data, label = read_source(spec, what)
    if _is_key_set(data):
        try:
            keys = KeySet.import_key_set(data)
        except JoseError as exc:
            raise failure_from(exc, f"cannot load the JWK Set from {label}") from None
        if len(keys) == 1 and allow_set:
            return keys.keys[0]
        raise CliFailure(f"{what} {label} holds a JWK Set of {len(keys)} keys: give a single JWK")
    return _import_key(data, label, password)


def _import_key(data: bytes, label: str, password: str | None) -> Key:
    try:
        return Key.import_key(data, password=_password(password))
    except JoseError as exc:
        raise CliFailure(
            f"cannot load the key from {label}: {exc}", EXIT_INPUT, type(exc).__name__
        ) from None


def _import_key_set(data: bytes, label: str) -> KeySet:
    try:
        return KeySet.import_key_set(data)
    except JoseError as exc:
        raise CliFailure(
            f"cannot load the JWK Set from {label}: {exc}", EXIT_INPUT, type(exc).__name__
        ) from None


def load_key_set_file(spec: str, what: str = "--jwks") -> KeySet:
    """Load a JWK Set from a file, ``env:NAME`` or ``-``."""
    data, label = read_source(spec, what)
    return _import_key_set(data, label)


def load_key_source(
    key: str | None,
    jwks: str | None,
    password: str | None = None,
    remote: Callable[[str], Any] | None = None,
) -> Any:
    """The key, or the key set, a verifying or decrypting command uses.

    ``--key`` may name a single key or a JWK Set; ``--jwks`` a JWK Set file or (when
    ``remote`` is given) an ``http(s)://`` URL.
    """
    if (key is None) == (jwks is None):
        raise CliFailure("give exactly one of --key or --jwks")
    if key is not None:
        if is_pkcs11(key):
            return pkcs11_key(key)
        data, label = read_source(key, "--key")
        if _is_key_set(data):
            return _import_key_set(data, label)
        return _import_key(data, label, password)
    assert jwks is not None
    if jwks.startswith(("http://", "https://")):
        if remote is None:
            raise CliFailure("--jwks takes a file here, not a URL")
        return remote(jwks)
    return load_key_set_file(jwks)


def key_source_options(func: Any) -> Any:
    """Add ``--key``, ``--jwks``, ``--secret``, ``--password`` and ``--allow-http``."""
    func = allow_http_option(func)
    func = secret_options(func)
    func = click.option(
        "--password",
        metavar="env:NAME|FILE",
        help="Password of an encrypted PEM/DER key given with --key.",
    )(func)
    func = click.option(
        "--jwks",
        "jwks_spec",
        metavar="FILE|URL|env:NAME",
        help="A JWK Set: a file, an https:// URL, or env:NAME; the token's kid picks the key.",
    )(func)
    return click.option(
        "--key",
        "key_spec",
        metavar="FILE|env:NAME|-",
        help="A key (JWK, PEM or DER) or a JWK Set, from a file, env:NAME or - (stdin).",
    )(func)


def resolve_key_source(
    key_spec: str | None,
    jwks_spec: str | None,
    password: str | None,
    algorithms: Sequence[str] = (),
) -> Any:
    """The :class:`~josekit.Key` or key set given by ``--key``, ``--jwks`` or ``--secret``.

    ``algorithms`` are the ones the command accepts: a single HMAC one sets the length a
    ``--secret`` must reach.
    """
    given = [key_spec is not None, jwks_spec is not None, has_secret()]
    if sum(given) != 1:
        raise CliFailure("give exactly one of --key, --jwks or --secret")
    if has_secret():
        return secret_key(algorithms)
    return load_key_source(key_spec, jwks_spec, password, remote=remote_key_set)
