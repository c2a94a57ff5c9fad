"""A throwaway Haven installation: a temporary home, its own embedded PostgreSQL, migrated.

Nothing here touches the developer's `./.haven`; everything lives under a fresh temp folder
that is deleted afterwards, even when a benchmark fails.
"""

import asyncio
import shutil
import tempfile
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

from app.kit.db import Database
from app.kit.embedded import EmbeddedPostgres
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.services import Services

T = TypeVar("T")


@dataclass(frozen=True)
class Environment:
    home: Path
    url: str  # SQLAlchemy URL: asyncpg driver over the server's Unix socket

    @property
    def socket_dir(self) -> str:
        return str(make_url(self.url).query["host"])

    @property
    def database(self) -> str:
        return str(make_url(self.url).database)

    def settings(self) -> Settings:
        return Settings(env="development", home=self.home)

    def services(self) -> Services:
        """Services on the bench database, as the server builds them (same signing keys)."""
        settings = self.settings()
        return Services.assemble(settings, Database(self.url))


@contextmanager
def haven_database() -> Iterator[Environment]:
    """Start PostgreSQL in a fresh home, migrate it, and stop and delete it all afterwards."""
    home = Path(tempfile.mkdtemp(prefix="haven-bench-"))
    server: EmbeddedPostgres | None = None
    try:
        server = EmbeddedPostgres(home / "pgdata")
        url = server.url()
        # Alembic runs its own event loop, so this happens before any benchmark starts one.
        upgrade(url)
        yield Environment(home, url)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(home, ignore_errors=True)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop when it is installed, as uvicorn does, so client-side timings compare."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)
