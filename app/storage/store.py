"""The evidence store: content-addressed, write-once objects whose bytes are re-hashed on every
read. Implementations supply a few storage primitives; the rules (no deletes, no overwrites,
retention only ever extended, tampering detected) live here, once, for all of them."""

import hashlib
import logging
import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.kit.errors import Conflict, HavenError, NotFound, ValidationFailed

log = logging.getLogger("haven.evidence")

COMPLIANCE = "COMPLIANCE"
WRITE_ONCE = "WRITE_ONCE"
# Seven years: the longest period UK regulators and the NCA ask platforms to keep CSEA evidence.
DEFAULT_RETENTION = timedelta(days=2555)

_KEY = re.compile(r"sha256/([0-9a-f]{2})/([0-9a-f]{64})")
_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredObject:
    """What the store holds under a key. `retention_mode` is COMPLIANCE where the storage itself
    refuses deletes and retention cuts (S3 Object Lock), WRITE_ONCE where only this code does."""

    key: str
    sha256: str
    size: int
    content_type: str
    retention_mode: str
    retain_until: datetime | None
    legal_hold: bool
    version_id: str | None = None


class EvidenceTampered(HavenError):
    """Stored bytes no longer hash to what was recorded: an integrity incident, never retried.

    409 rather than 5xx: the request was sound and the server is working, but the object's
    state conflicts with its record, and a retry (which clients make on 5xx) cannot help."""

    code = "EVIDENCE_TAMPERED"
    http_status = 409

    def __init__(self, key: str, expected: str, actual: str | None, reason: str) -> None:
        super().__init__(
            "Evidence failed its integrity check", key=key, expected=expected, actual=actual
        )
        self.reason = reason
        # Logged where it is detected, so no caller can swallow the incident unrecorded.
        log.error(
            "evidence tampered: key=%s expected=%s actual=%s (%s)", key, expected, actual, reason
        )


class EvidenceMissing(NotFound):
    code = "EVIDENCE_MISSING"

    def __init__(self, key: str) -> None:
        super().__init__("Evidence")
        self.details = {"key": key}


class EvidenceImmutable(Conflict):
    code = "EVIDENCE_IMMUTABLE"

    def __init__(self, key: str, action: str) -> None:
        super().__init__(f"Evidence cannot be {action}", key=key)


class RetentionShortening(Conflict):
    code = "RETENTION_SHORTENING"

    def __init__(self, key: str, current: datetime | None, requested: datetime) -> None:
        super().__init__(
            "Evidence retention can only be extended",
            key=key,
            retain_until=current.isoformat() if current else None,
            requested=requested.isoformat(),
        )


class EvidenceStoreMisconfigured(RuntimeError):
    """The configured storage cannot keep evidence safely; an operator must fix it."""


def content_key(digest: str) -> str:
    return f"sha256/{digest[:2]}/{digest}"


def digest_of(key: str) -> str:
    """The SHA-256 a key addresses; anything not shaped like a key is refused, so no key can
    name a path or object outside the store's own layout."""
    match = _KEY.fullmatch(key)
    if match is None or not match.group(2).startswith(match.group(1)):
        raise ValidationFailed("Malformed evidence key", field="key")
    return match.group(2)


def whole_second(value: datetime) -> datetime:
    """A timezone-aware instant in UTC, rounded up to the second S3 keeps (never down, which
    would shorten retention)."""
    if value.tzinfo is None:
        raise ValidationFailed("Retention dates need a timezone", field="retain_until")
    value = value.astimezone(UTC)
    seconds = math.ceil(value.timestamp())
    return datetime.fromtimestamp(seconds, UTC)


def future_instant(value: datetime) -> datetime:
    value = whole_second(value)
    if value <= datetime.now(UTC):
        raise ValidationFailed("Retention must end in the future", field="retain_until")
    return value


class EvidenceStore(ABC):
    """Evidence storage. Subclasses supply the storage primitives below."""

    def __init__(self, default_retention: timedelta = DEFAULT_RETENTION) -> None:
        self.default_retention = default_retention

    async def put(
        self,
        content: bytes,
        *,
        content_type: str,
        retain_until: datetime | None = None,
        legal_hold: bool = False,
    ) -> StoredObject:
        """Store `content` under its SHA-256. Identical bytes stored again return the object
        already there: never rewritten, its retention only extended (to a later `retain_until`)
        and a requested legal hold added, never removed."""
        requested = future_instant(retain_until) if retain_until is not None else None
        digest = hashlib.sha256(content).hexdigest()
        key = content_key(digest)
        existing = await self.head(key)
        if existing is None:
            until = requested or whole_second(datetime.now(UTC) + self.default_retention)
            written = await self._write(key, content, content_type, until, legal_hold)
            if written is not None:
                return written
            # Someone stored the same bytes between our look and our write.
            existing = await self._require(key)
        return await self._reconcile(existing, requested, legal_hold)

    async def get(self, key: str, expected_sha256: str) -> bytes:
        """The stored bytes, only after their SHA-256 is recomputed and found equal to both the
        recorded `expected_sha256` and the key's own digest."""
        digest = digest_of(key)
        expected = expected_sha256.lower()
        if _DIGEST.fullmatch(expected) is None:
            raise ValidationFailed("Malformed SHA-256", field="expected_sha256")
        content = await self._read(key)
        actual = hashlib.sha256(content).hexdigest()
        if actual != expected:
            raise EvidenceTampered(key, expected, actual, "content differs from the record")
        if actual != digest:
            raise EvidenceTampered(key, digest, actual, "content differs from its address")
        return content

    @abstractmethod
    async def head(self, key: str) -> StoredObject | None:
        """What is stored under `key`, without reading the content; None when nothing is."""

    async def delete(self, key: str) -> None:
        """Always refused: evidence is never deleted through Haven."""
        raise EvidenceImmutable(key, "deleted")

    async def set_legal_hold(self, key: str, on: bool) -> StoredObject:
        current = await self._require(key)
        if current.legal_hold != on:
            await self._set_legal_hold(current, on)
        return await self._require(key)

    async def extend_retention(self, key: str, retain_until: datetime) -> StoredObject:
        """Keep the object at least until `retain_until`; an earlier date than the current one
        is refused with RetentionShortening."""
        until = future_instant(retain_until)
        current = await self._require(key)
        if current.retain_until is not None and until < current.retain_until:
            raise RetentionShortening(key, current.retain_until, until)
        if until != current.retain_until:
            await self._set_retention(current, until)
        return await self._require(key)

    async def _require(self, key: str) -> StoredObject:
        found = await self.head(key)
        if found is None:
            raise EvidenceMissing(key)
        return found

    async def _reconcile(
        self, existing: StoredObject, retain_until: datetime | None, legal_hold: bool
    ) -> StoredObject:
        result = existing
        if retain_until is not None and (
            existing.retain_until is None or retain_until > existing.retain_until
        ):
            result = await self.extend_retention(existing.key, retain_until)
        if legal_hold and not existing.legal_hold:
            result = await self.set_legal_hold(existing.key, True)
        return result

    @abstractmethod
    async def _write(
        self, key: str, content: bytes, content_type: str, retain_until: datetime, legal_hold: bool
    ) -> StoredObject | None:
        """Store a new object; None, writing nothing, when the key already holds one."""

    @abstractmethod
    async def _read(self, key: str) -> bytes:
        """The stored bytes, unverified; EvidenceMissing when absent."""

    @abstractmethod
    async def _set_legal_hold(self, current: StoredObject, on: bool) -> None: ...

    @abstractmethod
    async def _set_retention(self, current: StoredObject, retain_until: datetime) -> None: ...
