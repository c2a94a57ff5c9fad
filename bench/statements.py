"""Counting what one request asks of the database, from inside the app's engine.

The server subprocess cannot be instrumented, so one more request of the same query runs
in-process (the same app factory, on the same database) with SQLAlchemy listeners attached.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, event

from app.web.app import create_app
from bench.environment import Environment

TABLE = re.compile(r"\b(?:FROM|UPDATE|INTO)\s+(\w+)", re.IGNORECASE)


@dataclass
class DatabaseWork:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0
    checkouts: int = 0

    def by_kind(self) -> Counter[str]:
        """`SELECT comments`-style labels, so an N+1 shows up as one large count."""
        return Counter(_label(statement) for statement in self.statements)

    def on_statement(self, conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        self.statements.append(statement)

    def on_begin(self, conn: Any) -> None:
        self.transactions += 1

    def on_checkout(self, *args: Any) -> None:
        self.checkouts += 1


def _label(statement: str) -> str:
    verb = statement.split(None, 1)[0].upper() if statement.strip() else "?"
    table = TABLE.search(statement)
    return f"{verb} {table.group(1)}" if table else verb


async def count_database_work(
    env: Environment, headers: dict[str, str], body: bytes
) -> DatabaseWork:
    """Database work of one steady-state request (the first one warms caches, touches the key)."""
    services = env.services()
    app = create_app(services.settings, services)
    engine = services.db.engine.sync_engine
    work = DatabaseWork()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            await _post(client, headers, body)
            with _recording(engine, work):
                await _post(client, headers, body)
    finally:
        await services.db.engine.dispose()
    return work


@contextmanager
def _recording(engine: Engine, work: DatabaseWork) -> Iterator[None]:
    listeners: list[tuple[Any, str, Callable[..., None]]] = [
        (engine, "before_cursor_execute", work.on_statement),
        (engine, "begin", work.on_begin),
        (engine.pool, "checkout", work.on_checkout),
    ]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)


async def _post(client: httpx.AsyncClient, headers: dict[str, str], body: bytes) -> None:
    response = await client.post("/graphql", content=body, headers=headers)
    if response.status_code != 200 or response.json().get("errors"):
        raise RuntimeError(f"in-process request failed: {response.status_code} {response.text}")
