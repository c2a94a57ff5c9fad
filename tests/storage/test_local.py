"""The local store's files on disk: read-only, written once, and never replaced."""

import asyncio
import hashlib
import os
import stat
from pathlib import Path

import pytest

from app.storage.local import LocalEvidenceStore
from app.storage.store import EvidenceTampered

PHOTO = bytes(range(256)) * 64


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_content_is_a_read_only_file_named_by_its_hash(
    local_store: LocalEvidenceStore,
) -> None:
    stored = await local_store.put(PHOTO, content_type="image/jpeg")
    path = local_store.root / stored.key

    assert path.read_bytes() == PHOTO
    assert path.name == hashlib.sha256(PHOTO).hexdigest()
    assert mode(path) == 0o444
    assert mode(path.parent) == mode(path.parent.parent) == 0o755
    assert not [name for name in os.listdir(path.parent) if name.startswith(".")]


async def test_concurrent_puts_of_the_same_bytes_write_one_file(
    local_store: LocalEvidenceStore,
) -> None:
    results = await asyncio.gather(
        *(local_store.put(PHOTO, content_type="image/jpeg") for _ in range(8))
    )

    assert len({result.key for result in results}) == 1
    assert sorted(os.listdir((local_store.root / results[0].key).parent)) == [
        results[0].sha256,
        f"{results[0].sha256}.json",
    ]


async def test_a_file_planted_under_the_key_is_never_replaced_and_fails_reads(
    local_store: LocalEvidenceStore,
) -> None:
    digest = hashlib.sha256(PHOTO).hexdigest()
    planted = local_store.root / "sha256" / digest[:2] / digest
    planted.parent.mkdir(parents=True)
    planted.write_bytes(b"not the photo")
    planted.with_name(f"{digest}.json").write_text(
        '{"content_type": "image/jpeg", "retain_until": "2099-01-01T00:00:00+00:00",'
        ' "legal_hold": false}'
    )

    stored = await local_store.put(PHOTO, content_type="image/jpeg")

    assert planted.read_bytes() == b"not the photo"
    with pytest.raises(EvidenceTampered):
        await local_store.get(stored.key, digest)


async def test_replacing_the_file_rather_than_editing_it_is_detected(
    local_store: LocalEvidenceStore,
) -> None:
    stored = await local_store.put(PHOTO, content_type="image/jpeg")
    path = local_store.root / stored.key
    path.unlink()
    path.write_bytes(PHOTO[:-1])

    with pytest.raises(EvidenceTampered):
        await local_store.get(stored.key, stored.sha256)


async def test_a_removed_record_is_reported_as_tampering(
    local_store: LocalEvidenceStore,
) -> None:
    stored = await local_store.put(PHOTO, content_type="image/jpeg")
    (local_store.root / f"{stored.key}.json").unlink()

    with pytest.raises(EvidenceTampered, match="integrity") as caught:
        await local_store.head(stored.key)

    assert caught.value.reason == "its record is missing or unreadable"
