"""Evidence on the local disk, for installs without object storage.

Each object is a read-only file named by its SHA-256, created once and never replaced, with a
JSON sidecar holding its content type, retention date and legal hold. Nothing here can stop
someone with shell access from changing a file, so every read re-hashes it: tampering is
detected, not prevented. Retention and legal hold are recorded but not enforced by the disk;
the store refuses every delete and overwrite itself, whatever the dates say."""

import asyncio
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.storage.store import (
    DEFAULT_RETENTION,
    WRITE_ONCE,
    EvidenceMissing,
    EvidenceStore,
    EvidenceTampered,
    StoredObject,
    digest_of,
)

FILE_MODE = 0o444
DIR_MODE = 0o755
RECORD_MODE = 0o644


class LocalEvidenceStore(EvidenceStore):
    def __init__(self, root: Path, default_retention: timedelta = DEFAULT_RETENTION) -> None:
        super().__init__(default_retention)
        self.root = root

    async def head(self, key: str) -> StoredObject | None:
        return await asyncio.to_thread(self._head, key)

    async def _write(
        self, key: str, content: bytes, content_type: str, retain_until: datetime, legal_hold: bool
    ) -> StoredObject | None:
        record = {
            "content_type": content_type,
            "retain_until": retain_until.isoformat(),
            "legal_hold": legal_hold,
        }
        created = await asyncio.to_thread(self._create, key, content, record)
        return await self.head(key) if created else None

    async def _read(self, key: str) -> bytes:
        return await asyncio.to_thread(self._read_file, key)

    async def _set_legal_hold(self, current: StoredObject, on: bool) -> None:
        await asyncio.to_thread(self._update, current.key, legal_hold=on)

    async def _set_retention(self, current: StoredObject, retain_until: datetime) -> None:
        await asyncio.to_thread(self._update, current.key, retain_until=retain_until.isoformat())

    def _path(self, key: str) -> Path:
        digest_of(key)
        return self.root / key

    def _head(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return None
        record = self._load(key)
        return StoredObject(
            key=key,
            sha256=digest_of(key),
            size=size,
            content_type=record["content_type"],
            retention_mode=WRITE_ONCE,
            retain_until=datetime.fromisoformat(record["retain_until"]),
            legal_hold=record["legal_hold"],
        )

    def _read_file(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise EvidenceMissing(key) from None

    def _create(self, key: str, content: bytes, record: dict[str, Any]) -> bool:
        path = self._path(key)
        self._make_dirs(path.parent)
        with self._locked():
            if path.exists():
                return False
            # The record goes first: a file that exists always has one.
            self._save(key, record)
            descriptor, incoming = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(content)
                    file.flush()
                    os.fsync(file.fileno())
                os.chmod(incoming, FILE_MODE)
                # link(2) fails when the name exists, so a stored file is never replaced, even
                # by a writer that ignores the lock.
                os.link(incoming, path)
            except FileExistsError:
                return False
            finally:
                os.unlink(incoming)
        return True

    def _update(self, key: str, **changes: Any) -> None:
        with self._locked():
            self._save(key, {**self._load(key), **changes})

    def _make_dirs(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        # mkdir's mode is cut by the umask; these are set exactly.
        for level in (directory.parent, directory):
            os.chmod(level, DIR_MODE)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time across threads and processes sharing the directory."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _record_path(self, key: str) -> Path:
        path = self._path(key)
        return path.with_name(path.name + ".json")

    def _load(self, key: str) -> dict[str, Any]:
        try:
            record: dict[str, Any] = json.loads(self._record_path(key).read_text())
        except (FileNotFoundError, ValueError):
            raise EvidenceTampered(
                key, digest_of(key), None, "its record is missing or unreadable"
            ) from None
        return record

    def _save(self, key: str, record: dict[str, Any]) -> None:
        target = self._record_path(key)
        descriptor, incoming = tempfile.mkstemp(dir=target.parent, prefix=".record-")
        with os.fdopen(descriptor, "w") as file:
            json.dump(record, file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(incoming, RECORD_MODE)
        os.replace(incoming, target)
