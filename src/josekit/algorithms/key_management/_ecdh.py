"""Key agreement (RFC 7518 §4.6, RFC 8037 §3.2): ``ECDH-ES`` and ``ECDH-ES+A*KW``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

from ..._b64 import b64d, b64e_str
from ..._text import a_an
from ...errors import InvalidHeaderError, InvalidKeyError, MalformedError
from ...jwk import Key
from ...jwk._curves import EC_CURVES, OKP_CURVES
from ...policy import Limits
from .._external import external_exchange
from ..content import ContentEncryption
from ._aeskw import unwrap_cek
from ._base import KeyManagement, Wrapped, fail, header_bytes, key_label

__all__ = ["EcdhEs", "EcdhEsKeyWrap", "ecdh_shared_secret"]

_ECDH_EC_CURVES = frozenset({"P-256", "P-384", "P-521"})
_ECDH_OKP_CURVES = frozenset({"X25519", "X448"})


def _length_prefixed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _public_from_epk(epk: object, key: Key) -> Any:
    """Parse the ``epk`` header: a public JWK on the recipient's own curve."""
    if not isinstance(epk, dict):
        raise InvalidHeaderError("ECDH-ES needs an 'epk' header parameter: a public JWK")
    if epk.get("kty") != key.kty or epk.get("crv") != key.crv:
        raise InvalidHeaderError(
            f"the 'epk' must be {a_an(key.kty)} key on {key.crv}, the recipient key's curve"
        )
    if "d" in epk:
        raise InvalidHeaderError("the 'epk' must be a public key")
    x = epk.get("x")
    if not isinstance(x, str):
        raise InvalidHeaderError("the 'epk' has no 'x' string")
    try:
        xb = b64d(x, "epk 'x'")
        if key.kty == "EC":
            curve = EC_CURVES[key.crv or ""]
            y = epk.get("y")
            if not isinstance(y, str):
                raise InvalidHeaderError("the 'epk' has no 'y' string")
            yb = b64d(y, "epk 'y'")
            if len(xb) != curve.size or len(yb) != curve.size:
                raise InvalidHeaderError(f"the 'epk' coordinates must be {curve.size} bytes")
            # from_encoded_point checks that the point is on the curve (and so not the
            # point at infinity, which has no affine coordinates).
            return ec.EllipticCurvePublicKey.from_encoded_point(curve.curve(), b"\x04" + xb + yb)
        okp = OKP_CURVES[key.crv or ""]
        if len(xb) != okp.size:
            raise InvalidHeaderError(f"the 'epk' 'x' must be {okp.size} bytes")
        return okp.public_cls.from_public_bytes(xb)
    except MalformedError as exc:
        raise InvalidHeaderError(f"the 'epk' is malformed: {exc}") from None
    except ValueError:
        raise InvalidHeaderError(f"the 'epk' is not a valid point on {key.crv}") from None


def _exchange(private: Any, public: Any) -> bytes:
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return private.exchange(ec.ECDH(), public)
    return bytes(private.exchange(public))  # X25519/X448: ValueError on an all-zero result


def ecdh_shared_secret(key: Key, epk: Mapping[str, Any]) -> bytes:
    """The ECDH shared secret Z of a private ``key`` and a peer's public JWK ``epk``.

    The peer must be a valid public key on the same curve as ``key``. An all-zero X25519/X448
    result (a small-order peer) raises :class:`DecryptionError`.
    """
    if key.kty not in ("EC", "OKP") or not key.is_private:
        raise InvalidKeyError("ECDH needs a private EC or OKP key")
    peer = _public_from_epk(dict(epk), key)
    return _agree(key, "ECDH-ES", peer)


def _agree(key: Key, alg: str, peer: Any) -> bytes:
    """Z of ``key``'s private half and ``peer``: in its backend when it is held elsewhere."""
    if key.external is not None:
        return external_exchange(key, alg, peer)
    try:
        return _exchange(key.crypto_key, peer)
    except ValueError:
        raise fail() from None


def _epk_jwk(private: Any) -> dict[str, Any]:
    public = private.public_key()
    if isinstance(private, ec.EllipticCurvePrivateKey):
        curve = next(c for c in EC_CURVES.values() if isinstance(private.curve, c.curve))
        numbers = public.public_numbers()
        return {
            "kty": "EC",
            "crv": curve.name,
            "x": b64e_str(numbers.x.to_bytes(curve.size, "big")),
            "y": b64e_str(numbers.y.to_bytes(curve.size, "big")),
        }
    okp = next(c for c in OKP_CURVES.values() if isinstance(private, c.private_cls))
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": okp.name, "x": b64e_str(raw)}


@dataclass(frozen=True, slots=True)
class EcdhEs(KeyManagement):
    name: str
    description: str
    wrap_size: int | None  # None: the derived key is the CEK

    family: ClassVar[str] = "key agreement"
    key_types: ClassVar[frozenset[str]] = frozenset({"EC", "OKP"})
    direct: ClassVar[bool] = True
    encrypt_op: ClassVar[str] = "deriveKey"
    decrypt_op: ClassVar[str] = "deriveKey"

    def check_header_key(self, key: Key, header: Mapping[str, Any]) -> None:
        """A key on another curve than the ``epk``'s does not fit (it is not an error)."""
        epk = header.get("epk")
        if isinstance(epk, dict) and (epk.get("kty") != key.kty or epk.get("crv") != key.crv):
            raise InvalidKeyError(
                f"the 'epk' is on {epk.get('crv')!r:.20}, not on the key's curve {key.crv}"
            )

    def _check_material(self, key: Key, enc: ContentEncryption) -> None:
        curves = _ECDH_EC_CURVES if key.kty == "EC" else _ECDH_OKP_CURVES
        if key.crv not in curves:
            raise InvalidKeyError(
                f"alg {self.name} needs a key on {', '.join(sorted(_ECDH_EC_CURVES))}, "
                f"X25519 or X448, not {key.crv}"
            )

    def _derive(self, z: bytes, enc: ContentEncryption, header: Mapping[str, Any]) -> bytes:
        apu = header_bytes(header, "apu", required=False)
        apv = header_bytes(header, "apv", required=False)
        if self.wrap_size is None:
            algorithm_id, size = enc.name, enc.key_size
        else:
            algorithm_id, size = self.name, self.wrap_size
        other_info = (
            _length_prefixed(algorithm_id.encode("ascii"))
            + _length_prefixed(apu)
            + _length_prefixed(apv)
            + (size * 8).to_bytes(4, "big")
        )
        return ConcatKDFHash(hashes.SHA256(), size, other_info).derive(z)

    def wrap(
        self,
        key: Key,
        enc: ContentEncryption,
        cek: bytes | None,
        params: Mapping[str, Any],
        limits: Limits,
        pinned: Mapping[str, Any],
    ) -> Wrapped:
        recipient = key.public_crypto_key
        ephemeral = pinned.get("epk")
        if isinstance(ephemeral, Key):
            ephemeral = ephemeral.crypto_key
        if ephemeral is None:
            if key.kty == "EC":
                ephemeral = ec.generate_private_key(EC_CURVES[key.crv or ""].curve())
            else:
                ephemeral = OKP_CURVES[key.crv or ""].private_cls.generate()
        try:
            z = _exchange(ephemeral, recipient)
        except ValueError:
            raise InvalidKeyError(
                f"recipient key {key_label(key)} is not usable for ECDH"
            ) from None
        header = {"epk": _epk_jwk(ephemeral)}
        derived = self._derive(z, enc, params)
        if self.wrap_size is None:
            return derived, b"", header
        assert cek is not None
        return cek, aes_key_wrap(derived, cek), header

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        header: Mapping[str, Any],
        enc: ContentEncryption,
        limits: Limits,
    ) -> bytes:
        peer = _public_from_epk(header.get("epk"), key)
        z = _agree(key, self.name, peer)
        derived = self._derive(z, enc, header)
        if self.wrap_size is None:
            if encrypted_key:
                raise fail()
            return derived
        return unwrap_cek(derived, encrypted_key, enc)


@dataclass(frozen=True, slots=True)
class EcdhEsKeyWrap(EcdhEs):
    """ECDH-ES+A*KW: the same agreement, the derived key wraps a random CEK."""

    family: ClassVar[str] = "key agreement with key wrapping"
    direct: ClassVar[bool] = False
