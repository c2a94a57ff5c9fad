"""The evidence store the settings ask for."""

from datetime import timedelta

from minio import Minio

from app.kit.settings import Settings
from app.storage.local import LocalEvidenceStore
from app.storage.s3 import S3EvidenceStore
from app.storage.store import EvidenceStore, EvidenceStoreMisconfigured


def evidence_store(settings: Settings) -> EvidenceStore:
    retention = timedelta(days=settings.evidence_retention_days)
    if settings.evidence_store == "s3":
        return S3EvidenceStore(s3_client(settings), settings.evidence_s3_bucket, retention)
    return LocalEvidenceStore(settings.home / "evidence", retention)


def s3_client(settings: Settings) -> Minio:
    required = {
        "HAVEN_EVIDENCE_S3_ENDPOINT": settings.evidence_s3_endpoint,
        "HAVEN_EVIDENCE_S3_ACCESS_KEY": settings.evidence_s3_access_key,
        "HAVEN_EVIDENCE_S3_SECRET_KEY": settings.evidence_s3_secret_key,
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise EvidenceStoreMisconfigured(f"HAVEN_EVIDENCE_STORE=s3 needs {', '.join(missing)}")
    return Minio(
        settings.evidence_s3_endpoint or "",
        access_key=settings.evidence_s3_access_key,
        secret_key=settings.evidence_s3_secret_key,
        secure=settings.evidence_s3_secure,
        region=settings.evidence_s3_region,
    )
