"""A private key on a PKCS#11 token: the :class:`~josekit.jwk.ExternalPrivateKey` backend."""

from __future__ import annotations

import os
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from ..errors import KeyBackendError, UnsupportedAlgorithmError
from ._mechanisms import DECRYPTION, SIGNING
from ._session import MissingObject, TokenSessions, import_pkcs11

__all__ = ["Pkcs11PrivateKey", "find_one"]

_KEY_TYPE = {"RSA": "RSA", "EC": "EC", "OKP": "EC_EDWARDS"}


def find_one(session: Any, object_class: str, cka_id: bytes, kty: str | None = None) -> Any:
    """The one object of ``object_class`` (and key type) with ``CKA_ID``; 0 or >1 refused."""
    p11 = import_pkcs11()
    template = {
        p11.Attribute.CLASS: getattr(p11.ObjectClass, object_class),
        p11.Attribute.ID: cka_id,
    }
    if kty is not None:
        template[p11.Attribute.KEY_TYPE] = getattr(p11.KeyType, _KEY_TYPE[kty])
    found = list(session.get_objects(template))
    if len(found) != 1:
        raise (MissingObject if not found else KeyBackendError)(
            f"{len(found)} {object_class.lower().replace('_', ' ')} objects have CKA_ID "
            f"{cka_id.hex()} on the token: exactly one is needed (duplicates are never guessed)"
        )
    return found[0]


class Pkcs11PrivateKey:
    """The private half of a key pair on a PKCS#11 token, found by ``CKA_ID`` and class.

    Signs with the mechanism table of :mod:`josekit.pkcs11._mechanisms`, decrypts RSA
    content keys and computes ECDH shared secrets (``CKM_ECDH1_DERIVE``). Its ``repr`` names
    the token and the key label, never the PIN.
    """

    __slots__ = ("_checked", "_id", "_kty", "_label", "_public", "_sessions", "_size")

    def __init__(
        self, sessions: TokenSessions, cka_id: bytes, label: str, kty: str, public: Any, size: int
    ) -> None:
        self._sessions = sessions
        self._id = cka_id
        self._label = label
        self._kty = kty
        self._public = public
        self._size = size  # EC: the coordinate size in bytes
        self._checked: dict[str, bool] = {}

    @property
    def sessions(self) -> TokenSessions:
        """The shared sessions of the token holding this key."""
        return self._sessions

    @property
    def cka_id(self) -> bytes:
        """The key's ``CKA_ID`` on the token."""
        return self._id

    @property
    def label(self) -> str:
        """The key's ``CKA_LABEL``."""
        return self._label

    def __repr__(self) -> str:
        return f"Pkcs11PrivateKey(token={self._sessions.label!r}, label={self._label!r})"

    def _mechanism(self, name: str) -> Any:
        p11 = import_pkcs11()
        mechanism = getattr(p11.Mechanism, name)
        supported = self._checked.get(name)
        if supported is None:
            mechanisms = self._sessions.run(lambda s: s.token.slot.get_mechanisms())
            supported = self._checked[name] = mechanism in mechanisms
        if not supported:
            raise UnsupportedAlgorithmError(
                f"token {self._sessions.label!r} does not offer CKM_{name}: use another algorithm"
            )
        return mechanism

    def _private(self, session: Any) -> Any:
        return find_one(session, "PRIVATE_KEY", self._id, self._kty)

    def sign(self, alg: str, data: bytes) -> bytes:
        """The JOSE signature of ``data`` for ``alg`` (``R || S`` for ECDSA)."""
        row = SIGNING.get(alg)
        if row is None or row.kty != self._kty:
            raise UnsupportedAlgorithmError(f"a PKCS#11 {self._kty} key cannot sign {alg}")
        mechanism = self._mechanism(row.mechanism)
        p11 = import_pkcs11()
        params = row.params(p11) if row.params is not None else None
        message = data
        if row.prehash is not None:
            digest = hashes.Hash(row.prehash())
            digest.update(data)
            message = digest.finalize()

        def op(session: Any) -> bytes:
            key = self._private(session)
            return bytes(key.sign(message, mechanism=mechanism, mechanism_param=params))

        signature = self._sessions.run(op)
        if row.prehash is not None and len(signature) != 2 * self._size:
            raise KeyBackendError(
                f"{self!r} returned a {len(signature)}-byte ECDSA signature, "
                f"not {2 * self._size} bytes (raw R || S)"
            )
        return signature

    def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
        """The content key RSA ``alg`` encrypted (``RSA-OAEP``, ``RSA-OAEP-256``...)."""
        row = DECRYPTION.get(alg)
        if row is None or self._kty != "RSA":
            raise UnsupportedAlgorithmError(f"a PKCS#11 {self._kty} key cannot decrypt {alg}")
        mechanism = self._mechanism(row.mechanism)
        params = row.params(import_pkcs11()) if row.params is not None else None
        if row.params is not None:
            self._self_test(alg, row.description, mechanism, params)
        return self._decrypt(encrypted_key, mechanism, params)

    def _decrypt(self, data: bytes, mechanism: Any, params: Any) -> bytes:
        def op(session: Any) -> bytes:
            key = self._private(session)
            return bytes(key.decrypt(data, mechanism=mechanism, mechanism_param=params))

        return self._sessions.run(op)

    def _self_test(self, alg: str, description: str, mechanism: Any, params: Any) -> None:
        # Tokens may ignore or refuse OAEP parameters (SoftHSM 2.6 does SHA-1 only): once per
        # alg, a value encrypted here with pyca must come back; otherwise "not supported".
        if self._checked.get(alg):
            return
        bits = int(alg.rsplit("-", 1)[1]) if alg != "RSA-OAEP" else 1
        algo = hashes.SHA1() if bits == 1 else getattr(hashes, f"SHA{bits}")()  # noqa: S303
        probe = os.urandom(16)
        sealed = self._public.encrypt(probe, padding.OAEP(padding.MGF1(algo), algo, None))
        try:
            ok = self._decrypt(sealed, mechanism, params) == probe
        except KeyBackendError:
            raise
        except Exception:
            ok = False
        if not ok:
            raise UnsupportedAlgorithmError(
                f"token {self._sessions.label!r} does not support {description} "
                f"({alg}); it is never run with other parameters"
            )
        self._checked[alg] = True

    def exchange(self, alg: str, peer: Any) -> bytes:
        """The ECDH shared secret Z with ``peer`` (``CKM_ECDH1_DERIVE``, no KDF)."""
        if self._kty != "EC" or not isinstance(peer, ec.EllipticCurvePublicKey):
            raise UnsupportedAlgorithmError(f"a PKCS#11 {self._kty} key cannot do {alg} here")
        mechanism = self._mechanism("ECDH1_DERIVE")
        p11 = import_pkcs11()
        point = peer.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        template = {
            p11.Attribute.TOKEN: False,
            p11.Attribute.SENSITIVE: False,
            p11.Attribute.EXTRACTABLE: True,
        }

        def op(session: Any) -> bytes:
            key = self._private(session)
            secret = key.derive_key(
                p11.KeyType.GENERIC_SECRET,
                self._size * 8,
                mechanism=mechanism,
                mechanism_param=(p11.KDF.NULL, None, point),
                template=template,
            )
            try:
                return bytes(secret[p11.Attribute.VALUE])
            finally:
                secret.destroy()

        return self._sessions.run(op)
