"""Behaviour both evidence stores share, run against each on real storage."""

import hashlib
import logging
from datetime import UTC, datetime, timedelta

import pytest

from app.kit.errors import ValidationFailed
from app.storage.store import (
    EvidenceImmutable,
    EvidenceMissing,
    EvidenceTampered,
    RetentionShortening,
)
from tests.storage.conftest import Backend

REPORT = b"%PDF-1.7 moderation report: account 4471, 3 images preserved"
MODES = {"local": "WRITE_ONCE", "s3": "COMPLIANCE"}


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def days_ahead(days: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


class TestPutAndGet:
    async def test_round_trip_keeps_bytes_under_their_sha256(self, backend: Backend) -> None:
        digest = sha256(REPORT)
        stored = await backend.store.put(REPORT, content_type="application/pdf")

        assert stored.key == f"sha256/{digest[:2]}/{digest}"
        assert (stored.sha256, stored.size) == (digest, len(REPORT))
        assert stored.content_type == "application/pdf"
        assert stored.retention_mode == MODES[backend.name]
        assert stored.legal_hold is False
        assert (stored.version_id is not None) == (backend.name == "s3")
        assert await backend.store.get(stored.key, digest) == REPORT
        assert await backend.store.head(stored.key) == stored

    async def test_default_retention_is_seven_years(self, backend: Backend) -> None:
        stored = await backend.store.put(REPORT, content_type="application/pdf")

        assert stored.retain_until is not None
        assert abs(stored.retain_until - days_ahead(2555)) < timedelta(minutes=1)

    async def test_empty_content_round_trips(self, backend: Backend) -> None:
        stored = await backend.store.put(b"", content_type="text/plain")

        assert stored.size == 0
        assert await backend.store.get(stored.key, sha256(b"")) == b""

    async def test_identical_bytes_return_the_existing_object_unwritten(
        self, backend: Backend
    ) -> None:
        first = await backend.store.put(REPORT, content_type="application/pdf")
        before = backend.copies(first.key)

        again = await backend.store.put(REPORT, content_type="text/plain")

        assert again == first
        assert backend.copies(first.key) == before

    async def test_identical_bytes_never_shorten_retention(self, backend: Backend) -> None:
        long, short, longest = days_ahead(3000), days_ahead(10), days_ahead(4000)
        first = await backend.store.put(REPORT, content_type="application/pdf", retain_until=long)
        shorter = await backend.store.put(
            REPORT, content_type="application/pdf", retain_until=short
        )
        longer = await backend.store.put(
            REPORT, content_type="application/pdf", retain_until=longest
        )

        assert first.retain_until == shorter.retain_until == long
        assert longer.retain_until == longest
        assert longer.key == first.key

    async def test_identical_bytes_add_but_never_lift_a_legal_hold(self, backend: Backend) -> None:
        await backend.store.put(REPORT, content_type="application/pdf")
        held = await backend.store.put(REPORT, content_type="application/pdf", legal_hold=True)
        still = await backend.store.put(REPORT, content_type="application/pdf")

        assert held.legal_hold is True
        assert still.legal_hold is True

    async def test_absent_key_is_missing(self, backend: Backend) -> None:
        key = f"sha256/{sha256(b'never stored')[:2]}/{sha256(b'never stored')}"

        assert await backend.store.head(key) is None
        with pytest.raises(EvidenceMissing):
            await backend.store.get(key, sha256(b"never stored"))

    @pytest.mark.parametrize(
        "key",
        ["../../etc/passwd", "sha256/ab/" + "ab" * 31 + "..", "sha256/00/" + "ab" * 32],
    )
    async def test_malformed_keys_are_refused(self, backend: Backend, key: str) -> None:
        with pytest.raises(ValidationFailed):
            await backend.store.get(key, "ab" * 32)
        with pytest.raises(ValidationFailed):
            await backend.store.head(key)

    async def test_retention_dates_must_be_aware_and_in_the_future(self, backend: Backend) -> None:
        with pytest.raises(ValidationFailed):
            await backend.store.put(REPORT, content_type="x/y", retain_until=datetime(2099, 1, 1))
        with pytest.raises(ValidationFailed):
            await backend.store.put(REPORT, content_type="x/y", retain_until=days_ahead(-1))
        assert await backend.store.head(f"sha256/{sha256(REPORT)[:2]}/{sha256(REPORT)}") is None


class TestTampering:
    async def test_changed_bytes_are_detected_on_read(
        self, backend: Backend, caplog: pytest.LogCaptureFixture
    ) -> None:
        stored = await backend.store.put(REPORT, content_type="application/pdf")
        forged = REPORT.replace(b"4471", b"9999")
        backend.overwrite(stored.key, forged)

        with (
            caplog.at_level(logging.ERROR, logger="haven.evidence"),
            pytest.raises(EvidenceTampered) as caught,
        ):
            await backend.store.get(stored.key, stored.sha256)

        assert caught.value.code == "EVIDENCE_TAMPERED"
        assert caught.value.details["key"] == stored.key
        assert caught.value.details["expected"] == stored.sha256
        incidents = [r for r in caplog.records if r.name == "haven.evidence"]
        assert [r.levelno for r in incidents] == [logging.ERROR]
        assert stored.key in incidents[0].getMessage()

    async def test_a_record_that_disagrees_with_the_bytes_is_tampering(
        self, backend: Backend
    ) -> None:
        stored = await backend.store.put(REPORT, content_type="application/pdf")

        with pytest.raises(EvidenceTampered) as caught:
            await backend.store.get(stored.key, sha256(b"what the case file says"))

        assert caught.value.details["actual"] == stored.sha256


class TestImmutability:
    async def test_delete_is_refused_and_the_evidence_stays(self, backend: Backend) -> None:
        stored = await backend.store.put(REPORT, content_type="application/pdf")

        with pytest.raises(EvidenceImmutable) as caught:
            await backend.store.delete(stored.key)

        assert caught.value.code == "EVIDENCE_IMMUTABLE"
        assert await backend.store.get(stored.key, stored.sha256) == REPORT

    async def test_legal_hold_goes_on_and_off(self, backend: Backend) -> None:
        stored = await backend.store.put(REPORT, content_type="application/pdf")

        on = await backend.store.set_legal_hold(stored.key, True)
        seen_on = await backend.store.head(stored.key)
        off = await backend.store.set_legal_hold(stored.key, False)
        seen_off = await backend.store.head(stored.key)

        assert on.legal_hold and seen_on is not None and seen_on.legal_hold
        assert not off.legal_hold and seen_off is not None and not seen_off.legal_hold

    async def test_retention_extends_forward_and_never_backward(self, backend: Backend) -> None:
        month, quarter, two_months = days_ahead(30), days_ahead(90), days_ahead(60)
        stored = await backend.store.put(REPORT, content_type="application/pdf", retain_until=month)

        extended = await backend.store.extend_retention(stored.key, quarter)
        with pytest.raises(RetentionShortening) as caught:
            await backend.store.extend_retention(stored.key, two_months)
        seen = await backend.store.head(stored.key)

        assert stored.retain_until == month
        assert extended.retain_until == quarter
        assert caught.value.code == "RETENTION_SHORTENING"
        assert seen is not None and seen.retain_until == quarter

    async def test_hold_and_retention_of_absent_evidence_are_missing(
        self, backend: Backend
    ) -> None:
        key = f"sha256/{sha256(b'nothing')[:2]}/{sha256(b'nothing')}"

        with pytest.raises(EvidenceMissing):
            await backend.store.set_legal_hold(key, True)
        with pytest.raises(EvidenceMissing):
            await backend.store.extend_retention(key, days_ahead(5))
