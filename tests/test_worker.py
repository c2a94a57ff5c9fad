import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from pgqueuer import PgQueuer
from pgqueuer.db import AsyncpgDriver
from pgqueuer.models import Job
from pgqueuer.queries import Queries
from sqlalchemy import func, select, text

from app.auth.models import AuthSession, RefreshToken
from app.auth.secrets import digest
from app.auth.tasks import prune_sign_ins
from app.jobs.worker import Backoff, Worker, asyncpg_dsn, register
from app.kit.db import Database
from app.kit.models import utcnow
from app.kit.settings import Settings
from app.services import Services
from tests.factories import Factory
from tests.separate_postgres import SeparatePostgres

TTL = timedelta(days=30)


async def sign_in(services: Services, user_id: uuid.UUID, tenant_id: uuid.UUID, **when: object):
    """A sign-in with one refresh token, back-dated as asked."""
    async with services.db.transaction() as work:
        session = AuthSession(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            user_id=user_id,
            created_at=when.get("created_at", utcnow()),
            revoked_at=when.get("revoked_at"),
        )
        work.session.add(session)
        await work.session.flush()
        work.session.add(
            RefreshToken(
                session_id=session.id,
                token_hash=digest(uuid.uuid4().hex),
                expires_at=when.get("expires_at", utcnow() + TTL),
            )
        )
    return session.id


async def remaining(services: Services, session_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    async with services.db.read() as session:
        found = await session.scalars(select(AuthSession.id).where(AuthSession.id.in_(session_ids)))
        present = set(found)
        tokens = dict(
            (
                await session.execute(
                    select(RefreshToken.session_id, func.count())
                    .where(RefreshToken.session_id.in_(session_ids))
                    .group_by(RefreshToken.session_id)
                )
            ).all()
        )
    return {sid: tokens.get(sid, 0) for sid in session_ids if sid in present}


class TestPruneSignIns:
    async def test_dead_sign_ins_go_and_live_ones_stay(
        self, factory: Factory, services: Services
    ) -> None:
        tenant = await factory.tenant()
        user = await factory.user(tenant)
        long_ago = utcnow() - TTL - timedelta(days=5)
        live = await sign_in(services, user.id, tenant.id)
        expired = await sign_in(
            services, user.id, tenant.id, created_at=long_ago, expires_at=long_ago + TTL
        )
        revoked_long_ago = await sign_in(
            services, user.id, tenant.id, revoked_at=utcnow() - timedelta(days=31)
        )
        revoked_yesterday = await sign_in(
            services, user.id, tenant.id, revoked_at=utcnow() - timedelta(days=1)
        )

        async with services.db.transaction() as work:
            await prune_sign_ins(work.session, TTL)

        left = await remaining(services, [live, expired, revoked_long_ago, revoked_yesterday])
        # A recently revoked sign-in is kept so a replayed refresh token is still recognised.
        assert left == {live: 1, revoked_yesterday: 1}

    async def test_a_token_expired_just_now_is_kept_for_reuse_detection(
        self, factory: Factory, services: Services
    ) -> None:
        tenant = await factory.tenant()
        user = await factory.user(tenant)
        recent = await sign_in(
            services, user.id, tenant.id, expires_at=utcnow() - timedelta(hours=1)
        )
        async with services.db.transaction() as work:
            await prune_sign_ins(work.session, TTL)
        assert await remaining(services, [recent]) == {recent: 1}


class TestWorker:
    async def test_worker_registers_its_schedules_and_stops_cleanly(
        self, services: Services
    ) -> None:
        # Another test's worker may have registered the schedules earlier in the session;
        # this one must register them itself.
        async with services.db.transaction() as work:
            await work.session.execute(text("DELETE FROM pgqueuer_schedules"))
        worker = Worker(services)
        running = asyncio.create_task(worker.run())
        try:
            for _ in range(100):
                async with services.db.read() as session:
                    found = await session.scalar(
                        text(
                            "SELECT next_run FROM pgqueuer_schedules "
                            "WHERE entrypoint = 'prune_sign_ins'"
                        )
                    )
                if found is not None:
                    break
                await asyncio.sleep(0.1)
        finally:
            worker.stop()
            await asyncio.wait_for(running, timeout=15)
        assert found is not None and found > utcnow()
        assert running.exception() is None


@pytest.fixture(scope="module")
def outage_server() -> Iterator[SeparatePostgres]:
    server = SeparatePostgres()
    yield server
    server.close()


async def enqueue(url: str, payload: bytes) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url), timeout=10)
    try:
        await Queries(AsyncpgDriver(connection)).enqueue(PROBE, payload)
    finally:
        await connection.close()


async def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


PROBE = "haven_test_probe"


class TestWorkerOutlivesPostgresRestarts:
    async def test_a_job_enqueued_after_a_restart_runs_and_stop_is_prompt(
        self, outage_server: SeparatePostgres, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        settings = Settings(env="test", home=tmp_path)
        services = Services.assemble(settings, Database(outage_server.url, pool_size=2))
        ran: list[bytes] = []

        def probe(queue: PgQueuer, _: Services) -> None:
            @queue.entrypoint(PROBE)
            async def record(job: Job) -> None:
                ran.append(job.payload or b"")

        worker = Worker(services, jobs=(register, probe), backoff=Backoff(first=0.1, ceiling=0.5))
        caplog.set_level(logging.INFO, logger="haven.worker")
        worker.start()
        try:
            await enqueue(outage_server.url, b"before")
            assert await wait_for(lambda: b"before" in ran, 20), "the worker never ran a job"
            await asyncio.sleep(0.5)  # its outcome is written in batches, every 0.1 s

            outage_server.stop()
            # It notices the lost connection and keeps trying while the server is down.
            assert await wait_for(lambda: "starting again" in caplog.text, 10)
            await asyncio.sleep(1)
            outage_server.start()

            await enqueue(outage_server.url, b"after")
            assert await wait_for(lambda: b"after" in ran, 30), "no job ran after the restart"
        finally:
            began = time.monotonic()
            await asyncio.wait_for(worker.close(), timeout=30)
            stopped_in = time.monotonic() - began
            await services.db.close()
        assert stopped_in < 5
        warnings = [
            r for r in caplog.records if r.name == "haven.worker" and r.levelno >= logging.WARNING
        ]
        assert len(warnings) == 1, [r.getMessage() for r in warnings]
        assert "starting again" in warnings[0].getMessage()

    async def test_stop_while_the_database_is_down_is_prompt(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        nowhere = f"postgresql+asyncpg://postgres@/haven?host={tmp_path / 'no-server-here'}"
        services = Services.assemble(Settings(env="test", home=tmp_path), Database(nowhere))
        worker = Worker(services, backoff=Backoff(first=5, ceiling=5))
        worker.start()
        assert await wait_for(lambda: "starting again" in caplog.text, 10)
        began = time.monotonic()
        await asyncio.wait_for(worker.close(), timeout=10)
        assert time.monotonic() - began < 1
        await services.db.close()
