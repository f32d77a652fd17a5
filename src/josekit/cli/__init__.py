"""The ``josekit`` command-line tool (install with ``pip install 'josekit[cli]'``).

Run ``josekit --help`` for the commands: ``key`` (generate, convert, thumbprint), ``jws``
(sign, verify), ``jwe`` (encrypt, decrypt), ``jwt`` (encode, decode), ``jwks`` (fetch,
rotate, serve) and ``inspect``. Every command takes ``--json`` for scripting. Exit status:
0 success, 1 the token was rejected, 2 usage or input error, 3 a remote resource could not
be fetched.

This package is not imported by ``import josekit``; it needs the ``cli`` extra (click, rich).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import Any

from cryptography.utils import CryptographyDeprecationWarning

__all__ = ["cli", "main"]

_MISSING = "josekit: error: the command-line tool needs the 'cli' extra: pip install 'josekit[cli]'"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``josekit`` command with ``argv`` (default: ``sys.argv[1:]``) and exit."""
    # cryptography's deprecation warnings (a DSA key, say) would print a source line before
    # the command's own one-line error about the same input.
    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
    try:
        from ._app import cli as group
    except ModuleNotFoundError as exc:
        if exc.name in ("click", "rich"):
            print(_MISSING, file=sys.stderr)
            raise SystemExit(2) from None
        raise
    group.main(args=list(argv) if argv is not None else None, prog_name="josekit")


def __getattr__(name: str) -> Any:
    if name == "cli":
        from ._app import cli as group

        return group
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
