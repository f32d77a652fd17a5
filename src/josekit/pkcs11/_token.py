"""``Pkcs11Token``: the key pairs of one PKCS#11 token as josekit keys."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidKeyError, KeyBackendError, UnsupportedAlgorithmError
from ..jwk import Key, external_key
from ..jwk._curves import EC_CURVES
from ._key import Pkcs11PrivateKey, find_one
from ._labels import kid_labelled
from ._pairs import make_pair, pair_spec, public_crypto
from ._session import MissingObject, Secret, TokenSessions, import_pkcs11, open_sessions

__all__ = ["Pkcs11Token"]

# alg -> (kty, crv, size) of the keys a KeyStore makes on the token
_STORE_KEYS: dict[str, tuple[str, str | None, int | None]] = {
    **{f"ES{b}": ("EC", f"P-{b if b != 512 else 521}", None) for b in (256, 384, 512)},
    **{f"{p}{b}": ("RSA", None, 2048) for p in ("RS", "PS") for b in (256, 384, 512)},
    "EdDSA": ("OKP", "Ed25519", None),
    "Ed25519": ("OKP", "Ed25519", None),
}


class Pkcs11Token:
    """One token of a PKCS#11 module (an HSM, SoftHSM2): its key pairs as josekit keys.

    ``module`` is the path of the PKCS#11 library, ``token_label`` the token's label. The
    user PIN comes from ``pin`` or from the environment variable ``pin_env`` (never put it on
    a command line); it is used to log in and never appears in a message or ``repr``.

    Calls into the module are serialised by one lock per module, and each operation has a
    session of its own from a pool; the user logs in once, and the login stays while any
    ``Pkcs11Token`` on the token is open (closing one never logs out another). After
    ``fork()`` the child re-initialises the module on first use. Use it as a context manager
    or call :meth:`close`.
    """

    def __init__(
        self,
        module: str,
        *,
        token_label: str,
        pin: str | None = None,
        pin_env: str | None = None,
    ) -> None:
        if pin is not None and pin_env is not None:
            raise InvalidKeyError("give the PIN as pin or as pin_env, not both")
        if pin_env is not None:
            pin = os.environ.get(pin_env)
            if pin is None:
                raise InvalidKeyError(f"the PIN variable {pin_env!r} is not set")
        self._module = module
        self._label = token_label
        self._sessions: TokenSessions | None = open_sessions(
            module, token_label, Secret(pin) if pin is not None else None
        )

    @property
    def label(self) -> str:
        """The token label."""
        return self._label

    def __repr__(self) -> str:
        state = "" if self._sessions is not None else ", closed"
        return f"Pkcs11Token({self._module!r}, token_label={self._label!r}{state})"

    def __enter__(self) -> Pkcs11Token:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Give this token's sessions back; the last user of the token logs out."""
        sessions, self._sessions = self._sessions, None
        if sessions is not None:
            sessions.release()

    def _open(self) -> TokenSessions:
        if self._sessions is None:
            raise KeyBackendError(f"{self!r} is closed")
        return self._sessions

    def key(
        self, label: str | None = None, *, id: bytes | None = None, kid: str | None = None
    ) -> Key:
        """The key pair labelled ``label`` and/or with ``CKA_ID`` ``id`` on the token.

        The private key must be unique (by label, then by ``CKA_ID`` + class + key type),
        ``CKA_SENSITIVE`` and not ``CKA_EXTRACTABLE``, and have a public key object with the
        same ``CKA_ID``. ``kid`` is the key id of the returned key (default: the RFC 7638
        thumbprint of its public half).

        Raises:
            KeyBackendError: no such key, more than one, or no public key object.
            InvalidKeyError: the private key is extractable or not sensitive.
        """
        return self._find(label, id, kid, None, None)

    def _find(
        self, label: str | None, id: bytes | None, kid: str | None, alg: str | None, use: str | None
    ) -> Key:
        if label is None and id is None:
            raise InvalidKeyError("name the token key by label and/or id")
        p11 = import_pkcs11()
        attr = p11.Attribute

        def find(session: Any) -> tuple[bytes, str, Any, dict[Any, Any]]:
            template: dict[Any, Any] = {attr.CLASS: p11.ObjectClass.PRIVATE_KEY}
            if label is not None:
                template[attr.LABEL] = label
            if id is not None:
                template[attr.ID] = id
            found = list(session.get_objects(template))
            if len(found) != 1:
                raise (MissingObject if not found else KeyBackendError)(
                    f"{len(found)} private keys on token {self._label!r} match "
                    f"label={label!r} id={id.hex() if id else None}: exactly one is needed"
                )
            cka_id = bytes(found[0][attr.ID])
            public = find_one(session, "PUBLIC_KEY", cka_id)
            kty, crypto = public_crypto(public)
            private = find_one(session, "PRIVATE_KEY", cka_id, kty)
            flags = private.get_attributes([attr.SENSITIVE, attr.EXTRACTABLE, attr.LABEL])
            return cka_id, kty, crypto, flags

        cka_id, kty, crypto, flags = self._open().run(find)
        if not flags[attr.SENSITIVE] or flags[attr.EXTRACTABLE]:
            raise InvalidKeyError(
                f"token key {flags[attr.LABEL]!r} is extractable or not sensitive: josekit only "
                "uses private keys that cannot leave the token"
            )
        return self._wrap(cka_id, str(flags[attr.LABEL]), kty, crypto, kid, use, alg)

    def _wrap(
        self,
        cka_id: bytes,
        label: str,
        kty: str,
        crypto: Any,
        kid: str | None,
        use: str | None,
        alg: str | None = None,
    ) -> Key:
        public = Key.import_key(crypto, use=use, alg=alg)
        size = EC_CURVES[public.crv or ""].size if kty == "EC" else 0
        backend = Pkcs11PrivateKey(self._open(), cka_id, label, kty, crypto, size)
        return external_key(public, backend, kid=kid if kid is not None else public.thumbprint())

    def generate(
        self,
        kty: str,
        *,
        crv: str | None = None,
        size: int | None = None,
        label: str,
        kid: str | None = None,
        use: str = "sig",
    ) -> Key:
        """A new key pair on the token whose private key never leaves it.

        ``kty`` is ``RSA`` (``size`` bits, default 2048), ``EC`` (``crv`` P-256, P-384 or
        P-521) or ``OKP`` (``crv`` Ed25519, where the token has ``CKM_EDDSA``). ``use``
        (``sig`` or ``enc``) gives the private key one capability: SIGN, or DECRYPT (RSA) /
        DERIVE (EC). The private key is TOKEN, PRIVATE, SENSITIVE, not EXTRACTABLE, not
        MODIFIABLE, never WRAP/UNWRAP; ``ALWAYS_SENSITIVE`` and ``NEVER_EXTRACTABLE`` are read
        back and a key without them is destroyed and refused. ``kid`` defaults to the RFC 7638
        thumbprint.

        Raises:
            InvalidKeyError: an unknown key type, curve, size or use.
            UnsupportedAlgorithmError: the token cannot generate such a key.
        """
        attr = import_pkcs11().Attribute
        spec = pair_spec(kty, crv, size, use)
        cka_id = os.urandom(16)
        for tpl in (spec.private, spec.public):
            tpl[attr.ID], tpl[attr.LABEL] = cka_id, label

        def make(session: Any) -> tuple[str, Any]:
            public, _ = make_pair(session, spec, self._label)
            return public_crypto(public)

        found_kty, crypto = self._open().run(make)
        return self._wrap(cka_id, label, found_kty, crypto, kid, use)

    def destroy(self, key: Key) -> None:
        """Destroy the key pair of ``key`` (a key of this token) on the token.

        Raises:
            InvalidKeyError: ``key`` is not held by this token.
        """
        backend = key.external
        if not isinstance(backend, Pkcs11PrivateKey) or backend.sessions is not self._sessions:
            raise InvalidKeyError(f"key {key.kid!r} is not held by {self!r}")
        cka_id = backend.cka_id

        def remove(session: Any) -> None:
            find_one(session, "PRIVATE_KEY", cka_id).destroy()
            find_one(session, "PUBLIC_KEY", cka_id).destroy()

        self._open().run(remove)

    # -- the key source of a KeyStore (KeyStore(storage, policy, keys=token)) ------------

    def new_signing_key(self, alg: str) -> Key:
        """A new signing key pair for ``alg`` on the token: ``kid`` = thumbprint, ``use: sig``.

        Both objects are labelled ``josekit-<kid>`` (what ``pkcs11-tool --list-objects``
        shows is the ``kid`` of the published JWK Set) and their ``CKA_ID`` is the 32-byte
        thumbprint (the kid, base64url-decoded), so :meth:`key` finds the pair by either. The
        private key is as :meth:`generate` makes it: not MODIFIABLE, SIGN only. The pair is
        generated as session objects and copied to the token under that label; a token that
        refuses the copy, or copies with other attributes than asked, gets the pair generated
        directly instead, labelled ``josekit-<alg>-<random hex>`` with a random ``CKA_ID``
        (a warning is logged on ``josekit.pkcs11``). No stray object is left either way.
        """
        spec = _STORE_KEYS.get(alg)
        if spec is None:
            raise UnsupportedAlgorithmError(f"a PKCS#11 key store cannot make {alg} keys")
        kty, crv, size = spec
        pair = pair_spec(kty, crv, size, "sig")
        made = self._open().run(lambda session: kid_labelled(session, pair, self._label, alg))
        return self._wrap(made.cka_id, made.label, made.kty, made.crypto, None, "sig", alg)

    def reference(self, key: Key) -> dict[str, Any]:
        """What a key store saves to find ``key`` again: the token label and ``CKA_ID``."""
        backend = key.external
        if not isinstance(backend, Pkcs11PrivateKey) or backend.sessions is not self._sessions:
            raise InvalidKeyError(f"key {key.kid!r} is not held by {self!r}")
        return {"type": "pkcs11", "token": self._label, "id": backend.cka_id.hex()}

    def open_key(self, reference: Mapping[str, Any], public: Mapping[str, Any]) -> Key:
        """The key a key store saved as ``reference`` with the public JWK ``public``.

        The token key's public half must be the saved one (same RFC 7638 thumbprint).
        """
        if reference.get("type") != "pkcs11" or reference.get("token") != self._label:
            raise InvalidKeyError(f"the saved key is not on token {self._label!r}: {reference!r}")
        try:
            cka_id = bytes.fromhex(str(reference.get("id")))
        except ValueError:
            raise InvalidKeyError("the saved key's CKA_ID is not hex") from None
        saved = Key.import_key(dict(public))
        key = self._find(None, cka_id, saved.kid, saved.alg, saved.use)
        if key.thumbprint() != saved.thumbprint():
            raise InvalidKeyError(
                f"the token key with CKA_ID {cka_id.hex()} is not the saved key {saved.kid!r}"
            )
        return key

    def has(self, key: Key) -> bool:
        """True while the private key of ``key`` (a key of this token) is on the token."""
        backend = key.external
        if not isinstance(backend, Pkcs11PrivateKey):
            return False
        p11 = import_pkcs11()
        template = {
            p11.Attribute.CLASS: p11.ObjectClass.PRIVATE_KEY,
            p11.Attribute.ID: backend.cka_id,
        }
        return bool(self._open().run(lambda session: list(session.get_objects(template))))
