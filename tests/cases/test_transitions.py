"""Every (from, to) pair of case statuses, for CSEA and other cases, by an administrator and by
another role allowed to work the case: allowed steps move the case and leave a timeline entry
and an audit entry; refused ones give their code and change nothing."""

import itertools
from dataclasses import dataclass

import pytest

from app.auth.models import Role, User
from app.cases import service
from app.cases.models import CaseStatus, CaseType, SafetyCase
from app.cases.states import TransitionRefused
from app.referrals.models import ReferralStatus
from app.services import Services
from tests.cases.helpers import (
    add_referral,
    audit_entries,
    force_status,
    open_case,
    principal_of,
    snapshot,
    timeline,
)
from tests.factories import Factory

S = CaseStatus
# The workflow as the product describes it, written out independently of app.cases.states.
STEPS = {
    (S.OPEN, S.INVESTIGATING),
    (S.OPEN, S.ESCALATED),
    (S.INVESTIGATING, S.ESCALATED),
    (S.INVESTIGATING, S.REFERRED),
    (S.ESCALATED, S.REFERRED),
    (S.ESCALATED, S.INVESTIGATING),
    (S.INVESTIGATING, S.CLOSED),
    (S.ESCALATED, S.CLOSED),
    (S.REFERRED, S.CLOSED),
    (S.OPEN, S.CLOSED),  # not for CSEA
}


def expected_refusal(csea: bool, admin: bool, referral: bool, source: S, target: S) -> str | None:
    if source == target:
        return "SAME_STATUS"
    if source == S.CLOSED:
        return None if admin and target == S.INVESTIGATING else "CASE_CLOSED"
    if (source, target) not in STEPS or (csea and (source, target) == (S.OPEN, S.CLOSED)):
        return "INVALID_TRANSITION"
    if csea and target in (S.REFERRED, S.CLOSED) and not referral:
        return "REFERRAL_REQUIRED"
    return None


@dataclass(frozen=True)
class Row:
    csea: bool
    admin: bool
    referral: bool
    source: S
    target: S

    def __str__(self) -> str:
        kind = "csea" if self.csea else "harassment"
        who = "admin" if self.admin else "other"
        filed = "+referral" if self.referral else ""
        return f"{kind}{filed}-{who}-{self.source.value}->{self.target.value}"


ROWS = [
    Row(csea, admin, referral, source, target)
    for csea, admin, referral in itertools.product([False, True], repeat=3)
    if csea or not referral  # a referral only matters to CSEA cases
    for source, target in itertools.product(CaseStatus, repeat=2)
]


@pytest.fixture(scope="module")
async def people(factory_module: Factory) -> dict[str, User]:
    world = await factory_module.world()
    lead = await factory_module.user(world.tenant, Role.SAFEGUARDING_LEAD)
    agent = await factory_module.user(world.tenant, Role.AGENT)
    return {"admin": world.admin, "lead": lead, "agent": agent}


@pytest.fixture(scope="module")
def factory_module(services: Services, client: object) -> Factory:
    return Factory(services, client)  # type: ignore[arg-type]


def actor_for(people: dict[str, User], row: Row) -> User:
    # Agents never see CSEA cases, so the non-admin who works them is the safeguarding lead.
    if row.admin:
        return people["admin"]
    return people["lead"] if row.csea else people["agent"]


@pytest.mark.parametrize("row", ROWS, ids=str)
async def test_transition_table(services: Services, people: dict[str, User], row: Row) -> None:
    case_type = CaseType.CSEA if row.csea else CaseType.HARASSMENT
    case = await open_case(services, people["admin"], case_type)
    await force_status(services, case, row.source)
    if row.referral:
        await add_referral(services, case)
    before = await snapshot(services, case)
    expected = expected_refusal(row.csea, row.admin, row.referral, row.source, row.target)
    user = actor_for(people, row)
    reason = f"Moving to {row.target.value}"
    if expected is not None:
        with pytest.raises(TransitionRefused) as refused:
            await transition(services, user, case, row.target, reason)
        assert refused.value.code == expected
        assert refused.value.http_status == 422
        assert await snapshot(services, case) == before
        return
    moved, step = await transition(services, user, case, row.target, reason)
    assert (moved.status, step.source) == (row.target, row.source)
    assert (moved.closed_at is not None) == (row.target == S.CLOSED)
    last = (await timeline(services, case))[-1]
    assert (last.type, last.reason, last.actor_id) == ("status_changed", reason, user.id)
    assert last.details == {"from": row.source.value, "to": row.target.value}
    entry = (await audit_entries(services, case.tenant_id))[-1]
    assert (entry.action, entry.subject_id, entry.reason) == (
        "case.status_changed",
        f"cas_{case.id}",
        reason,
    )
    after = await snapshot(services, case)
    assert (after["timeline"], after["audit"]) == (before["timeline"] + 1, before["audit"] + 1)


async def transition(
    services: Services, user: User, case: SafetyCase, target: str, reason: str | None
) -> tuple[SafetyCase, service.Transition]:
    async with services.db.transaction() as work:
        return await service.transition_case(
            work.session, principal_of(user), case.id, target, reason
        )


class TestRefusals:
    async def test_an_unknown_status_is_refused(
        self, services: Services, people: dict[str, User]
    ) -> None:
        case = await open_case(services, people["admin"])
        before = await snapshot(services, case)
        with pytest.raises(TransitionRefused) as refused:
            await transition(services, people["admin"], case, "archived", "Tidy up")
        assert refused.value.code == "UNKNOWN_STATUS"
        assert await snapshot(services, case) == before

    @pytest.mark.parametrize("reason", [None, "", "   \n\t"])
    async def test_a_blank_reason_is_refused(
        self, services: Services, people: dict[str, User], reason: str | None
    ) -> None:
        case = await open_case(services, people["admin"])
        before = await snapshot(services, case)
        with pytest.raises(TransitionRefused) as refused:
            await transition(services, people["admin"], case, S.INVESTIGATING, reason)
        assert refused.value.code == "REASON_REQUIRED"
        assert await snapshot(services, case) == before

    async def test_an_overlong_reason_is_refused(
        self, services: Services, people: dict[str, User]
    ) -> None:
        case = await open_case(services, people["admin"])
        before = await snapshot(services, case)
        with pytest.raises(TransitionRefused) as refused:
            await transition(services, people["admin"], case, S.INVESTIGATING, "x" * 2001)
        assert refused.value.code == "REASON_TOO_LONG"
        assert await snapshot(services, case) == before

    @pytest.mark.parametrize("status", [ReferralStatus.DRAFT, ReferralStatus.PENDING_REVIEW])
    async def test_an_unsubmitted_referral_does_not_let_a_csea_case_close(
        self, services: Services, people: dict[str, User], status: ReferralStatus
    ) -> None:
        case = await open_case(services, people["lead"], CaseType.CSEA)
        await force_status(services, case, S.ESCALATED)
        await add_referral(services, case, status)
        with pytest.raises(TransitionRefused) as refused:
            await transition(services, people["lead"], case, S.CLOSED, "Done")
        assert refused.value.code == "REFERRAL_REQUIRED"

    async def test_an_acknowledged_referral_lets_a_csea_case_close(
        self, services: Services, people: dict[str, User]
    ) -> None:
        case = await open_case(services, people["lead"], CaseType.CSEA)
        await force_status(services, case, S.REFERRED)
        await add_referral(services, case, ReferralStatus.ACKNOWLEDGED)
        moved, _ = await transition(services, people["lead"], case, S.CLOSED, "NCA has it")
        assert moved.status == S.CLOSED

    async def test_an_agent_cannot_touch_a_csea_case(
        self, services: Services, people: dict[str, User]
    ) -> None:
        case = await open_case(services, people["lead"], CaseType.CSEA)
        before = await snapshot(services, case)
        with pytest.raises(Exception) as refused:
            await transition(services, people["agent"], case, S.INVESTIGATING, "Look")
        assert getattr(refused.value, "code", None) == "NOT_FOUND"
        assert await snapshot(services, case) == before
