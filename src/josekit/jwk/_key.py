"""The immutable :class:`Key`: one JWK, validated once at import, used many times."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn, Union

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import (
    dsa,
    ec,
    ed448,
    ed25519,
    rsa,
    x448,
    x25519,
)

from .._b64 import b64d, b64e_str
from .._json import dumps, loads_object
from ..errors import InvalidKeyError, MalformedError, UnsupportedAlgorithmError
from ._akp import AKP_ALGORITHMS, akp_from_crypto, akp_from_jwk, akp_types
from ._curves import EC_CURVE_BY_OID_NAME, EC_CURVES, OKP_CURVES, EcCurve
from ._roca import has_roca_fingerprint

__all__ = ["KEY_OPS", "Key", "KeyData"]

PrivateKeyTypes = Union[
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
    x25519.X25519PrivateKey,
    x448.X448PrivateKey,
]
PublicKeyTypes = Union[
    rsa.RSAPublicKey,
    ec.EllipticCurvePublicKey,
    ed25519.Ed25519PublicKey,
    ed448.Ed448PublicKey,
    x25519.X25519PublicKey,
    x448.X448PublicKey,
]
KeyData = Union["Key", Mapping[str, Any], str, bytes, PrivateKeyTypes, PublicKeyTypes]
"""Anything :meth:`Key.import_key` accepts."""

KEY_OPS = frozenset(
    {"sign", "verify", "encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits"}
)
_SIG_OPS = frozenset({"sign", "verify"})
_ENC_OPS = KEY_OPS - _SIG_OPS
_OPS_FOR_USE = {"sig": _SIG_OPS, "enc": _ENC_OPS}
_USES = frozenset({"sig", "enc"})
_REQUIRED = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
    "oct": ("k", "kty"),
    "AKP": ("alg", "kty", "pub"),
}
_PRIVATE = {
    "RSA": ("d", "p", "q", "dp", "dq", "qi"),
    "EC": ("d",),
    "OKP": ("d",),
    "oct": ("k",),
    "AKP": ("priv",),
}
_THUMBPRINT_HASHES = {"SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
_THUMBPRINT_URI_NAMES = {"SHA-256": "sha-256", "SHA-384": "sha-384", "SHA-512": "sha-512"}
# RSA moduli josekit accepts at import. Below 2048 bits the algorithms refuse the key for use;
# above 16384 bits (OpenSSL's OPENSSL_RSA_MAX_MODULUS_BITS) a key only costs time.
_RSA_MIN_IMPORT_BITS = 512
_RSA_MAX_BITS = 16384


def _fail(msg: str) -> NoReturn:
    raise InvalidKeyError(msg)


def _int_to_b64(value: int, length: int | None = None) -> str:
    if length is None:
        length = max(1, (value.bit_length() + 7) // 8)
    return b64e_str(value.to_bytes(length, "big"))


def _b64_to_int(jwk: Mapping[str, Any], name: str) -> int:
    raw = _member_bytes(jwk, name)
    if not raw:
        _fail(f"JWK member {name!r} is empty")
    return int.from_bytes(raw, "big")


def _member_bytes(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        _fail(f"JWK member {name!r} must be a base64url string")
    return _text_b64(value, name)


class Key:
    """One JSON Web Key (RFC 7517), validated at import and immutable afterwards.

    Build one with :meth:`Key.import_key` or :func:`josekit.jwk.generate`. Its members are
    read-only attributes (``kty``, ``crv``, ``kid``, ``alg``, ``use``, ``key_ops``); private
    material never appears in ``repr``.
    """

    __slots__ = (
        "_crypto",
        "_derived",
        "_extra",
        "_private_members",
        "_public_crypto",
        "_public_members",
        "_thumbprints",
        "alg",
        "crv",
        "key_ops",
        "kid",
        "kty",
        "use",
    )

    _crypto: Any
    _public_crypto: Any
    _public_members: dict[str, str]
    _private_members: dict[str, str] | None
    _extra: dict[str, Any]
    _thumbprints: dict[str, str]
    _derived: dict[str, Any]
    kty: str
    crv: str | None
    kid: str | None
    alg: str | None
    use: str | None
    key_ops: frozenset[str] | None

    def __init__(self) -> None:
        raise InvalidKeyError(
            "Key() cannot be called directly: use Key.import_key(...) or jwk.generate(...)"
        )

    # -- construction -------------------------------------------------------------------

    @classmethod
    def _build(
        cls,
        kty: str,
        crv: str | None,
        public_members: dict[str, str],
        private_members: dict[str, str] | None,
        crypto: Any,
        public_crypto: Any,
        meta: Mapping[str, Any],
    ) -> Key:
        self = object.__new__(cls)
        setter = object.__setattr__
        setter(self, "kty", kty)
        setter(self, "crv", crv)
        setter(self, "_public_members", public_members)
        setter(self, "_private_members", private_members)
        setter(self, "_crypto", crypto)
        setter(self, "_public_crypto", public_crypto)
        setter(self, "_thumbprints", {})
        setter(self, "_derived", {})
        meta = _check_meta(meta, kty, crv)
        setter(self, "kid", meta.pop("kid", None))
        setter(self, "alg", meta.pop("alg", None))
        setter(self, "use", meta.pop("use", None))
        ops = meta.pop("key_ops", None)
        setter(self, "key_ops", frozenset(ops) if ops is not None else None)
        setter(self, "_extra", meta)
        if "x5c" in meta:
            _check_x5c(self, meta)
        return self

    @classmethod
    def import_key(
        cls,
        data: KeyData,
        *,
        kid: str | None = None,
        alg: str | None = None,
        use: str | None = None,
        password: bytes | str | None = None,
    ) -> Key:
        """Import a key from a JWK (dict or JSON text), PEM, DER, or a ``cryptography`` key.

        PEM may hold a PKCS#8, PKCS#1 (``RSA PRIVATE KEY``) or SEC1 (``EC PRIVATE KEY``)
        private key, a SubjectPublicKeyInfo or PKCS#1 public key, or an X.509 certificate
        (its public key is imported). ``kid``, ``alg`` and ``use`` set those members when the
        input has none (PEM, DER and key objects never do); given for a JWK that has them
        already, they must agree. ``password`` decrypts an encrypted PEM/DER private key.

        Raises:
            InvalidKeyError: the key is invalid (wrong lengths, a point off its curve,
                inconsistent RSA parameters, contradicting ``use``/``key_ops``...).
            MalformedError: the input is not a JWK, PEM or DER document at all.
            UnsupportedAlgorithmError: the key type or curve is not one josekit implements.
        """
        overrides = {k: v for k, v in (("kid", kid), ("alg", alg), ("use", use)) if v is not None}
        secret = _password_bytes(password)
        if isinstance(data, Key):
            return data if not overrides else _from_jwk(_merge(data.to_dict(True), overrides))
        if isinstance(data, Mapping):
            return _from_jwk(_merge(data, overrides))
        if isinstance(data, str):
            text = data.strip()
            if text.startswith("{"):
                return _from_jwk(_merge(loads_object(text, "JWK"), overrides))
            if text.startswith("-----BEGIN"):
                return _from_pem(text.encode("ascii", "replace"), secret, overrides)
            raise MalformedError("key text is neither a JWK (JSON object) nor a PEM document")
        if isinstance(data, (bytes, bytearray, memoryview)):
            raw = bytes(data)
            stripped = raw.strip()
            if stripped.startswith(b"{"):
                return _from_jwk(_merge(loads_object(stripped, "JWK"), overrides))
            if stripped.startswith(b"-----BEGIN"):
                return _from_pem(stripped, secret, overrides)
            return _from_der(raw, secret, overrides)
        if isinstance(data, (*_PRIVATE_TYPES, *_PUBLIC_TYPES, *akp_types())):
            return _from_crypto(data, overrides)
        if isinstance(data, _UNSUPPORTED_TYPES):
            raise UnsupportedAlgorithmError(
                f"josekit does not support {type(data).__name__} keys: DSA is not a JOSE key type"
            )
        raise MalformedError(
            f"cannot import a key from {type(data).__name__}: pass a JWK dict or JSON text, "
            "PEM text, DER bytes, or a cryptography key object"
        )

    # -- immutability -------------------------------------------------------------------

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Key objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Key objects are immutable")

    def __copy__(self) -> Key:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Key:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_from_jwk, (self.to_dict(private=True),))

    # -- properties ---------------------------------------------------------------------

    @property
    def is_private(self) -> bool:
        """True for a private (or symmetric) key, False for a public key."""
        return self._private_members is not None

    @property
    def is_symmetric(self) -> bool:
        """True for an ``oct`` key."""
        return self.kty == "oct"

    @property
    def size(self) -> int:
        """The key size in bits: RSA modulus, curve coordinate or secret length."""
        if self.kty == "RSA":
            return int(self._public_crypto.key_size)
        if self.kty == "EC":
            return EC_CURVES[self.crv or ""].curve().key_size
        if self.kty == "oct":
            return len(self._crypto) * 8
        if self.kty == "AKP":
            return AKP_ALGORITHMS[self.alg or ""].public_size * 8
        return OKP_CURVES[self.crv or ""].size * 8

    @property
    def x5c(self) -> tuple[str, ...] | None:
        """The ``x5c`` certificate chain (base64 DER), if the JWK had one."""
        chain = self._extra.get("x5c")
        return tuple(chain) if chain is not None else None

    @property
    def crypto_key(self) -> Any:
        """The underlying ``cryptography`` key object (``bytes`` for an ``oct`` key)."""
        return self._crypto

    @property
    def public_crypto_key(self) -> Any:
        """The ``cryptography`` public key object (``None`` for an ``oct`` key)."""
        return self._public_crypto

    # -- export -------------------------------------------------------------------------

    def to_dict(self, private: bool = False) -> dict[str, Any]:
        """Return the JWK as a dict.

        With ``private=False`` (the default) only public members are included; an ``oct`` key
        has no public form and raises :class:`InvalidKeyError` unless ``private=True``.
        """
        if self.kty == "oct" and not private:
            _fail("an 'oct' key is secret: it has no public form (pass private=True to export it)")
        out: dict[str, Any] = dict(self._public_members)
        if private and self._private_members:
            out.update(self._private_members)
        for name in ("kid", "alg", "use"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.key_ops is not None:
            # The public half of a private key does the counterpart of what the private does.
            public_half = self.is_private and not private
            ops = {_PUBLIC_OP.get(op, op) for op in self.key_ops} if public_half else self.key_ops
            out["key_ops"] = sorted(ops)
        for name, value in self._extra.items():
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def to_json(self, private: bool = False) -> str:
        """Return the JWK as compact JSON text (see :meth:`to_dict`)."""
        return dumps(self.to_dict(private))

    def to_pem(self, private: bool = False, password: bytes | str | None = None) -> str:
        """Return the key as PEM: PKCS#8 for a private key, SubjectPublicKeyInfo for public.

        ``password`` encrypts a private key PEM with the best available scheme.
        """
        if self.kty == "oct":
            _fail("an 'oct' key has no PEM form; export it with to_dict(private=True)")
        secret = _password_bytes(password)
        if secret is not None and not private:
            _fail("a password only applies to a private key PEM: pass private=True")
        if private:
            if not self.is_private:
                _fail("this is a public key: it has no private PEM form (use private=False)")
            enc: serialization.KeySerializationEncryption = (
                serialization.BestAvailableEncryption(secret)
                if secret
                else serialization.NoEncryption()
            )
            data = self._crypto.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
            )
        else:
            data = self._public_crypto.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        return bytes(data).decode("ascii")

    def public(self) -> Key:
        """Return the public half of this key, with the same ``kid``/``alg``/``use``.

        ``key_ops`` become their public counterparts (``sign`` -> ``verify``, ``decrypt`` ->
        ``encrypt``, ``unwrapKey`` -> ``wrapKey``). An ``oct`` key has no public half.
        """
        if self.kty == "oct":
            _fail("an 'oct' key is secret: it has no public half")
        if not self.is_private:
            return self
        return _from_jwk(self.to_dict(private=False))

    def _derive(self, name: str, build: Callable[[Any], Any]) -> Any:
        """``build(self.crypto_key)``, computed on first use and kept with this key.

        For values that depend only on the key material (such as a cipher object for a
        direct-encryption key), so ``name`` must identify ``build``; the callers use a fixed,
        small set of names, which bounds the cache.
        """
        value = self._derived.get(name)
        if value is None:
            value = self._derived[name] = build(self._crypto)
        return value

    # -- thumbprints --------------------------------------------------------------------

    def thumbprint(self, hash: str = "SHA-256") -> str:
        """The RFC 7638 JWK thumbprint, base64url-encoded. ``hash``: SHA-256, SHA-384, SHA-512."""
        cached = self._thumbprints.get(hash)
        if cached is None:
            name = _THUMBPRINT_HASHES.get(hash)
            if name is None:
                raise UnsupportedAlgorithmError(
                    f"unsupported thumbprint hash {hash!r}: use one of {sorted(_THUMBPRINT_HASHES)}"
                )
            every = {**self._public_members, **(self._private_members or {})}
            members = {m: every[m] for m in _REQUIRED[self.kty]}
            digest = hashlib.new(name, dumps(dict(sorted(members.items()))).encode()).digest()
            cached = b64e_str(digest)
            self._thumbprints[hash] = cached
        return cached

    def thumbprint_uri(self, hash: str = "SHA-256") -> str:
        """The RFC 9278 thumbprint URI: ``urn:ietf:params:oauth:jwk-thumbprint:sha-256:...``."""
        tp = self.thumbprint(hash)
        return f"urn:ietf:params:oauth:jwk-thumbprint:{_THUMBPRINT_URI_NAMES[hash]}:{tp}"

    # -- usage checks -------------------------------------------------------------------

    def check_usage(self, operation: str, alg: str | None = None) -> None:
        """Refuse an operation that ``use``, ``key_ops`` or ``alg`` of this key rules out.

        ``operation`` is a ``key_ops`` value (``sign``, ``verify``, ``encrypt``, ``decrypt``,
        ``wrapKey``, ``unwrapKey``, ``deriveKey``, ``deriveBits``); ``alg``, when given, must
        equal the key's ``alg`` if it has one.

        Raises:
            InvalidKeyError: the key may not be used for this operation or algorithm.
        """
        if operation not in KEY_OPS:
            _fail(f"unknown key operation {operation!r}: use one of {sorted(KEY_OPS)}")
        if alg is not None and self.alg is not None and self.alg != alg:
            _fail(f"key {self._label()} is for alg {self.alg!r}, not {alg!r}")
        if self.use is not None and operation not in _OPS_FOR_USE[self.use]:
            _fail(f"key {self._label()} has use {self.use!r}: it cannot {operation}")
        if self.key_ops is not None and operation not in self.key_ops:
            _fail(
                f"key {self._label()} has key_ops {sorted(self.key_ops)}: {operation!r} is not one"
            )

    def _label(self) -> str:
        return repr(self.kid) if self.kid is not None else f"({self.kty})"

    # -- dunder -------------------------------------------------------------------------

    def __repr__(self) -> str:
        parts = [f"kty={self.kty!r}"]
        if self.crv:
            parts.append(f"crv={self.crv!r}")
        if self.kid is not None:
            parts.append(f"kid={self.kid!r}")
        if self.alg is not None:
            parts.append(f"alg={self.alg!r}")
        if self.use is not None:
            parts.append(f"use={self.use!r}")
        parts.append(f"size={self.size}")
        parts.append("private" if self.is_private else "public")
        return f"Key({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Key):
            return NotImplemented
        if self.is_private != other.is_private or self.kty != other.kty:
            return False
        return hmac.compare_digest(self.thumbprint(), other.thumbprint()) and (
            self.kid,
            self.alg,
            self.use,
            self.key_ops,
        ) == (other.kid, other.alg, other.use, other.key_ops)

    def __hash__(self) -> int:
        return hash((self.thumbprint(), self.is_private, self.kid))


# The public half of a key does the counterpart of what the private half does.
_PUBLIC_OP = {"sign": "verify", "decrypt": "encrypt", "unwrapKey": "wrapKey"}
_PRIVATE_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
    x25519.X25519PrivateKey,
    x448.X448PrivateKey,
)
_UNSUPPORTED_TYPES = (dsa.DSAPrivateKey, dsa.DSAPublicKey)
_PUBLIC_TYPES = (
    rsa.RSAPublicKey,
    ec.EllipticCurvePublicKey,
    ed25519.Ed25519PublicKey,
    ed448.Ed448PublicKey,
    x25519.X25519PublicKey,
    x448.X448PublicKey,
)


def _password_bytes(password: bytes | str | None) -> bytes | None:
    if password is None or isinstance(password, bytes):
        return password
    if isinstance(password, str):
        return password.encode("utf-8")
    raise InvalidKeyError(f"password must be bytes or str, not {type(password).__name__}")


def _merge(data: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, Any]:
    out = dict(data)
    for name, value in overrides.items():
        if name in out and out[name] != value:
            _fail(f"the JWK has {name} {out[name]!r}, which contradicts the {name}={value!r} given")
        out[name] = value
    return out


def _check_meta(meta: Mapping[str, Any], kty: str, crv: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("kid", "alg", "use", "x5u", "x5t", "x5t#S256"):
        if name in meta:
            value = meta[name]
            if not isinstance(value, str):
                _fail(f"JWK member {name!r} must be a string")
            out[name] = value
    if "use" in out and out["use"] not in _USES:
        _fail(f"JWK 'use' must be 'sig' or 'enc', not {out['use']!r}")
    # An OKP curve does one job: Ed25519/Ed448 sign, X25519/X448 agree on keys.
    role = OKP_CURVES[crv].use if kty == "OKP" and crv in OKP_CURVES else None
    if role is not None and out.get("use", role) != role:
        _fail(f"an {crv} key is for use {role!r}, but the JWK says use {out['use']!r}")
    for name, size in (("x5t", 20), ("x5t#S256", 32)):
        if name in out and len(_text_b64(out[name], name)) != size:
            _fail(f"JWK {name!r} must be the base64url of a {size}-byte certificate digest")
    if "key_ops" in meta:
        ops = meta["key_ops"]
        if not isinstance(ops, (list, tuple)) or not all(isinstance(o, str) for o in ops):
            _fail("JWK member 'key_ops' must be an array of strings")
        if len(set(ops)) != len(ops):
            _fail("JWK member 'key_ops' lists an operation twice")
        unknown = set(ops) - KEY_OPS
        if unknown:
            _fail(f"JWK 'key_ops' has unknown operations {sorted(unknown)}")
        if "use" in out and not set(ops) <= _OPS_FOR_USE[out["use"]]:
            _fail(f"JWK 'use' {out['use']!r} contradicts its 'key_ops' {list(ops)}")
        if role is not None and not set(ops) <= _OPS_FOR_USE[role]:
            _fail(f"an {crv} key is for use {role!r}: its 'key_ops' {list(ops)} contradict that")
        out["key_ops"] = tuple(ops)
    if "x5c" in meta:
        chain = meta["x5c"]
        if (
            not isinstance(chain, (list, tuple))
            or not chain
            or not all(isinstance(c, str) for c in chain)
        ):
            _fail("JWK member 'x5c' must be a non-empty array of base64 strings")
        if kty == "oct":
            _fail("an 'oct' key cannot have an 'x5c' certificate chain")
        out["x5c"] = tuple(chain)
    return out


def _text_b64(value: str, name: str) -> bytes:
    try:
        return b64d(value, f"JWK member {name!r}")
    except MalformedError as exc:
        raise InvalidKeyError(str(exc)) from None


def _check_x5c(key: Key, meta: Mapping[str, Any]) -> None:
    """RFC 7517 §4.7-4.9: every certificate parses, the first one holds this very key, and
    ``x5t``/``x5t#S256`` (when present) are digests of that first certificate.

    The chain is not validated against any trust anchor: ``x5c`` never makes a key trusted.
    """
    certificates = []
    for index, item in enumerate(meta["x5c"]):
        try:
            der = base64.b64decode(item, validate=True)
            certificates.append((der, x509.load_der_x509_certificate(der)))
        except ValueError:
            _fail(
                f"JWK 'x5c' certificate {index} is not a base64 (standard alphabet, padded) "
                "DER X.509 certificate"
            )
    leaf_der, leaf = certificates[0]
    try:
        leaf_key = leaf.public_key()
    except (ValueError, UnsupportedAlgorithm):
        _fail("the public key of the JWK 'x5c' first certificate is of an unsupported type")
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if leaf_key.public_bytes(*spki) != key._public_crypto.public_bytes(*spki):
        _fail("JWK 'x5c' first certificate holds a different key than the JWK")
    for name, algo in (("x5t", "sha1"), ("x5t#S256", "sha256")):
        if name in meta and b64e_str(hashlib.new(algo, leaf_der).digest()) != meta[name]:
            _fail(f"JWK {name!r} is not the digest of the 'x5c' first certificate")


def _from_jwk(jwk: Mapping[str, Any]) -> Key:
    kty = jwk.get("kty")
    if not isinstance(kty, str):
        raise MalformedError("JWK has no 'kty' string member")
    builder = _JWK_BUILDERS.get(kty)
    if builder is None:
        raise UnsupportedAlgorithmError(
            f"JWK kty {kty!r} is not supported (josekit supports {sorted(_JWK_BUILDERS)})"
        )
    for name in _REQUIRED[kty]:
        if name not in jwk:
            _fail(f"{kty} JWK is missing required member {name!r}")
    meta = {name: jwk[name] for name in jwk if name not in _KEY_MEMBERS[kty]}
    meta.pop("kty", None)
    return builder(jwk, meta)


def _check_rsa_public(n: int, e: int) -> None:
    """Checks every RSA key gets, whatever form it was imported from."""
    bits = n.bit_length()
    if bits > _RSA_MAX_BITS:
        _fail(f"RSA modulus 'n' has {bits} bits; josekit accepts at most {_RSA_MAX_BITS}")
    if bits < _RSA_MIN_IMPORT_BITS or n % 2 == 0:
        _fail(
            f"RSA modulus 'n' must be odd and at least {_RSA_MIN_IMPORT_BITS} bits "
            "(the algorithms need 2048)"
        )
    if e < 3 or e % 2 == 0 or e >= n:
        _fail("RSA public exponent 'e' must be odd, at least 3 and below n (65537 is usual)")
    if has_roca_fingerprint(n):
        _fail(
            "RSA modulus has the ROCA fingerprint (CVE-2017-15361): its factors can be "
            "computed, so the key is broken; replace it with a newly generated key"
        )


def _rsa_from_jwk(jwk: Mapping[str, Any], meta: Mapping[str, Any]) -> Key:
    if "oth" in jwk:
        raise UnsupportedAlgorithmError(
            "RSA JWKs with more than two primes ('oth') are not supported; use a two-prime RSA key"
        )
    n = _b64_to_int(jwk, "n")
    e = _b64_to_int(jwk, "e")
    _check_rsa_public(n, e)
    public_numbers = rsa.RSAPublicNumbers(e, n)
    if "d" not in jwk:
        extra = [m for m in _PRIVATE["RSA"] if m in jwk]
        if extra:
            _fail(f"RSA JWK has private members {extra} but no 'd'")
        try:
            pub = public_numbers.public_key()
        except ValueError as exc:
            raise InvalidKeyError(f"invalid RSA public key: {exc}") from None
        return _rsa_key(pub, None, meta)
    d = _b64_to_int(jwk, "d")
    if not 1 < d < n:
        _fail("RSA private exponent 'd' must be between 1 and n")
    crt_names = ("p", "q", "dp", "dq", "qi")
    present = [m for m in crt_names if m in jwk]
    if present and len(present) != len(crt_names):
        _fail("RSA JWK must have all of p, q, dp, dq, qi or none of them")
    if present:
        p, q, dp, dq, qi = (_b64_to_int(jwk, m) for m in crt_names)
        if not (1 < p < n and 1 < q < n) or p * q != n:
            _fail("RSA JWK is inconsistent: p and q are not the factors of n")
        if dp != d % (p - 1) or dq != d % (q - 1) or (qi * q) % p != 1:
            _fail("RSA JWK is inconsistent: dp, dq or qi do not match p, q and d")
    else:
        # One modular exponentiation refuses a wrong d before the costly factor recovery.
        if pow(2, e * d, n) != 2:
            _fail("RSA JWK is inconsistent: d does not match n and e")
        try:
            p, q = rsa.rsa_recover_prime_factors(n, e, d)
        except ValueError:
            _fail("RSA JWK is inconsistent: d does not match n and e")
        dp, dq, qi = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
    try:
        # cryptography checks the rest (p and q prime enough, e * d = 1 mod lcm(p-1, q-1)).
        priv = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public_numbers).private_key()
    except ValueError as exc:
        raise InvalidKeyError(f"invalid RSA private key: {exc}") from None
    return _rsa_key(priv.public_key(), priv, meta)


def _rsa_key(pub: rsa.RSAPublicKey, priv: rsa.RSAPrivateKey | None, meta: Mapping[str, Any]) -> Key:
    pn = pub.public_numbers()
    # Every RSA member is a Base64urlUInt: the fewest octets that hold it (RFC 7518 §2).
    public_members = {"kty": "RSA", "n": _int_to_b64(pn.n), "e": _int_to_b64(pn.e)}
    private_members = None
    if priv is not None:
        sn = priv.private_numbers()
        private_members = {
            "d": _int_to_b64(sn.d),
            "p": _int_to_b64(sn.p),
            "q": _int_to_b64(sn.q),
            "dp": _int_to_b64(sn.dmp1),
            "dq": _int_to_b64(sn.dmq1),
            "qi": _int_to_b64(sn.iqmp),
        }
    return Key._build("RSA", None, public_members, private_members, priv or pub, pub, meta)


def _ec_curve(jwk: Mapping[str, Any]) -> EcCurve:
    crv = jwk.get("crv")
    curve = EC_CURVES.get(crv) if isinstance(crv, str) else None
    if curve is None:
        raise UnsupportedAlgorithmError(
            f"EC curve {crv!r} is not supported (josekit supports {sorted(EC_CURVES)})"
        )
    return curve


def _ec_from_jwk(jwk: Mapping[str, Any], meta: Mapping[str, Any]) -> Key:
    curve = _ec_curve(jwk)
    xb, yb = _member_bytes(jwk, "x"), _member_bytes(jwk, "y")
    if len(xb) != curve.size or len(yb) != curve.size:
        _fail(f"EC {curve.name} coordinates 'x' and 'y' must be {curve.size} bytes each")
    try:
        pub = ec.EllipticCurvePublicNumbers(
            int.from_bytes(xb, "big"), int.from_bytes(yb, "big"), curve.curve()
        ).public_key()
    except ValueError:
        _fail(f"EC point (x, y) is not on curve {curve.name}")
    priv = None
    if "d" in jwk:
        db = _member_bytes(jwk, "d")
        if len(db) != curve.size:
            _fail(f"EC {curve.name} private key 'd' must be {curve.size} bytes")
        d = int.from_bytes(db, "big")
        if not 0 < d < curve.order:
            _fail(f"EC private key 'd' is out of range for {curve.name}")
        priv = ec.derive_private_key(d, curve.curve())
        if priv.public_key().public_numbers() != pub.public_numbers():
            _fail("EC private key 'd' does not match the public point (x, y)")
    return _ec_key(curve, pub, priv, meta)


def _ec_key(
    curve: EcCurve,
    pub: ec.EllipticCurvePublicKey,
    priv: ec.EllipticCurvePrivateKey | None,
    meta: Mapping[str, Any],
) -> Key:
    pn = pub.public_numbers()
    public_members = {
        "kty": "EC",
        "crv": curve.name,
        "x": _int_to_b64(pn.x, curve.size),
        "y": _int_to_b64(pn.y, curve.size),
    }
    private_members = None
    if priv is not None:
        private_members = {"d": _int_to_b64(priv.private_numbers().private_value, curve.size)}
    return Key._build("EC", curve.name, public_members, private_members, priv or pub, pub, meta)


def _okp_from_jwk(jwk: Mapping[str, Any], meta: Mapping[str, Any]) -> Key:
    crv = jwk.get("crv")
    curve = OKP_CURVES.get(crv) if isinstance(crv, str) else None
    if curve is None:
        raise UnsupportedAlgorithmError(
            f"OKP curve {crv!r} is not supported (josekit supports {sorted(OKP_CURVES)})"
        )
    xb = _member_bytes(jwk, "x")
    if len(xb) != curve.size:
        _fail(f"OKP {curve.name} public key 'x' must be {curve.size} bytes")
    try:
        pub = curve.public_cls.from_public_bytes(xb)
    except ValueError as exc:
        raise InvalidKeyError(f"invalid {curve.name} public key: {exc}") from None
    priv = None
    if "d" in jwk:
        db = _member_bytes(jwk, "d")
        if len(db) != curve.size:
            _fail(f"OKP {curve.name} private key 'd' must be {curve.size} bytes")
        priv = curve.private_cls.from_private_bytes(db)
        if not hmac.compare_digest(_raw_public(priv.public_key()), xb):
            _fail(f"OKP {curve.name} private key 'd' does not match the public key 'x'")
    return _okp_key(curve.name, pub, priv, meta)


def _raw_public(pub: Any) -> bytes:
    return bytes(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _okp_key(crv: str, pub: Any, priv: Any, meta: Mapping[str, Any]) -> Key:
    public_members = {"kty": "OKP", "crv": crv, "x": b64e_str(_raw_public(pub))}
    private_members = None
    if priv is not None:
        raw = priv.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        private_members = {"d": b64e_str(raw)}
    return Key._build("OKP", crv, public_members, private_members, priv or pub, pub, meta)


def _oct_from_jwk(jwk: Mapping[str, Any], meta: Mapping[str, Any]) -> Key:
    secret = _member_bytes(jwk, "k")
    if not secret:
        _fail("'oct' key 'k' is empty")
    return _oct_key(secret, meta)


def _oct_key(secret: bytes, meta: Mapping[str, Any]) -> Key:
    return Key._build("oct", None, {"kty": "oct"}, {"k": b64e_str(secret)}, secret, None, meta)


_JWK_BUILDERS = {
    "RSA": _rsa_from_jwk,
    "EC": _ec_from_jwk,
    "OKP": _okp_from_jwk,
    "oct": _oct_from_jwk,
    "AKP": akp_from_jwk,
}
_KEY_MEMBERS = {
    kty: frozenset(_REQUIRED[kty]) | frozenset(_PRIVATE[kty]) | ({"oth"} if kty == "RSA" else set())
    for kty in _REQUIRED
}


def _from_crypto(obj: Any, meta: Mapping[str, Any]) -> Key:
    if isinstance(obj, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        pub = obj.public_key() if isinstance(obj, rsa.RSAPrivateKey) else obj
        numbers = pub.public_numbers()
        _check_rsa_public(numbers.n, numbers.e)
        return _rsa_key(pub, obj if isinstance(obj, rsa.RSAPrivateKey) else None, meta)
    if isinstance(obj, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        curve = EC_CURVE_BY_OID_NAME.get(obj.curve.name)
        if curve is None:
            raise UnsupportedAlgorithmError(
                f"EC curve {obj.curve.name!r} is not supported: "
                f"josekit supports {sorted(EC_CURVES)}"
            )
        if isinstance(obj, ec.EllipticCurvePrivateKey):
            return _ec_key(curve, obj.public_key(), obj, meta)
        return _ec_key(curve, obj, None, meta)
    for curve_def in OKP_CURVES.values():
        if isinstance(obj, curve_def.private_cls):
            return _okp_key(curve_def.name, obj.public_key(), obj, meta)
        if isinstance(obj, curve_def.public_cls):
            return _okp_key(curve_def.name, obj, None, meta)
    akp = akp_from_crypto(obj, meta)
    if akp is not None:
        return akp
    raise UnsupportedAlgorithmError(
        f"josekit does not support {type(obj).__name__} keys: use an RSA, EC (P-256, P-384, "
        "P-521, secp256k1), Ed25519, Ed448, X25519, X448 or ML-DSA key"
    )


def _from_pem(data: bytes, password: bytes | None, meta: Mapping[str, Any]) -> Key:
    label = data.split(b"\n", 1)[0]
    if b"CERTIFICATE-----" in label:
        obj = _load_native(
            (lambda: x509.load_pem_x509_certificate(data).public_key(),), "PEM certificate"
        )
    elif b"PRIVATE KEY-----" in label:
        obj = _load_native(
            (lambda: serialization.load_pem_private_key(data, password),), "PEM private key"
        )
    else:
        obj = _load_native((lambda: serialization.load_pem_public_key(data),), "PEM public key")
    return _from_crypto(obj, meta)


def _from_der(data: bytes, password: bytes | None, meta: Mapping[str, Any]) -> Key:
    # DER has no label: try a private key, then a public key, then a certificate. Only a
    # private key can have a password.
    loaders: tuple[Callable[[], Any], ...] = (
        lambda: serialization.load_der_private_key(data, password),
    )
    if password is None:
        loaders += (
            lambda: serialization.load_der_public_key(data),
            lambda: x509.load_der_x509_certificate(data).public_key(),
        )
        return _from_crypto(_load_native(loaders, "DER data as a key or certificate"), meta)
    return _from_crypto(_load_native(loaders, "DER private key"), meta)


def _load_native(loaders: Sequence[Callable[[], Any]], what: str) -> Any:
    """The first key a loader returns; loaders that cannot parse the data are skipped."""
    reason = ""
    for load in loaders:
        try:
            return load()
        except TypeError as exc:  # the password is missing, superfluous or not bytes
            raise InvalidKeyError(f"cannot load the {what}: {exc}") from None
        except UnsupportedAlgorithm as exc:
            raise UnsupportedAlgorithmError(
                f"the {what} holds a key of a type josekit does not support: {exc}"
            ) from None
        except ValueError as exc:
            reason = f" ({exc})" if len(loaders) == 1 else ""
    raise MalformedError(
        f"cannot parse the {what}{reason}; if it is an encrypted private key, check the password"
    )
