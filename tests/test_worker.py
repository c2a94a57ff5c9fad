import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, select, text

from app.auth.models import AuthSession, RefreshToken
from app.auth.secrets import digest
from app.auth.tasks import prune_sign_ins
from app.jobs.worker import Worker
from app.kit.models import utcnow
from app.services import Services
from tests.factories import Factory

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
