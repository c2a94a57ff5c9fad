"""Opaque secrets (API keys, refresh tokens): random, shown once, stored as SHA-256."""

import hashlib
import secrets

API_KEY_PREFIX = "hv_"
REFRESH_PREFIX = "hvr_"


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    # The secrets carry 256 random bits, so a fast hash is enough; no salt or stretching needed.
    return hashlib.sha256(secret.encode()).digest()
