"""Verifying inbound webhook signatures over the raw body, before anything is parsed.

Two schemes are accepted:
- `X-Signature-256: sha256=<hex>` (GitHub's form): HMAC-SHA256 of the raw body keyed with the
  secret string as sent to the platform.
- Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> ...`):
  HMAC-SHA256 of `id.timestamp.body`, keyed with the base64 part of a `whsec_` secret, and the
  timestamp within five minutes either way, so a captured request cannot be replayed later.

Several secrets may be valid at once (the old and new one during a rotation's grace period).
Every comparison is constant-time."""

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from secrets import token_bytes

from app.kit.errors import Forbidden

TOLERANCE_SECONDS = 5 * 60
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_signing_secret() -> str:
    """`whsec_` and base64 of random bytes: the Standard Webhooks form, which GitHub-style
    senders use as the plain string."""
    return SECRET_PREFIX + base64.b64encode(token_bytes(SECRET_BYTES)).decode()


class SignatureRefused(Forbidden):
    """A delivery not signed by a current secret: forbidden, whoever the key says it is."""


def github_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def standard_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_standard_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _standard_key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return encoded.encode()  # a secret that is not base64 is used as it is


def verify(
    body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: float | None = None
) -> int:
    """The index in `secrets` of the one that signed the body, or refuse."""
    if not secrets:
        raise SignatureRefused("No signing secret is configured for this source")
    if "webhook-signature" in headers:
        return _verify_standard(body, headers, secrets, time.time() if now is None else now)
    sent = headers.get("x-signature-256") or headers.get("x-hub-signature-256")
    if not sent:
        raise SignatureRefused("Missing signature: send X-Signature-256 or webhook-signature")
    # Every secret is tried, matched or not, so timing does not tell which one came close.
    matches = [hmac.compare_digest(sent, github_signature(s, body)) for s in secrets]
    if not any(matches):
        raise SignatureRefused("Signature does not match the body")
    return matches.index(True)


def _verify_standard(
    body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: float
) -> int:
    message_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not message_id or not stamp.isdigit():
        raise SignatureRefused("webhook-id and a numeric webhook-timestamp are required")
    if abs(now - int(stamp)) > TOLERANCE_SECONDS:
        raise SignatureRefused("webhook-timestamp is more than five minutes from now")
    offered = headers["webhook-signature"].split()
    for index, secret in enumerate(secrets):
        expected = standard_signature(secret, message_id, stamp, body)
        if any(hmac.compare_digest(candidate, expected) for candidate in offered):
            return index
    raise SignatureRefused("Signature does not match the body")
