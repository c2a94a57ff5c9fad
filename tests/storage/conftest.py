"""Both evidence stores, on real storage: a directory for the local store, and for the S3 store
the official minio client talking HTTP to moto's S3-compatible server (with Object Lock),
started once per run on a free local port."""

import io
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from minio import Minio
from moto.server import ThreadedMotoServer

from app.storage.local import LocalEvidenceStore
from app.storage.s3 import S3EvidenceStore
from app.storage.store import EvidenceStore


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    # Port 0: the server binds a free port itself, so parallel runs never collide.
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: str) -> Minio:
    return Minio(
        s3_endpoint,
        access_key="haven-test",
        secret_key="haven-test-secret",
        secure=False,
        region="us-east-1",
    )


@pytest.fixture
def bucket() -> str:
    return f"evidence-{uuid.uuid4().hex[:16]}"


@dataclass
class Backend(ABC):
    """A store plus what someone with direct access to its storage could do behind it."""

    name: str
    store: EvidenceStore

    @abstractmethod
    def overwrite(self, key: str, content: bytes) -> None:
        """Replace the stored bytes the way an attacker would."""

    @abstractmethod
    def copies(self, key: str) -> list[object]:
        """What is physically stored under `key`; changes whenever it is written again."""


@dataclass
class LocalBackend(Backend):
    root: Path

    def overwrite(self, key: str, content: bytes) -> None:
        path = self.root / key
        path.chmod(0o644)
        path.write_bytes(content)

    def copies(self, key: str) -> list[object]:
        found = (self.root / key).stat()
        return [(found.st_ino, found.st_mtime_ns)]


@dataclass
class S3Backend(Backend):
    client: Minio
    bucket: str

    def overwrite(self, key: str, content: bytes) -> None:
        self.client.put_object(self.bucket, key, io.BytesIO(content), len(content))

    def copies(self, key: str) -> list[object]:
        listing = self.client.list_objects(self.bucket, prefix=key, include_version=True)
        return [item.version_id for item in listing]


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, bucket: str) -> Backend:
    if request.param == "local":
        root = tmp_path / "evidence"
        return LocalBackend("local", LocalEvidenceStore(root), root)
    client: Minio = request.getfixturevalue("s3_client")
    return S3Backend("s3", S3EvidenceStore(client, bucket), client, bucket)


@pytest.fixture
def s3_store(s3_client: Minio, bucket: str) -> S3EvidenceStore:
    return S3EvidenceStore(s3_client, bucket)


@pytest.fixture
def local_store(tmp_path: Path) -> LocalEvidenceStore:
    return LocalEvidenceStore(tmp_path / "evidence")
