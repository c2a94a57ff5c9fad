"""The referral workflow through the service: who may take each step, every refusal with its
code, and what each step leaves on the case's timeline and in the audit chain."""

import pytest
from sqlalchemy import select

from app.cases.models import CaseStatus, CaseType
from app.cases.states import TransitionRefused
from app.kit.errors import HavenError
from app.referrals.models import Referral, ReferralEvidence, ReferralStatus, ReferralType
from app.referrals.states import EDGES, Step
from app.services import Services
from tests.cases.helpers import audit_entries, open_case, timeline
from tests.factories import Factory
from tests.referrals.helpers import (
    build_scene,
    case_transition,
    create,
    preserve,
    referral_in,
    step,
)

S = ReferralStatus
ARGS = {
    Step.SUBMIT_FOR_REVIEW: {},
    Step.RETURN_TO_DRAFT: {"reason": "Add the account history"},
    Step.SUBMIT: {},
    Step.ACKNOWLEDGE: {"reference_number": "NCA-2026-04-0042"},
    Step.WITHDRAW: {"reason": "Raised in error"},
}
ALLOWED = {(edge.step, edge.source): edge.target for edge in EDGES}
LOCKED = {S.SUBMITTED, S.ACKNOWLEDGED}


def expected(move: Step, source: ReferralStatus) -> str:
    if (move, source) in ALLOWED:
        return ALLOWED[(move, source)].value
    return "REFERRAL_LOCKED" if source in LOCKED else "INVALID_REFERRAL_TRANSITION"


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("move", list(Step))
async def test_every_step_from_every_status_is_taken_or_refused_with_its_code(
    factory: Factory, services: Services, source: ReferralStatus, move: Step
) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, source)
    # The second lead never authored it, so only the workflow table can refuse.
    try:
        moved = await step(services, scene.people["lead2"], referral, move, **ARGS[move])
        outcome = moved.status
    except HavenError as refused:
        outcome = refused.code
    assert outcome == expected(move, source)
    async with services.db.read() as session:
        row = await session.get(Referral, referral.id)
        assert row is not None
        assert row.status == (outcome if outcome in set(S) else source)


async def test_the_author_cannot_submit_their_own_referral(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, S.PENDING_REVIEW)
    with pytest.raises(HavenError) as refused:
        await step(services, scene.people["safeguarding_lead"], referral, Step.SUBMIT)
    assert refused.value.code == "SAME_PERSON_REVIEW"
    submitted = await step(services, scene.world.admin, referral, Step.SUBMIT)
    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_by_id == scene.world.admin.id
    assert submitted.submitted_at is not None


@pytest.mark.parametrize(
    ("move", "kwargs", "code"),
    [
        (Step.RETURN_TO_DRAFT, {"reason": "  "}, "REASON_REQUIRED"),
        (Step.WITHDRAW, {}, "REASON_REQUIRED"),
        (Step.WITHDRAW, {"reason": "x" * 2001}, "REASON_TOO_LONG"),
    ],
)
async def test_returning_and_withdrawing_need_a_reason(
    factory: Factory, services: Services, move: Step, kwargs: dict[str, str], code: str
) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, S.PENDING_REVIEW)
    with pytest.raises(HavenError) as refused:
        await step(services, scene.people["lead2"], referral, move, **kwargs)
    assert refused.value.code == code


@pytest.mark.parametrize("reference", ["", " ", "N" * 65, "NCA-2026\n-0042", "NCA\x00"])
async def test_the_authoritys_reference_must_be_printable_and_short(
    factory: Factory, services: Services, reference: str
) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, S.SUBMITTED)
    with pytest.raises(HavenError) as refused:
        await step(
            services, scene.people["lead2"], referral, Step.ACKNOWLEDGE, reference_number=reference
        )
    assert refused.value.code == "INVALID_REFERENCE_NUMBER"


async def test_a_second_active_referral_of_a_case_conflicts_until_the_first_is_withdrawn(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    lead = scene.people["safeguarding_lead"]
    first, _ = await create(services, lead, scene.csea)
    with pytest.raises(HavenError) as refused:
        await create(services, scene.people["lead2"], scene.csea, ReferralType.POLICE)
    assert (refused.value.code, refused.value.http_status) == ("CONFLICT", 409)
    await step(services, lead, first, Step.WITHDRAW, reason="Wrong agency")
    second, _ = await create(services, scene.people["lead2"], scene.csea, ReferralType.POLICE)
    assert second.status == S.DRAFT


@pytest.mark.parametrize(
    ("case_type", "type", "refused"),
    [
        (CaseType.CSEA, ReferralType.POLICE, True),
        (CaseType.CSEA, ReferralType.NCA, True),
        (CaseType.THREATS, ReferralType.NCA, True),
        (CaseType.THREATS, ReferralType.POLICE, False),
    ],
)
async def test_csea_and_nca_referrals_need_preserved_evidence(
    factory: Factory, services: Services, case_type: CaseType, type: ReferralType, refused: bool
) -> None:
    scene = await build_scene(factory, services, evidence=0)
    case = await open_case(services, scene.world.admin, case_type)
    if not refused:
        referral, count = await create(services, scene.world.admin, case, type)
        assert (referral.status, count) == (S.DRAFT, 0)
        return
    with pytest.raises(HavenError) as error:
        await create(services, scene.world.admin, case, type)
    assert (error.value.code, error.value.http_status) == ("INSUFFICIENT_EVIDENCE", 422)
    async with services.db.read() as session:
        assert await session.scalar(select(Referral).where(Referral.case_id == case.id)) is None


async def test_a_csea_referral_carries_all_the_cases_evidence_and_what_is_preserved_later(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services, evidence=3)
    referral, count = await create(services, scene.people["safeguarding_lead"], scene.csea)
    assert count == 3
    await step(services, scene.people["safeguarding_lead"], referral, Step.SUBMIT_FOR_REVIEW)
    await preserve(services, scene.world.admin, scene.csea)
    submitted = await step(services, scene.people["lead2"], referral, Step.SUBMIT)
    async with services.db.read() as session:
        links = list(
            await session.scalars(
                select(ReferralEvidence).where(ReferralEvidence.referral_id == referral.id)
            )
        )
    assert len(links) == 4
    assert submitted.report is not None and len(submitted.report["content"]) == 4


@pytest.mark.parametrize("role", ["agent", "viewer"])
async def test_only_leads_and_admins_refer_and_csea_cases_stay_hidden(
    factory: Factory, services: Services, role: str
) -> None:
    scene = await build_scene(factory, services)
    with pytest.raises(HavenError) as error:
        await create(services, scene.people[role], scene.case)
    assert error.value.code == "FORBIDDEN"
    with pytest.raises(HavenError) as hidden:
        await create(services, scene.people[role], scene.csea)
    assert hidden.value.code == "NOT_FOUND"
    referral, _ = await create(services, scene.world.admin, scene.case)
    csea = await referral_in(services, scene, S.DRAFT)
    with pytest.raises(HavenError) as error:
        await step(services, scene.people[role], referral, Step.SUBMIT_FOR_REVIEW)
    assert error.value.code == "FORBIDDEN"
    with pytest.raises(HavenError) as hidden:
        await step(services, scene.people[role], csea, Step.SUBMIT_FOR_REVIEW)
    assert hidden.value.code == "NOT_FOUND"


async def test_each_step_is_on_the_case_timeline_and_in_the_audit_chain(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, S.ACKNOWLEDGED)
    entries = [entry for entry in await timeline(services, scene.csea)]
    kinds = [entry.type for entry in entries if entry.type.startswith("referral_")]
    assert kinds == [
        "referral_created",
        "referral_submitted_for_review",
        "referral_submitted",
        "referral_acknowledged",
    ]
    assert entries[-1].details["reference_number"] == "NCA-2026-04-0042"
    actions = [e.action for e in await audit_entries(services, scene.world.tenant.id)]
    assert [a for a in actions if a.startswith("referral.")] == [
        "referral.created",
        "referral.submitted_for_review",
        "referral.submitted",
        "referral.acknowledged",
    ]
    assert referral.reference_number == "NCA-2026-04-0042"


async def test_a_csea_case_closes_once_its_referral_went_through_the_real_workflow(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    lead, other = scene.people["safeguarding_lead"], scene.people["lead2"]
    await case_transition(services, lead, scene.csea, CaseStatus.ESCALATED, "Confirmed CSEA")
    with pytest.raises(TransitionRefused) as refused:
        await case_transition(services, lead, scene.csea, CaseStatus.REFERRED, "Sent")
    assert refused.value.code == "REFERRAL_REQUIRED"
    referral, _ = await create(services, lead, scene.csea)
    await step(services, lead, referral, Step.SUBMIT_FOR_REVIEW)
    await step(services, other, referral, Step.SUBMIT)
    moved, _ = await case_transition(services, lead, scene.csea, CaseStatus.REFERRED, "Sent")
    assert moved.status == CaseStatus.REFERRED
    closed, _ = await case_transition(services, other, scene.csea, CaseStatus.CLOSED, "NCA has it")
    assert closed.status == CaseStatus.CLOSED
