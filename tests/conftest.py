"""Tests run against a real embedded PostgreSQL 18 + pgvector, migrated by Alembic.

Each test makes its own tenants, so tests never see each other's rows and need no cleanup.
"""

import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, text

from app.kit.db import Database
from app.kit.embedded import EmbeddedPostgres
from app.kit.migrate import upgrade
from app.kit.settings import Settings
from app.services import Services
from app.web.app import create_app
from tests.factories import Factory

# No test resolves a name off the machine: names come from a fixed table (see local_dns).
from tests.local_dns import names_resolve_locally  # noqa: F401


@pytest.fixture(scope="session")
def home() -> Iterator[Path]:
    # Not pytest's tmp tree: pytest prunes old run folders there, and a second test run at the
    # same time would delete this run's database from under it.
    path = Path(tempfile.mkdtemp(prefix="haven-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(home: Path) -> Iterator[str]:
    server = EmbeddedPostgres(home / "pgdata")
    url = server.create_database("haven_test")
    # Alembic's env runs its own event loop, so migrate from a thread with none running.
    worker = threading.Thread(target=upgrade, args=(url,))
    worker.start()
    worker.join()
    yield url
    server.stop()


@pytest.fixture(scope="session")
def settings(home: Path) -> Settings:
    return Settings(env="test", home=home)


@pytest.fixture(scope="session")
async def services(settings: Settings, database_url: str) -> AsyncIterator[Services]:
    services = Services.assemble(settings, Database(database_url))
    await services.open()
    yield services
    await services.close()


@pytest.fixture(scope="session")
async def client(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services.settings, services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        yield client


@pytest.fixture(autouse=True)
async def queue_left_empty(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Jobs a test queued (every new ticket queues its triage) do not outlive it: a later
    test's worker would otherwise work through them first."""
    yield
    if "services" in request.fixturenames:
        services: Services = request.getfixturevalue("services")
        async with services.db.transaction() as work:
            await work.session.execute(text("DELETE FROM pgqueuer WHERE status = 'queued'"))


@pytest.fixture
def factory(services: Services, client: httpx.AsyncClient) -> Factory:
    return Factory(services, client)


class StatementCounter:
    """Counts SQL statements the app sends, as the database would see them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object, **kwargs: object) -> None:
        self.count += 1


@pytest.fixture
def statements(services: Services) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(services.db.engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(services.db.engine.sync_engine, "before_cursor_execute", counter)
