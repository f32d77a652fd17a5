"""``--store`` / ``--kek`` and the rotation-policy options: how commands open a key store."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import click

from ..errors import JoseError
from ._failures import CliFailure, failure_from
from ._keysource import load_key
from ._times import parse_duration

__all__ = ["kek_option", "open_store", "policy_options", "store_option", "store_signing_key"]

# option -> (keyword of RotationPolicy, default for a store that has no saved policy yet)
_POLICY: dict[str, tuple[str, str]] = {
    "--alg": ("alg", "ES256"),
    "--rotate-every": ("rotate_every", "7d"),
    "--publish-ahead": ("publish_ahead", "2h"),
    "--retire-after": ("retire_after", "1d"),
}
_URI_SCHEMES = ("postgresql://", "postgres://")


def store_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--store DIR|postgresql://...`` (required)."""
    return click.option(
        "--store",
        "store_spec",
        required=True,
        metavar="DIR|postgresql://...",
        help="The key store: a private directory (mode 0700), or a PostgreSQL DSN (the key "
        "state is one row of josekit_key_state; needs josekit[postgres]).",
    )(func)


def kek_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--kek FILE|env:NAME``."""
    return click.option(
        "--kek",
        "kek_spec",
        metavar="FILE|env:NAME",
        help="Key-encryption key (a JWK: oct 256 bits, EC, X25519 or RSA) sealing the "
        "private keys at rest; needed for every command on an encrypted store.",
    )(func)


def policy_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--alg``, ``--rotate-every``, ``--publish-ahead``, ``--retire-after``."""
    helps = {
        "--retire-after": "How long a key stays published after it stopped signing (at least "
        "the longest token lifetime plus the verifiers' cache time).",
        "--publish-ahead": "How long a new key is published before it signs (at least the "
        "verifiers' cache time).",
        "--rotate-every": "How long a key signs.",
        "--alg": "Algorithm of new keys (RS*, PS*, ES*, EdDSA, Ed25519, Ed448, ML-DSA-*).",
    }
    for option, (name, default) in _POLICY.items():
        func = click.option(
            option,
            name,
            metavar="ALG" if name == "alg" else "DURATION",
            help=f"{helps[option]} Default: the saved policy, else {default}.",
        )(func)
    return func


def _is_uri(spec: str) -> bool:
    return spec.lower().startswith(_URI_SCHEMES)


def _policy(saved: Any, given: dict[str, str | None]) -> Any:
    from ..jwks import RotationPolicy

    if saved is not None and all(v is None for v in given.values()):
        return saved
    values: dict[str, Any] = {}
    for option, (name, default) in _POLICY.items():
        text = given.get(name)
        if text is None:
            values[name] = getattr(saved, name) if saved is not None else None
            text = None if saved is not None else default
        if text is not None:
            values[name] = (
                text if name == "alg" else timedelta(seconds=parse_duration(text, option))
            )
    return RotationPolicy(**values)


def open_store(
    store_spec: str,
    kek_spec: str | None,
    policy: dict[str, str | None] | None = None,
    *,
    must_exist: bool = True,
) -> Any:
    """The :class:`~josekit.jwks.KeyStore` named by ``--store``/``--kek`` (and the policy).

    Without policy options the saved policy is used; options given replace its fields.
    """
    from ..jwks import KeyStore

    if must_exist and not _is_uri(store_spec) and not os.path.isdir(store_spec):
        raise CliFailure(
            f"no key store at {store_spec}: create it with "
            f"'josekit jwks rotate --store {store_spec}'"
        )
    kek = None if kek_spec is None else load_key(kek_spec, "--kek")
    try:
        store = KeyStore(store_spec, kek=kek)
        if policy is None:
            return store
        return KeyStore(store.storage, _policy(store.saved_policy, policy), kek=kek)
    except ImportError:
        raise CliFailure(
            "a PostgreSQL key store needs psycopg: pip install 'josekit[postgres]'"
        ) from None
    except JoseError as exc:
        raise failure_from(exc, "cannot open the key store") from None


def store_signing_key(store_spec: str, kek_spec: str | None) -> Any:
    """The current signing key of the store (for ``jwt encode --store``)."""
    store = open_store(store_spec, kek_spec)
    try:
        return store.signing_key()
    except JoseError as exc:
        raise failure_from(exc, "cannot sign with the key store") from None
