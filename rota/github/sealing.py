"""Secrets at rest: sealed with a key derived from SECRET_KEY, never shown again once saved.

The webhook secret must be recoverable (it verifies every delivery's HMAC), and so must the
App's private key and a token (they sign and authenticate calls), so they are encrypted rather
than hashed: Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`, with a key derived by
HKDF from SECRET_KEY under a purpose of its own. Rotating SECRET_KEY means entering them again.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SealBroken(Exception):
    """A sealed value could not be opened (SECRET_KEY changed, or the value was altered)."""


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rota.github.secrets").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    """The encrypted form of `value` ("" stays "": nothing stored)."""
    if not value:
        return ""
    return _fernet(settings.SECRET_KEY).encrypt(value.encode()).decode()


def unseal(sealed: str) -> str:
    if not sealed:
        return ""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(sealed.encode()).decode()
    except InvalidToken as exc:
        raise SealBroken("a stored GitHub secret cannot be opened; enter it again") from exc
