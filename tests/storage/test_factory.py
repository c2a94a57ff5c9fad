"""The store is chosen and configured by HAVEN_EVIDENCE_* settings."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio import Minio

from app.kit.settings import Settings
from app.storage.factory import evidence_store
from app.storage.local import LocalEvidenceStore
from app.storage.s3 import S3EvidenceStore
from app.storage.store import EvidenceStoreMisconfigured

NOTE = b"moderator note: screenshots attached"


def days_ahead(days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


async def test_local_store_under_home_is_the_default(tmp_path: Path) -> None:
    store = evidence_store(Settings(home=tmp_path))

    stored = await store.put(NOTE, content_type="text/plain")

    assert isinstance(store, LocalEvidenceStore)
    assert (tmp_path / "evidence" / stored.key).read_bytes() == NOTE


async def test_s3_store_is_configured_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, s3_client: Minio, bucket: str
) -> None:
    for name, value in {
        "STORE": "s3",
        "S3_ENDPOINT": s3_endpoint,
        "S3_ACCESS_KEY": "factory-key",
        "S3_SECRET_KEY": "factory-secret",
        "S3_SECURE": "false",
        "S3_REGION": "us-east-1",
        "S3_BUCKET": bucket,
        "RETENTION_DAYS": "30",
    }.items():
        monkeypatch.setenv(f"HAVEN_EVIDENCE_{name}", value)
    store = evidence_store(Settings())

    stored = await store.put(NOTE, content_type="text/plain")

    assert isinstance(store, S3EvidenceStore)
    assert stored.retention_mode == "COMPLIANCE"
    assert stored.retain_until is not None
    assert abs(stored.retain_until - days_ahead(30)) < timedelta(minutes=1)
    assert s3_client.get_object(bucket, stored.key).read() == NOTE


def test_s3_store_without_its_endpoint_and_keys_is_refused() -> None:
    settings = Settings(evidence_store="s3", evidence_s3_access_key="key")

    with pytest.raises(EvidenceStoreMisconfigured) as refused:
        evidence_store(settings)

    assert "HAVEN_EVIDENCE_S3_ENDPOINT" in str(refused.value)
    assert "HAVEN_EVIDENCE_S3_SECRET_KEY" in str(refused.value)
    assert "HAVEN_EVIDENCE_S3_ACCESS_KEY" not in str(refused.value)
