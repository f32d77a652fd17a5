"""Every exception josekit raises.

All of them derive from :class:`JoseError`, so ``except JoseError`` catches any
failure of the library and nothing else::

    JoseError
    ├── MalformedError              input is not a well-formed token, key or JSON document
    ├── InvalidHeaderError          a header parameter is missing, of the wrong type or not allowed
    │   └── CriticalHeaderError     ``crit`` names something not understood, or is itself invalid
    ├── UnsupportedAlgorithmError   the algorithm is not implemented by josekit
    ├── AlgorithmNotAllowedError    the algorithm is known but the caller did not allow it
    ├── InvalidKeyError             a key is invalid, or does not fit the algorithm or operation
    ├── KeyNotFoundError            no key in the key set matches the token
    ├── KeyBackendError             an HSM/KMS holding a private key failed or refused an operation
    ├── InvalidSignatureError       a JWS signature or MAC did not verify
    ├── DecryptionError             a JWE could not be decrypted (one fixed message, no oracle)
    ├── LimitExceededError          a size, count or iteration limit was exceeded
    ├── ClaimError                  a JWT claim failed validation (``.claim`` names it)
    │   ├── ExpiredTokenError
    │   ├── NotYetValidError
    │   ├── MissingClaimError
    │   └── InvalidClaimError
    ├── DPoPError                   a DPoP proof failed a check (``.check`` names it)
    │   └── DPoPNonceError          the proof lacks the server's current nonce (``use_dpop_nonce``)
    ├── ReplayCacheError            a replay cache could not be reached (the token is refused)
    ├── JWKSFetchError              a remote JWK Set could not be fetched or used
    ├── BearerError                 an HTTP request's access token was refused (``.status``)
    ├── SDJWTError                  an SD-JWT, a disclosure or a Key Binding JWT was refused
    └── KeyStoreError               a key store could not be read, written, locked or opened

One warning class, not an error: :class:`WeakKeyWarning` (a ``UserWarning``), emitted once
for each key accepted below the recommended strength because the caller opted in
(``Key.from_secret(..., allow_short=True)``).
"""

from __future__ import annotations

__all__ = [
    "AlgorithmNotAllowedError",
    "BearerError",
    "ClaimError",
    "CriticalHeaderError",
    "DPoPError",
    "DPoPNonceError",
    "DecryptionError",
    "ExpiredTokenError",
    "InvalidClaimError",
    "InvalidHeaderError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "JWKSFetchError",
    "JoseError",
    "KeyBackendError",
    "KeyNotFoundError",
    "KeyStoreError",
    "LimitExceededError",
    "MalformedError",
    "MissingClaimError",
    "NotYetValidError",
    "ReplayCacheError",
    "SDJWTError",
    "UnsupportedAlgorithmError",
    "WeakKeyWarning",
]


class JoseError(Exception):
    """Base class of every error raised by josekit."""


class MalformedError(JoseError):
    """The input is not a well-formed token, key or JSON document."""


class InvalidHeaderError(JoseError):
    """A JOSE header parameter is missing, has the wrong type, or is not allowed where it is."""


class CriticalHeaderError(InvalidHeaderError):
    """The ``crit`` header names an extension that is not understood, or is itself invalid."""


class UnsupportedAlgorithmError(JoseError):
    """The algorithm (or curve, or key type) is not one josekit implements."""


class AlgorithmNotAllowedError(JoseError):
    """The algorithm is implemented, but the caller did not list it as allowed."""


class InvalidKeyError(JoseError):
    """A key is invalid, or does not fit the algorithm or the operation it was used for."""


class KeyBackendError(JoseError):
    """The backend holding a key's private half (an HSM, a KMS) failed or refused an operation.

    The message names the backend, the key and the operation; never a PIN or credential.
    A backend failure in JWE decryption is a :class:`DecryptionError` instead; decryption
    raises this only when a sync function meets an async backend, before calling it.
    """


class KeyNotFoundError(JoseError):
    """No key in the key set matches the token's ``kid``/``alg``/``kty``."""


class InvalidSignatureError(JoseError):
    """A JWS signature or MAC did not verify."""


class DecryptionError(JoseError):
    """A JWE could not be decrypted.

    Every failure after parsing gives this error with one fixed message, so that the
    error itself cannot be used as an oracle (RFC 7516 §11.5).
    """


class LimitExceededError(JoseError):
    """A size, count, depth or iteration number exceeded its configured limit."""


class ClaimError(JoseError):
    """A JWT claim failed validation. :attr:`claim` names the claim."""

    def __init__(self, message: str, claim: str) -> None:
        super().__init__(message)
        self.claim = claim


class ExpiredTokenError(ClaimError):
    """The token's ``exp`` is in the past (beyond the leeway), or it is older than ``max_age``."""


class NotYetValidError(ClaimError):
    """The token's ``nbf`` (or ``iat``) is in the future beyond the leeway."""


class MissingClaimError(ClaimError):
    """A claim that is required is absent."""


class InvalidClaimError(ClaimError):
    """A claim has the wrong type or a value that does not match what was expected."""


class DPoPError(JoseError):
    """A DPoP proof (RFC 9449) failed one of the checks of RFC 9449 §4.3.

    :attr:`check` names the check that failed: ``"proof"`` (not one well-formed JWT),
    ``"typ"``, ``"alg"``, ``"jwk"``, ``"signature"``, ``"htm"``, ``"htu"``, ``"iat"``, ``"jti"``,
    ``"ath"`` or ``"nonce"``.
    """

    def __init__(self, message: str, check: str) -> None:
        super().__init__(message)
        self.check = check


class DPoPNonceError(DPoPError):
    """The proof has no ``nonce``, or not the current one, while the server demands nonces.

    The client should retry with the nonce the server sends in its ``DPoP-Nonce`` header
    (RFC 9449 §8: the ``use_dpop_nonce`` error).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, "nonce")


class ReplayCacheError(JoseError):
    """A replay cache could not record an identifier (e.g. its Redis server is unreachable).

    The token or proof is refused: without the cache a replay could not be detected.
    """


class JWKSFetchError(JoseError):
    """A remote JWK Set could not be fetched, parsed or used."""


class KeyStoreError(JoseError):
    """A key store (``josekit.jwks.KeyStore``) could not be read, written or locked.

    The message names the file or backend and what was wrong: unsafe permissions, a corrupt
    state document, an I/O or database error, a missing or wrong key-encryption key, a state
    older than one already seen (a rollback), or a rotation policy that differs from the
    saved one.
    """


class BearerError(JoseError):
    """An HTTP request's access token was refused (RFC 6750 §3), ready to become a response.

    Raised by :class:`josekit.web.BearerVerifier`. The cause of the refusal (the
    :class:`JoseError` from decoding, for instance) is kept as ``__cause__`` for logs; nothing
    here echoes the token, a key or a claim value.

    Attributes:
        status: the HTTP status to answer with: 400, 401, 403, or 503 when the keys could not
            be fetched (an outage, not the client's fault).
        error: the RFC 6750 error code (``invalid_request``, ``invalid_token``,
            ``insufficient_scope``), ``temporarily_unavailable`` for 503, or ``None`` when the
            request carried no credentials (RFC 6750 §3.1).
        description: a fixed, human-readable text, safe to show to the client.
        www_authenticate: the ``WWW-Authenticate`` header value (RFC 6750 §3), or ``None``
            for 503.
        headers: every response header to send (``WWW-Authenticate``, ``Retry-After``...).
    """

    def __init__(
        self,
        status: int,
        error: str | None,
        description: str,
        www_authenticate: str | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.www_authenticate = www_authenticate
        self.headers: dict[str, str] = dict(headers or {})
        if www_authenticate is not None:
            self.headers.setdefault("WWW-Authenticate", www_authenticate)


class SDJWTError(JoseError):
    """An SD-JWT (RFC 9901) was refused: its form, a disclosure, its digests or its key binding.

    Claim validation on the processed claims (``exp``, ``iss``, ...) raises the
    :class:`ClaimError` subclasses instead.
    """


class WeakKeyWarning(UserWarning):
    """A key weaker than its algorithm needs was accepted because the caller opted in.

    ``Key.from_secret(secret, allow_short=True)`` accepts an HMAC secret shorter than the
    hash output (legacy secrets that cannot be changed at once) and warns once, when the key
    is made; the key's ``repr`` says it is weak. Replace such a secret as soon as you can.
    """
