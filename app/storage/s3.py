"""Evidence on S3-compatible storage (AWS S3, MinIO) under Object Lock in COMPLIANCE mode.

The bucket is versioned and locked: every object version carries a COMPLIANCE retention that
nobody, the account root included, can shorten or delete before it ends. A write to an
existing key does not replace anything; it adds a version on top. Reads therefore serve the
current version and check it against the content address: if someone has put other bytes (or
a delete marker) over the evidence, the read fails as tampered while the original version
stays locked in the bucket for investigators. Two processes storing the same new bytes at the
same moment may each add a version; both are identical and locked.

Retention and legal hold are read from HEAD's `x-amz-object-lock-*` headers, which S3 and MinIO
send to callers allowed GetObjectRetention and GetObjectLegalHold."""

import asyncio
import base64
import hashlib
import io
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta

from minio import Minio
from minio.error import S3Error
from minio.helpers import MIN_PART_SIZE
from minio.retention import COMPLIANCE as LOCK_COMPLIANCE
from minio.retention import Retention

from app.storage.store import (
    COMPLIANCE,
    DEFAULT_RETENTION,
    EvidenceMissing,
    EvidenceStore,
    EvidenceStoreMisconfigured,
    EvidenceTampered,
    StoredObject,
    digest_of,
)

_ABSENT = {"NoSuchKey", "NoSuchVersion"}


class S3EvidenceStore(EvidenceStore):
    def __init__(
        self, client: Minio, bucket: str, default_retention: timedelta = DEFAULT_RETENTION
    ) -> None:
        super().__init__(default_retention)
        self.client = client
        self.bucket = bucket
        self._ready = False
        self._ready_lock = threading.Lock()

    async def head(self, key: str) -> StoredObject | None:
        return await asyncio.to_thread(self._head, key)

    async def _write(
        self, key: str, content: bytes, content_type: str, retain_until: datetime, legal_hold: bool
    ) -> StoredObject:
        return await asyncio.to_thread(
            self._put, key, content, content_type, retain_until, legal_hold
        )

    async def _read(self, key: str) -> bytes:
        return await asyncio.to_thread(self._get, key)

    async def _set_legal_hold(self, current: StoredObject, on: bool) -> None:
        change = (
            self.client.enable_object_legal_hold if on else self.client.disable_object_legal_hold
        )
        await asyncio.to_thread(change, self.bucket, current.key, current.version_id)

    async def _set_retention(self, current: StoredObject, retain_until: datetime) -> None:
        await asyncio.to_thread(
            self.client.set_object_retention,
            self.bucket,
            current.key,
            Retention(LOCK_COMPLIANCE, retain_until),
            current.version_id,
        )

    def _put(
        self, key: str, content: bytes, content_type: str, retain_until: datetime, legal_hold: bool
    ) -> StoredObject:
        self._ensure_bucket()
        digest = digest_of(key)
        checksum = base64.b64encode(hashlib.sha256(content).digest()).decode()
        result = self.client.put_object(
            self.bucket,
            key,
            io.BytesIO(content),
            len(content),
            content_type=content_type,
            metadata={
                "sha256": digest,
                # S3 wants a checksum on every write under Object Lock; a SHA-256 one also has
                # the server verify what it received.
                "x-amz-sdk-checksum-algorithm": "SHA256",
                "x-amz-checksum-sha256": checksum,
            },
            retention=Retention(LOCK_COMPLIANCE, retain_until),
            legal_hold=legal_hold,
            # One PUT: the whole-object checksum above would not match a multipart upload.
            part_size=max(len(content), MIN_PART_SIZE),
        )
        return StoredObject(
            key=key,
            sha256=digest,
            size=len(content),
            content_type=content_type,
            retention_mode=COMPLIANCE,
            retain_until=retain_until,
            legal_hold=legal_hold,
            version_id=result.version_id,
        )

    def _head(self, key: str) -> StoredObject | None:
        digest = digest_of(key)
        self._ensure_bucket()
        try:
            found = self.client.stat_object(self.bucket, key)
        except S3Error as error:
            if error.code in _ABSENT:
                return None
            raise
        headers = found.metadata or {}
        self._check_recorded(key, digest, headers)
        until = headers.get("x-amz-object-lock-retain-until-date")
        return StoredObject(
            key=key,
            sha256=digest,
            size=found.size or 0,
            content_type=found.content_type or "application/octet-stream",
            retention_mode=headers.get("x-amz-object-lock-mode") or "NONE",
            retain_until=datetime.fromisoformat(until) if until else None,
            legal_hold=headers.get("x-amz-object-lock-legal-hold") == "ON",
            version_id=found.version_id,
        )

    def _get(self, key: str) -> bytes:
        digest = digest_of(key)
        self._ensure_bucket()
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as error:
            if error.code not in _ABSENT:
                raise
            if self._has_versions(key):
                raise EvidenceTampered(key, digest, None, "hidden by a delete marker") from None
            raise EvidenceMissing(key) from None
        try:
            content = response.read()
            self._check_recorded(key, digest, response.headers)
        finally:
            response.close()
            response.release_conn()
        return content

    @staticmethod
    def _check_recorded(key: str, digest: str, headers: Mapping[str, str]) -> None:
        recorded = headers.get("x-amz-meta-sha256")
        if recorded != digest:
            raise EvidenceTampered(
                key, digest, recorded, "the current version was not written by Haven"
            )

    def _has_versions(self, key: str) -> bool:
        listing = self.client.list_objects(self.bucket, prefix=key, include_version=True)
        return any(item.object_name == key for item in listing)

    def _ensure_bucket(self) -> None:
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            if not self.client.bucket_exists(self.bucket):
                self._make_bucket()
            self._require_object_lock()
            self._ready = True

    def _make_bucket(self) -> None:
        try:
            self.client.make_bucket(self.bucket, object_lock=True)
        except S3Error as error:
            # Another process created it first; it is checked like any existing bucket.
            if error.code != "BucketAlreadyOwnedByYou":
                raise

    def _require_object_lock(self) -> None:
        try:
            self.client.get_object_lock_config(self.bucket)
        except S3Error as error:
            if error.code != "ObjectLockConfigurationNotFoundError":
                raise
            raise EvidenceStoreMisconfigured(
                f"Bucket {self.bucket!r} has no Object Lock, so stored evidence could be "
                "deleted or overwritten. Point HAVEN_EVIDENCE_S3_BUCKET at a bucket created with "
                "Object Lock, or at a new name for Haven to create one."
            ) from None
