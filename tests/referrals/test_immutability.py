"""A submitted referral is what the authority received: the service refuses to change it but
for its one acknowledgement, and so does the database, whatever SQL reaches it."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.kit.errors import HavenError
from app.referrals.models import Referral, ReferralStatus
from app.referrals.states import Step
from app.services import Services
from tests.factories import Factory
from tests.referrals.helpers import build_scene, referral_in, step

S = ReferralStatus


async def run(services: Services, statement: str, **params: object) -> None:
    async with services.db.transaction() as work:
        await work.session.execute(text(statement), params)


async def stored(services: Services, referral: Referral) -> Referral:
    async with services.db.read() as session:
        row = await session.get(Referral, referral.id, populate_existing=True)
        assert row is not None
        return row


@pytest.mark.parametrize("status", [S.SUBMITTED, S.ACKNOWLEDGED])
@pytest.mark.parametrize(
    ("move", "kwargs"),
    [
        (Step.RETURN_TO_DRAFT, {"reason": "Change it"}),
        (Step.WITHDRAW, {"reason": "Take it back"}),
        (Step.SUBMIT, {}),
    ],
)
async def test_the_service_refuses_to_change_a_submitted_referral(
    factory: Factory, services: Services, status: S, move: Step, kwargs: dict[str, str]
) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, status)
    with pytest.raises(HavenError) as refused:
        await step(services, scene.world.admin, referral, move, **kwargs)
    assert refused.value.code == "REFERRAL_LOCKED"
    assert (await stored(services, referral)).status == status


async def test_an_acknowledgement_is_set_once(factory: Factory, services: Services) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, S.ACKNOWLEDGED)
    with pytest.raises(HavenError) as refused:
        await step(
            services, scene.world.admin, referral, Step.ACKNOWLEDGE, reference_number="NCA-2"
        )
    assert refused.value.code == "REFERRAL_LOCKED"
    assert (await stored(services, referral)).reference_number == "NCA-2026-04-0042"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE referrals SET summary = 'rewritten' WHERE id = :id",
        "UPDATE referrals SET report = '{}'::jsonb WHERE id = :id",
        "UPDATE referrals SET status = 'draft' WHERE id = :id",
        "UPDATE referrals SET status = 'withdrawn', withdrawn_at = now() WHERE id = :id",
        # An acknowledgement must carry the reference and the time...
        "UPDATE referrals SET status = 'acknowledged' WHERE id = :id",
        # ...and nothing else may change with it.
        "UPDATE referrals SET status = 'acknowledged', reference_number = 'NCA-1', "
        "acknowledged_at = now(), summary = 'sneaked in' WHERE id = :id",
        "DELETE FROM referrals WHERE id = :id",
        "INSERT INTO referral_evidence (tenant_id, referral_id, evidence_id) "
        "SELECT tenant_id, :id, id FROM evidence_items WHERE tenant_id = "
        "(SELECT tenant_id FROM referrals WHERE id = :id) LIMIT 1",
        "DELETE FROM referral_evidence WHERE referral_id = :id",
        "UPDATE referral_evidence SET created_at = now() WHERE referral_id = :id",
        "TRUNCATE referrals CASCADE",
    ],
)
async def test_the_database_refuses_to_change_a_submitted_referral(
    factory: Factory, services: Services, statement: str
) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, S.SUBMITTED)
    with pytest.raises(DBAPIError, match="frozen"):
        await run(services, statement, id=referral.id)
    kept = await stored(services, referral)
    assert (kept.status, kept.summary, kept.report) == (
        S.SUBMITTED,
        referral.summary,
        referral.report,
    )


async def test_the_database_lets_through_exactly_the_acknowledgement(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, S.SUBMITTED)
    await run(
        services,
        "UPDATE referrals SET status = 'acknowledged', reference_number = 'NCA-2026-04-0042', "
        "acknowledged_at = now() WHERE id = :id",
        id=referral.id,
    )
    assert (await stored(services, referral)).status == S.ACKNOWLEDGED
    with pytest.raises(DBAPIError, match="frozen"):
        await run(
            services,
            "UPDATE referrals SET reference_number = 'NCA-9' WHERE id = :id",
            id=referral.id,
        )


async def test_a_draft_changes_freely_but_is_never_deleted(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, S.DRAFT)
    await run(services, "UPDATE referrals SET summary = 'redrafted' WHERE id = :id", id=referral.id)
    await run(services, "DELETE FROM referral_evidence WHERE referral_id = :id", id=referral.id)
    assert (await stored(services, referral)).summary == "redrafted"
    with pytest.raises(DBAPIError, match="frozen"):
        await run(services, "DELETE FROM referrals WHERE id = :id", id=referral.id)
