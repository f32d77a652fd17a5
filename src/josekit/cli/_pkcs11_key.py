"""``--key pkcs11:...``: a key pair on a PKCS#11 token (RFC 7512 URI), PIN from pin-source.

``pkcs11:token=LABEL;object=KEYLABEL;id=%01%02?module-path=/usr/lib/...&pin-source=env:PIN``.
``module-path`` defaults to ``$JOSEKIT_PKCS11_MODULE``; the PIN is read from ``pin-source``
(``env:NAME`` or a file path) or ``$JOSEKIT_PKCS11_PIN``, never from the command line: a
``pin-value`` attribute is refused.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import unquote_to_bytes

from ..errors import JoseError
from ..jwk import Key
from ._failures import EXIT_INPUT, CliFailure, failure_from
from ._inputs import read_source

__all__ = ["is_pkcs11", "pkcs11_key"]

_OPEN: list[Any] = []  # tokens stay open for the command's lifetime


def is_pkcs11(spec: str) -> bool:
    """True for a ``pkcs11:`` key URI."""
    return spec.startswith("pkcs11:")


def _attributes(spec: str) -> tuple[dict[str, bytes], dict[str, str]]:
    path, _, query = spec[len("pkcs11:") :].partition("?")
    attrs: dict[str, bytes] = {}
    for part in filter(None, path.split(";")):
        name, sep, value = part.partition("=")
        if not sep:
            raise CliFailure(f"--key pkcs11: {name!r} has no value (write name=value)")
        attrs[name] = unquote_to_bytes(value)
    options: dict[str, str] = {}
    for part in filter(None, query.split("&")):
        name, _, value = part.partition("=")
        options[name] = unquote_to_bytes(value).decode("utf-8", "replace")
    return attrs, options


def pkcs11_key(spec: str, what: str = "--key") -> Key:
    """The token key a ``pkcs11:`` URI names (by ``object`` label and/or ``id``)."""
    attrs, options = _attributes(spec)
    if "pin-value" in options or "pin-value" in attrs:
        raise CliFailure(
            f"{what}: a PIN on the command line is refused; use pin-source=env:NAME or a file "
            "(or set JOSEKIT_PKCS11_PIN)"
        )
    module = options.get("module-path") or os.environ.get("JOSEKIT_PKCS11_MODULE")
    token_label = attrs.get("token")
    if module is None or token_label is None:
        raise CliFailure(
            f"{what}: a pkcs11: URI needs token=LABEL and ?module-path=/path/to/module.so "
            "(or JOSEKIT_PKCS11_MODULE)"
        )
    source = options.get("pin-source")
    if source is not None:
        data, _ = read_source(source.removeprefix("file:"), f"{what} pin-source", 1024)
        pin: str | None = data.decode("utf-8").rstrip("\r\n")
    else:
        pin = os.environ.get("JOSEKIT_PKCS11_PIN")
    label = attrs.get("object")
    try:
        from ..pkcs11 import Pkcs11Token

        token = Pkcs11Token(module, token_label=token_label.decode("utf-8"), pin=pin)
        _OPEN.append(token)
        return token.key(label.decode("utf-8") if label is not None else None, id=attrs.get("id"))
    except ImportError as exc:
        raise CliFailure(str(exc), EXIT_INPUT) from None
    except JoseError as exc:
        raise failure_from(exc, f"cannot use the token key of {what}") from None
