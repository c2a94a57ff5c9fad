"""Portal lookup links: `/portal/lookup/<token>` lists one tenant's tickets of one address.

The token is sealed (AES-GCM under the server key), not stored: it carries the tenant, the
address and the expiry, so no table grows with every lookup, and tampering fails to open. It is
sealed rather than only signed so that the address is not readable from the URL, which ends up
in browser history and proxy logs. The price is that one link cannot be revoked before it
expires, which the short lifetime (`HAVEN_PORTAL_LOOKUP_MINUTES`, 30 by default) keeps small.
"""

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.kit.sealing import Sealer, SealError

PURPOSE = "portal-lookup"


@dataclass(frozen=True)
class LookupGrant:
    tenant_id: uuid.UUID
    email: str
    expires_at: datetime

    @property
    def expired(self) -> bool:
        return datetime.now(UTC) >= self.expires_at


class LinkRefused(Exception):
    """A lookup token that this server did not issue, or one changed since."""


def issue(sealer: Sealer, tenant_id: uuid.UUID, email: str, minutes: int) -> str:
    expires = datetime.now(UTC) + timedelta(minutes=minutes)
    claims = {"t": str(tenant_id), "e": email, "x": int(expires.timestamp())}
    sealed = sealer.seal(json.dumps(claims, separators=(",", ":")), PURPOSE)
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def open_token(sealer: Sealer, token: str) -> LookupGrant:
    """The grant a token carries, expired or not; LinkRefused if it is not one of ours."""
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        claims = json.loads(sealer.open(sealed, PURPOSE))
        return LookupGrant(
            uuid.UUID(claims["t"]), claims["e"], datetime.fromtimestamp(claims["x"], UTC)
        )
    except (SealError, binascii.Error, ValueError, KeyError, TypeError):
        raise LinkRefused from None
