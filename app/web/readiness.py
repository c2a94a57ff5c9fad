"""`GET /ready`: whether this process can serve requests now.

It asks the database for `SELECT 1`, and Redis for a PING when `REDIS_URL` is set, each with a
short timeout, and answers 200 or 503 naming the check that failed. `/health` stays a liveness
probe without I/O: a database outage should take processes out of rotation, not restart them."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from redis import asyncio as redis
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from app.kit import unavailable
from app.kit.db import Database
from app.services import Services

logger = logging.getLogger("haven.web")
CHECK_TIMEOUT_SECONDS = 2.0
Check = Callable[[], Awaitable[None]]


async def database_answers(db: Database) -> None:
    async with db.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def redis_answers(url: str) -> None:
    client = redis.Redis.from_url(
        url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        await client.ping()
    finally:
        await client.aclose()


class Readiness:
    """The checks this process's settings call for, run together on every request."""

    def __init__(self, services: Services) -> None:
        self.checks: dict[str, Check] = {"database": lambda: database_answers(services.db)}
        redis_url = services.settings.redis_url
        if redis_url:
            self.checks["redis"] = lambda: redis_answers(redis_url)
        self.outages = {name: unavailable.OutageLog(logger, name) for name in self.checks}

    async def answer(self, request: Request) -> JSONResponse:
        outcomes = await asyncio.gather(*(self.run(name) for name in self.checks))
        checks = dict(zip(self.checks, outcomes, strict=True))
        headers = {"Cache-Control": "no-store"}
        if all(outcome == "ok" for outcome in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks}, headers=headers)
        headers["Retry-After"] = str(unavailable.RETRY_AFTER_SECONDS)
        body = {"status": "unavailable", "checks": checks}
        return JSONResponse(body, status_code=503, headers=headers)

    async def run(self, name: str) -> str:
        """One check's outcome, "ok", "timeout" or "failed"; why goes to the log only."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                await self.checks[name]()
        except TimeoutError:
            self.outages[name].failed("readiness", f"no answer in {CHECK_TIMEOUT_SECONDS}s")
            return "timeout"
        except Exception as error:  # whatever it was, this process cannot serve with it
            self.outages[name].failed("readiness", repr(error))
            return "failed"
        return "ok"


def readiness_routes(services: Services) -> list[BaseRoute]:
    return [Route("/ready", Readiness(services).answer, methods=["GET"])]
