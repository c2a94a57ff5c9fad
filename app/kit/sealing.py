"""The server's own secret key: sealing stored secrets (connector signing secrets, which HMAC
verification needs in the clear) and signing short-lived links.

The key comes from `HAVEN_SECRET_KEY` (base64 of 32 bytes, or a file holding it, for container
secrets); otherwise one is generated once under `home/keys`. Every process of a deployment must
share it, like the JWT keyring."""

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.kit.settings import Settings

KEY_BYTES = 32
NONCE_BYTES = 12


def _decode(text: str) -> bytes:
    key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    if len(key) != KEY_BYTES:
        raise ValueError(f"the secret key must be {KEY_BYTES} bytes, base64-encoded")
    return key


def _generated(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode())
        tmp.chmod(0o600)
        # Two processes starting at once: the first rename wins and both read the same key.
        if not path.exists():
            tmp.replace(path)
        else:
            tmp.unlink()
    return _decode(path.read_text())


def load_secret_key(settings: Settings) -> bytes:
    if settings.secret_key:
        return _decode(settings.secret_key)
    if settings.secret_key_file:
        return _decode(settings.secret_key_file.read_text())
    return _generated(settings.home / "keys" / "secret.key")


class SealError(Exception):
    """Sealed bytes that this key did not seal, or that were changed since."""


@dataclass(frozen=True)
class Sealer:
    key: bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> "Sealer":
        return cls(load_secret_key(settings))

    def _subkey(self, purpose: str) -> bytes:
        # One key per purpose, so a signature made for one use never verifies for another.
        return hmac.new(self.key, purpose.encode(), hashlib.sha256).digest()

    def seal(self, plaintext: str, context: str) -> bytes:
        """AES-256-GCM; `context` (for example the owning row's id) is bound as associated
        data, so a sealed value copied onto another row does not open."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        box = AESGCM(self._subkey("seal")).encrypt(nonce, plaintext.encode(), context.encode())
        return nonce + box

    def open(self, sealed: bytes, context: str) -> str:
        try:
            plain = AESGCM(self._subkey("seal")).decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context.encode()
            )
        except (InvalidTag, ValueError):
            raise SealError("sealed value does not open with this key") from None
        return plain.decode()

    def sign(self, purpose: str, message: str) -> str:
        digest = hmac.new(self._subkey(f"sign:{purpose}"), message.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()

    def verify(self, purpose: str, message: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(purpose, message), signature)
