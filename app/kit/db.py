"""Engine, sessions and the one-transaction-per-mutation unit of work."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.kit.embedded import EmbeddedPostgres
from app.kit.errors import Conflict
from app.kit.settings import Settings
from app.kit.unavailable import DatabaseUnavailable, unreachable

AfterCommit = Callable[[], Awaitable[None]]
EventListener = Callable[[list[Any]], Awaitable[None]]
# Key in `session.info` under which a transaction collects the events it wrote.
COMMITTED_EVENTS = "haven.committed_events"
# asyncpg waits a minute by default for a host that drops packets; a request should not.
CONNECT_TIMEOUT_SECONDS = 10


def normalise_url(url: str) -> str:
    """Accept the usual `postgres://` and `postgresql://` forms and use the asyncpg driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


async def add_unique(session: AsyncSession, row: object, conflict: str) -> None:
    """Insert `row`; a unique constraint it breaks is CONFLICT with `conflict` as the message,
    and the rest of the transaction carries on (the insert runs in a savepoint)."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise Conflict(conflict) from None


@dataclass
class UnitOfWork:
    """One transaction; work queued with `after_commit` runs only once the commit succeeded."""

    session: AsyncSession
    pending: list[AfterCommit] = field(default_factory=list)

    def after_commit(self, action: AfterCommit) -> None:
        self.pending.append(action)


def _connect(dialect: Dialect, record: Any, cargs: Any, cparams: Any) -> Any:
    # The driver raises plain OSError when the server is not there (refused, no socket, no
    # route, timed out); said here, where it can only mean that.
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as error:
        raise DatabaseUnavailable(f"cannot connect to the database: {error}") from error


@contextmanager
def _reachable() -> Iterator[None]:
    """Raise `DatabaseUnavailable` for the failures that mean the database is out of reach."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except Exception as error:
        if unreachable(error):
            raise DatabaseUnavailable(str(error).partition("\n")[0] or repr(error)) from error
        raise


class Database:
    def __init__(self, url: str, *, pool_size: int = 10, embedded: EmbeddedPostgres | None = None):
        self.url = normalise_url(url)
        self.embedded = embedded
        self.engine: AsyncEngine = create_async_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=False,
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
        )
        event.listen(self.engine.sync_engine, "do_connect", _connect)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Told about every transaction's events once it has committed (live fan-out).
        self.event_listeners: list[EventListener] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> "Database":
        if settings.database_url:
            return cls(settings.database_url, pool_size=settings.db_pool_size)
        embedded = EmbeddedPostgres(settings.home / "pgdata")
        return cls(embedded.url(), pool_size=settings.db_pool_size, embedded=embedded)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A short session for reads; DataLoaders and resolvers each open their own."""
        with _reachable():
            async with self.sessions() as session:
                yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """Commit everything done inside at once, then run the after-commit actions and tell
        the event listeners what was committed (nothing is announced if it rolls back)."""
        with _reachable():
            async with self.sessions() as session:
                work = UnitOfWork(session)
                async with session.begin():
                    yield work
                committed = session.info.pop(COMMITTED_EVENTS, [])
        for action in work.pending:
            await action()
        if committed:
            for listener in self.event_listeners:
                await listener(committed)

    async def close(self) -> None:
        await self.engine.dispose()
        if self.embedded is not None:
            self.embedded.stop()
