"""The immutable :class:`Key`: one JWK, validated once at import, used many times."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from typing import Any, Union

from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519

from .._json import dumps, loads_object
from ..errors import InvalidKeyError, MalformedError, UnsupportedAlgorithmError
from ._hints import no_kty_message, not_a_key_text_message, not_a_key_type_message
from ._kty import CRYPTO_TYPES, KEY_TYPES, is_unsupported, material_from_crypto
from ._members import fail
from ._members import merge_overrides as _merge
from ._meta import KEY_OPS, OPS_FOR_USE, check_meta, check_x5c
from ._native import dump_pem, load_der, load_pem, password_bytes
from ._row import KeyMaterial
from ._secret import FROM_SECRET_HINT, mark_weak, secret_jwk
from ._thumbprint import thumbprint_of, thumbprint_uri

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

# The public half of a key does the counterpart of what the private half does.
_PUBLIC_OP = {"sign": "verify", "decrypt": "encrypt", "unwrapKey": "wrapKey"}


class Key:
    """One JSON Web Key (RFC 7517), validated at import and immutable afterwards.

    Build one with :meth:`Key.import_key` or :func:`josekit.jwk.generate`. Its members are
    read-only attributes (``kty``, ``crv``, ``kid``, ``alg``, ``use``, ``key_ops``); private
    material never appears in ``repr``.
    """

    __slots__ = (
        "_crypto",
        "_derived",
        "_external",
        "_extra",
        "_private_members",
        "_public_crypto",
        "_public_members",
        "_size",
        "_thumbprints",
        "_weak",
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
    _size: int | None
    _derived: dict[str, Any]
    _weak: bool
    _external: Any
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
    def _build(cls, material: KeyMaterial, meta: Mapping[str, Any]) -> Key:
        """The key of ``material`` (from a key-type module), other members ``meta`` or a JWK."""
        kty, crv, public_members, private_members, crypto, public_crypto, _, bound_alg = material
        meta = check_meta(meta, material)
        if bound_alg is not None:
            given = meta.get("alg", bound_alg)
            if given != bound_alg:
                fail(f"this is an {bound_alg} key: it cannot have alg {given!r}")
            meta["alg"] = bound_alg
        if "x5c" in meta:
            check_x5c(public_crypto, meta)
        # Filled in as a _Writable by plain assignment, then made a Key: 16 object.__setattr__
        # calls took 1.3 µs, these 0.6 µs (a public RSA-2048 JWK import now takes about 8).
        self = object.__new__(_Writable)
        self.kty, self.crv, self._crypto, self._public_crypto = kty, crv, crypto, public_crypto
        self._public_members, self._private_members = public_members, private_members
        self._thumbprints, self._derived, self._size, self._weak = {}, {}, None, False
        self._external, self.kid, self.alg = None, meta.pop("kid", None), meta.pop("alg", None)
        self.use, ops = meta.pop("use", None), meta.pop("key_ops", None)
        self.key_ops, self._extra = frozenset(ops) if ops is not None else None, meta
        object.__setattr__(self, "__class__", Key)
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
        if type(data) is dict and kid is None and alg is None and use is None and password is None:
            return _from_jwk(data)  # a parsed JWK as it is: the common case, kept short
        overrides = {k: v for k, v in (("kid", kid), ("alg", alg), ("use", use)) if v is not None}
        secret = password_bytes(password)
        if isinstance(data, Key):
            return data if not overrides else _from_jwk(_merge(data.to_dict(True), overrides))
        if isinstance(data, Mapping):
            return _from_jwk(_merge(data, overrides))
        if isinstance(data, str):
            text = data.strip()
            if text.startswith("{"):
                return _from_jwk(_merge(loads_object(text, "JWK"), overrides))
            if text.startswith("-----BEGIN"):
                return _from_crypto(load_pem(text.encode("ascii", "replace"), secret), overrides)
            raise MalformedError(not_a_key_text_message(text))
        if isinstance(data, (bytes, bytearray, memoryview)):
            raw = bytes(data)
            stripped = raw.strip()
            if stripped.startswith(b"{"):
                return _from_jwk(_merge(loads_object(stripped, "JWK"), overrides))
            if stripped.startswith(b"-----BEGIN"):
                return _from_crypto(load_pem(stripped, secret), overrides)
            try:
                return _from_crypto(load_der(raw, secret), overrides)
            except MalformedError as exc:
                if raw[:1] == b"\x30":  # every DER key starts with a SEQUENCE
                    raise
                raise MalformedError(
                    f"{exc}; these bytes do not look like DER at all: {FROM_SECRET_HINT}"
                ) from None
        if isinstance(data, CRYPTO_TYPES):
            return _from_crypto(data, overrides)
        if is_unsupported(data):
            raise UnsupportedAlgorithmError(
                f"josekit does not support {type(data).__name__} keys: DSA is not a JOSE key type"
            )
        raise MalformedError(not_a_key_type_message(data))

    @classmethod
    def from_secret(
        cls,
        secret: bytes | str,
        *,
        kid: str | None = None,
        alg: str | None = None,
        allow_short: bool = False,
    ) -> Key:
        """An ``oct`` key from a shared secret: bytes as they are, a ``str`` UTF-8 encoded.

        Never base64- or hex-decoded. Shorter than the HMAC output (32 bytes for HS256 and no
        ``alg``, 48 for HS384, 64 for HS512) it raises :class:`InvalidKeyError`, unless
        ``allow_short=True`` (HS*): the key is then weak (:attr:`is_weak`, in ``repr``).
        """
        jwk, weak = secret_jwk(secret, kid, alg, allow_short)
        key = _from_jwk(jwk)
        if weak:
            mark_weak(key, alg)  # records it (is_weak, repr) and warns, once
        return key

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
        return self._private_members is not None or self._external is not None

    @property
    def external(self) -> Any:
        """The backend holding the private half (``jwk.ExternalPrivateKey`` or async), or None."""
        return self._external

    @property
    def is_weak(self) -> bool:
        """True for a secret accepted below its HMAC size with ``allow_short=True``."""
        return self._weak

    @property
    def is_symmetric(self) -> bool:
        """True for an ``oct`` key (a secret: it has no public half)."""
        return self._public_crypto is None

    @property
    def size(self) -> int:
        """The key size in bits: RSA modulus, curve coordinate or secret length."""
        # Read on every use of the key (the algorithms check it): worked out once.
        size = self._size
        if size is None:
            size = KEY_TYPES[self.kty].size(self._crypto, self.crv, self.alg)
            object.__setattr__(self, "_size", size)
        return size

    @property
    def x5c(self) -> tuple[str, ...] | None:
        """The ``x5c`` certificate chain (base64 DER), if the JWK had one."""
        chain = self._extra.get("x5c")
        return tuple(chain) if chain is not None else None

    @property
    def crypto_key(self) -> Any:
        """The underlying ``cryptography`` key object (``bytes`` for an ``oct`` key)."""
        self._check_readable()
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
        self._check_readable(private)
        if self._public_crypto is None and not private:
            fail(
                f"an {self.kty!r} key is secret: it has no public form "
                "(pass private=True to export it)"
            )
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
        if self._public_crypto is None:
            fail(f"an {self.kty!r} key has no PEM form; export it with to_dict(private=True)")
        secret = password_bytes(password)
        if secret is not None and not private:
            fail("a password only applies to a private key PEM: pass private=True")
        if not private:
            return dump_pem(self._public_crypto, False, None)
        if not self.is_private:
            fail("this is a public key: it has no private PEM form (use private=False)")
        return dump_pem(self.crypto_key, True, secret)

    def public(self) -> Key:
        """Return the public half of this key, with the same ``kid``/``alg``/``use``.

        ``key_ops`` become their public counterparts (``sign`` -> ``verify``, ``decrypt`` ->
        ``encrypt``, ``unwrapKey`` -> ``wrapKey``). An ``oct`` key has no public half.
        """
        if self._public_crypto is None:
            fail(f"an {self.kty!r} key is secret: it has no public half")
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
            every = {**self._public_members, **(self._private_members or {})}
            members = {m: every[m] for m in KEY_TYPES[self.kty].required}
            cached = self._thumbprints[hash] = thumbprint_of(members, hash)
        return cached

    def thumbprint_uri(self, hash: str = "SHA-256") -> str:
        """The RFC 9278 thumbprint URI: ``urn:ietf:params:oauth:jwk-thumbprint:sha-256:...``."""
        return thumbprint_uri(self.thumbprint(hash), hash)

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
            fail(f"unknown key operation {operation!r}: use one of {sorted(KEY_OPS)}")
        if alg is not None and self.alg is not None and self.alg != alg:
            fail(f"key {self._label()} is for alg {self.alg!r}, not {alg!r}")
        if self.use is not None and operation not in OPS_FOR_USE[self.use]:
            fail(f"key {self._label()} has use {self.use!r}: it cannot {operation}")
        if self.key_ops is not None and operation not in self.key_ops:
            fail(
                f"key {self._label()} has key_ops {sorted(self.key_ops)}: {operation!r} is not one"
            )

    def _check_readable(self, private: bool = True) -> None:
        if private and self._external is not None:
            fail(f"the private key is held by {self._external!r}: it cannot be read or exported")

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
        if self._weak:
            parts.append("WEAK: shorter than its algorithm needs")
        parts += [f"held by {self._external!r}"] if self._external is not None else []
        return f"Key({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Key):
            return NotImplemented
        mine = (self.is_private, self.kty, self.kid, self.alg, self.use, self.key_ops)
        theirs = (other.is_private, other.kty, other.kid, other.alg, other.use, other.key_ops)
        return mine == theirs and hmac.compare_digest(self.thumbprint(), other.thumbprint())

    def __hash__(self) -> int:
        return hash((self.thumbprint(), self.is_private, self.kid))


class _Writable(Key):
    """A :class:`Key` being built: the same slots, set by plain assignment."""

    __slots__ = ()
    # Both object's own: with either one left in Python, no assignment takes the fast path.
    __setattr__ = object.__setattr__  # type: ignore[assignment]
    __delattr__ = object.__delattr__


def _from_jwk(jwk: Mapping[str, Any]) -> Key:
    kty = jwk.get("kty")
    if not isinstance(kty, str):
        raise MalformedError(no_kty_message(jwk))
    row = KEY_TYPES.get(kty)
    if row is None:
        raise UnsupportedAlgorithmError(
            f"JWK kty {kty!r} is not supported (josekit supports {sorted(KEY_TYPES)})"
        )
    for name in row.required:
        if name not in jwk:
            fail(f"{kty} JWK is missing required member {name!r}")
    # The JWK itself is the other members (no copy: 0.35 µs): check_meta reads only the names
    # it checks, and the one of them a key type owns (AKP's alg) is the alg its row binds.
    return Key._build(row.from_jwk(jwk), jwk)


def _from_crypto(obj: Any, meta: Mapping[str, Any]) -> Key:
    return Key._build(material_from_crypto(obj), meta)
