"""The S3 store on a real S3-compatible server, and what Object Lock itself refuses when someone
goes round Haven with the storage credentials."""

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from minio import Minio
from minio.error import S3Error
from minio.retention import COMPLIANCE, Retention

from app.storage.s3 import S3EvidenceStore
from app.storage.store import EvidenceStoreMisconfigured, EvidenceTampered, StoredObject

CHAT_LOG = b'{"from": "user_88", "to": "user_12", "text": "..."}'


async def preserve(
    store: S3EvidenceStore, retain_until: datetime | None = None, legal_hold: bool = False
) -> StoredObject:
    return await store.put(
        CHAT_LOG, content_type="application/json", retain_until=retain_until, legal_hold=legal_hold
    )


class TestBucket:
    async def test_first_use_creates_a_versioned_bucket_with_object_lock(
        self, s3_store: S3EvidenceStore, s3_client: Minio, bucket: str
    ) -> None:
        assert not s3_client.bucket_exists(bucket)

        await preserve(s3_store)

        assert s3_client.get_bucket_versioning(bucket).status == "Enabled"
        s3_client.get_object_lock_config(bucket)

    async def test_existing_bucket_without_object_lock_is_refused(
        self, s3_store: S3EvidenceStore, s3_client: Minio, bucket: str
    ) -> None:
        s3_client.make_bucket(bucket)

        with pytest.raises(EvidenceStoreMisconfigured, match="no Object Lock"):
            await preserve(s3_store)

        assert list(s3_client.list_objects(bucket, recursive=True)) == []

    async def test_objects_carry_compliance_retention_and_their_sha256(
        self, s3_store: S3EvidenceStore, s3_client: Minio, bucket: str
    ) -> None:
        until = (datetime.now(UTC) + timedelta(days=400)).replace(microsecond=0)
        stored = await preserve(s3_store, retain_until=until, legal_hold=True)

        headers = s3_client.stat_object(bucket, stored.key, version_id=stored.version_id).metadata
        assert headers is not None

        assert headers["x-amz-object-lock-mode"] == "COMPLIANCE"
        assert datetime.fromisoformat(headers["x-amz-object-lock-retain-until-date"]) == until
        assert headers["x-amz-object-lock-legal-hold"] == "ON"
        assert headers["x-amz-meta-sha256"] == hashlib.sha256(CHAT_LOG).hexdigest()


class TestObjectLockGoesRoundHaven:
    async def test_server_refuses_deleting_a_retained_version(
        self, s3_store: S3EvidenceStore, s3_client: Minio, bucket: str
    ) -> None:
        stored = await preserve(s3_store)

        with pytest.raises(S3Error) as refused:
            s3_client.remove_object(bucket, stored.key, version_id=stored.version_id)

        assert refused.value.code == "AccessDenied"
        assert await s3_store.get(stored.key, stored.sha256) == CHAT_LOG

    @pytest.mark.xfail(
        strict=True,
        raises=AssertionError,
        reason="moto 5.2.5 applies any PutObjectRetention, even one shortening COMPLIANCE "
        "retention, which S3 and MinIO refuse with AccessDenied",
    )
    async def test_server_refuses_shortening_compliance_retention(
        self, s3_store: S3EvidenceStore, s3_client: Minio, bucket: str
    ) -> None:
        until = (datetime.now(UTC) + timedelta(days=400)).replace(microsecond=0)
        stored = await preserve(s3_store, retain_until=until)
        earlier = Retention(COMPLIANCE, until - timedelta(days=300))

        try:
            s3_client.set_object_retention(bucket, stored.key, earlier, stored.version_id)
        except S3Error as refused:
            assert refused.code == "AccessDenied"
        else:
            raise AssertionError("the server shortened COMPLIANCE retention")
        seen = await s3_store.head(stored.key)
        assert seen is not None and seen.retain_until == until

    async def test_server_refuses_deleting_a_version_under_legal_hold(
        self, s3_store: S3EvidenceStore, s3_client: Minio, bucket: str
    ) -> None:
        stored = await preserve(s3_store, legal_hold=True)

        with pytest.raises(S3Error) as refused:
            s3_client.remove_object(bucket, stored.key, version_id=stored.version_id)

        assert refused.value.code == "AccessDenied"

    async def test_direct_overwrite_is_detected_and_the_original_survives(
        self, s3_store: S3EvidenceStore, s3_client: Minio, bucket: str
    ) -> None:
        stored = await preserve(s3_store)
        forged = b'{"from": "user_12", "to": "user_88", "text": "..."}'
        # Even with the recorded hash copied over, the bytes give the forgery away.
        s3_client.put_object(
            bucket, stored.key, io.BytesIO(forged), len(forged), metadata={"sha256": stored.sha256}
        )

        with pytest.raises(EvidenceTampered) as caught:
            await s3_store.get(stored.key, stored.sha256)

        assert caught.value.details["actual"] == hashlib.sha256(forged).hexdigest()
        original = s3_client.get_object(bucket, stored.key, version_id=stored.version_id)
        assert original.read() == CHAT_LOG

    async def test_delete_marker_over_evidence_is_tampering_not_absence(
        self, s3_store: S3EvidenceStore, s3_client: Minio, bucket: str
    ) -> None:
        stored = await preserve(s3_store)
        # S3 lets anyone with delete rights hide a locked object behind a delete marker.
        s3_client.remove_object(bucket, stored.key)

        with pytest.raises(EvidenceTampered, match="integrity") as caught:
            await s3_store.get(stored.key, stored.sha256)

        assert caught.value.reason == "hidden by a delete marker"
        original = s3_client.get_object(bucket, stored.key, version_id=stored.version_id)
        assert original.read() == CHAT_LOG
