"""X-Hub-Signature-256: HMAC-SHA256 of the raw body under the webhook secret.
https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import TypeVar

K = TypeVar("K")


def signature_for(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """Constant-time comparison, so timing tells nothing about the expected value."""
    if not secret or not header:
        return False
    return hmac.compare_digest(signature_for(secret, body).encode(), header.encode())


def signer_of(candidates: Iterable[tuple[K, str]], body: bytes, header: str) -> K | None:
    """Which (key, secret) signed this body; every candidate is checked, so the time taken
    does not depend on which one matched."""
    found: K | None = None
    for key, secret in candidates:
        if signature_valid(secret, body, header) and found is None:
            found = key
    return found
