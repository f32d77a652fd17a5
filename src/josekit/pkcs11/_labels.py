"""The key pairs a key store makes in a token, labelled and identified from their kid.

The kid (the RFC 7638 thumbprint of the public key) is known only once the pair exists, and
a token changes no attribute of a non-modifiable object, not even in a copy (SoftHSM2 2.6
answers ``C_CopyObject`` with ``CKR_ATTRIBUTE_READ_ONLY``). Making the pair modifiable on
the token and setting its label afterwards would leave a key whose capabilities anyone
logged in could widen later (``CKA_DERIVE``, ``CKA_DECRYPT``). So:

1. the pair is generated as *session objects* (``CKA_TOKEN`` false, modifiable) in a session
   of its own: they exist only in the module's memory, for this one call under the module
   lock, and go when that session closes, even if the process dies;
2. each is copied (``C_CopyObject``) to a token object with ``CKA_LABEL`` ``josekit-<kid>``,
   ``CKA_ID`` the 32 thumbprint bytes (the kid, base64url-decoded) and ``CKA_MODIFIABLE``
   false, the last attribute of the template (SoftHSM2 applies a template in order and
   refuses whatever follows ``CKA_MODIFIABLE`` false);
3. each copy's flags are read back: the private key must be TOKEN, PRIVATE, SENSITIVE,
   ALWAYS_SENSITIVE, NEVER_EXTRACTABLE, not EXTRACTABLE, not MODIFIABLE, SIGN and no other
   capability, with the label and id asked for; the public key TOKEN, not MODIFIABLE, VERIFY
   only;
4. the session objects are destroyed and their session closed.

A token that refuses the copy (any PKCS#11 error of ``C_CopyObject`` but a lost login), or
whose copy is weaker than asked, gets what was copied destroyed and the pair generated
directly on the token, as :meth:`~josekit.pkcs11.Pkcs11Token.generate` does: labelled
``josekit-<alg>-<random hex>`` with a random 16-byte ``CKA_ID`` (a warning is logged). Any
other failure destroys what was made and propagates; no key object is left behind.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from typing import Any

from .._b64 import b64d
from ..errors import KeyBackendError
from ..jwk import Key
from ._pairs import PairSpec, make_pair, public_crypto
from ._session import import_pkcs11

__all__ = ["Made", "kid_labelled"]

_log = logging.getLogger("josekit.pkcs11")


@dataclass(frozen=True)
class Made:
    """A pair now on the token: its ``CKA_ID``, ``CKA_LABEL``, ``kty`` and public key."""

    cka_id: bytes
    label: str
    kty: str
    crypto: Any


def _copy(original: Any, template: dict[Any, Any]) -> Any:
    """``C_CopyObject`` (one place, so that a test can make a token refuse it)."""
    return original.copy(template)


def kid_labelled(session: Any, spec: PairSpec, token_label: str, alg: str) -> Made:
    """Make ``spec`` on the token labelled ``josekit-<kid>`` (see the module docstring).

    ``session`` is the pooled session of the operation; the pair is staged in another one.

    Raises:
        UnsupportedAlgorithmError: the token lacks the key generation mechanism.
        KeyBackendError: the token made a weak key, or a copy could not be destroyed.
    """
    attr = import_pkcs11().Attribute
    temporary = {attr.TOKEN: False, attr.MODIFIABLE: True, attr.LABEL: "josekit-staged"}
    staged = _with(spec, temporary, b"josekit-staged")
    with session.token.open(rw=True) as staging:
        public, private = make_pair(staging, staged, token_label)
        try:
            kty, crypto = public_crypto(public)
            kid = Key.import_key(crypto).thumbprint()
            label, cka_id = f"josekit-{kid}", b64d(kid, "kid")
            refused = _copy_pair(spec, (private, public), label, cka_id, token_label)
        finally:
            for obj in (private, public):
                _destroy_staged(obj)
    if refused is None:
        return Made(cka_id, label, kty, crypto)
    label, cka_id = f"josekit-{alg}-{os.urandom(6).hex()}", os.urandom(16)
    _log.warning(
        "token %r: %s; the new %s key is generated on the token and labelled %r instead of "
        "josekit-<kid>",
        token_label,
        refused,
        alg,
        label,
    )
    public, _ = make_pair(session, _with(spec, {attr.LABEL: label}, cka_id), token_label)
    return Made(cka_id, label, *public_crypto(public))


def _with(spec: PairSpec, changes: dict[Any, Any], cka_id: bytes) -> PairSpec:
    """``spec`` with ``changes`` and ``CKA_ID`` in both templates (fresh dicts)."""
    extra = {**changes, import_pkcs11().Attribute.ID: cka_id}
    return replace(spec, private={**spec.private, **extra}, public={**spec.public, **extra})


def _copy_pair(
    spec: PairSpec, pair: tuple[Any, Any], label: str, cka_id: bytes, token_label: str
) -> str | None:
    """Copy the staged ``(private, public)`` to the token: None, or why the token's copies
    are not used (and were destroyed)."""
    p11 = import_pkcs11()
    attr = p11.Attribute
    # CKA_MODIFIABLE false last: SoftHSM2 refuses any attribute that comes after it.
    template = {attr.TOKEN: True, attr.LABEL: label, attr.ID: cka_id, attr.MODIFIABLE: False}
    private_flags = {attr.ALWAYS_SENSITIVE: True, attr.NEVER_EXTRACTABLE: True}
    copies: list[Any] = []
    try:
        for original, asked in zip(pair, (spec.private, spec.public), strict=True):
            copies.append(_copy(original, template))
            wanted = {k: v for k, v in asked.items() if isinstance(v, bool)}
            if asked is spec.private:
                wanted.update(private_flags)
            wanted.update(template)
            got = copies[-1].get_attributes(list(wanted))
            wrong = sorted(k.name for k, v in wanted.items() if got.get(k) != v)
            if wrong:
                _discard(copies, label, token_label)
                return f"its copy of a new key has other {', '.join(wrong)} than asked"
    except p11.UserNotLoggedIn:
        _discard(copies, label, token_label)
        raise  # the operation is retried after logging in again
    except p11.PKCS11Error as exc:
        _discard(copies, label, token_label)
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return f"it refused to copy a new key ({detail})"
    except BaseException:
        _discard(copies, label, token_label)
        raise
    return None


def _discard(copies: list[Any], label: str, token_label: str) -> None:
    """Destroy the token objects copied so far; one that will not go is reported."""
    p11 = import_pkcs11()
    left = 0
    for copy in copies:
        try:
            copy.destroy()
        except p11.PKCS11Error:
            left += 1
    if left:
        raise KeyBackendError(
            f"token {token_label!r}: {left} object(s) labelled {label!r} could not be "
            "destroyed after a failed key generation: delete them on the token"
        )


def _destroy_staged(obj: Any) -> None:
    """Destroy a session object now (closing its session would destroy it anyway)."""
    try:
        obj.destroy()
    except import_pkcs11().PKCS11Error:
        pass
