"""A tenant with staff of every role, cases with preserved evidence, and referrals taken through
the app's own services to any status."""

import uuid
from dataclasses import dataclass

from app.auth.models import Role, User
from app.cases.models import CaseType, SafetyCase
from app.cases.service import transition_case
from app.cases.states import Transition
from app.evidence.service import Custody
from app.referrals import service
from app.referrals.models import Referral, ReferralStatus, ReferralType, ReferralUrgency
from app.referrals.states import Step
from app.services import Services
from tests.cases.helpers import open_case, principal_of, staff
from tests.evidence.helpers import ORIGIN, upload
from tests.factories import Factory, World

SUMMARY = "CSEA material detected via PhotoDNA hash match. User account suspended."


@dataclass
class Scene:
    world: World
    people: dict[str, User]
    csea: SafetyCase
    case: SafetyCase


async def preserve(services: Services, user: User, case: SafetyCase, count: int = 1) -> None:
    custody = Custody(services.db, principal_of(user), ORIGIN)
    for _ in range(count):
        await custody.preserve_upload(services.evidence, upload(case))


async def build_scene(factory: Factory, services: Services, evidence: int = 2) -> Scene:
    world = await factory.world()
    people = await staff(factory, world)
    people["lead2"] = await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
    csea = await open_case(services, people["safeguarding_lead"], CaseType.CSEA)
    case = await open_case(services, world.admin, CaseType.HARASSMENT)
    if evidence:
        await preserve(services, world.admin, csea, evidence)
        await preserve(services, world.admin, case, evidence)
    return Scene(world, people, csea, case)


async def create(
    services: Services,
    user: User,
    case: SafetyCase,
    type: ReferralType = ReferralType.NCA,
    **overrides: object,
) -> tuple[Referral, int]:
    draft = service.NewReferral(
        case_id=case.id,
        type=type,
        urgency=ReferralUrgency(str(overrides.pop("urgency", "urgent"))),
        summary=str(overrides.pop("summary", SUMMARY)),
        contact_details=overrides.pop("contact_details", None),  # type: ignore[arg-type]
    )
    async with services.db.transaction() as work:
        return await service.create_referral(work.session, principal_of(user), draft)


async def step(
    services: Services, user: User, referral: Referral | uuid.UUID, move: Step, **kwargs: str
) -> Referral:
    pk = referral if isinstance(referral, uuid.UUID) else referral.id
    async with services.db.transaction() as work:
        return await service.move(work.session, principal_of(user), pk, move, **kwargs)


# How to reach each status from a new draft: (step, who takes it, arguments).
ROUTES: dict[ReferralStatus, list[tuple[Step, str, dict[str, str]]]] = {
    ReferralStatus.DRAFT: [],
    ReferralStatus.PENDING_REVIEW: [(Step.SUBMIT_FOR_REVIEW, "safeguarding_lead", {})],
    ReferralStatus.SUBMITTED: [
        (Step.SUBMIT_FOR_REVIEW, "safeguarding_lead", {}),
        (Step.SUBMIT, "lead2", {}),
    ],
    ReferralStatus.ACKNOWLEDGED: [
        (Step.SUBMIT_FOR_REVIEW, "safeguarding_lead", {}),
        (Step.SUBMIT, "lead2", {}),
        (Step.ACKNOWLEDGE, "lead2", {"reference_number": "NCA-2026-04-0042"}),
    ],
    ReferralStatus.WITHDRAWN: [(Step.WITHDRAW, "safeguarding_lead", {"reason": "Duplicate"})],
}


async def referral_in(
    services: Services, scene: Scene, status: ReferralStatus, case: SafetyCase | None = None
) -> Referral:
    """A referral of the case (the scene's CSEA case unless given), drafted by the first lead,
    now in `status`."""
    target = case or scene.csea
    referral, _ = await create(services, scene.people["safeguarding_lead"], target)
    for move, who, kwargs in ROUTES[status]:
        referral = await step(services, scene.people[who], referral, move, **kwargs)
    assert referral.status == status
    return referral


async def case_transition(
    services: Services, user: User, case: SafetyCase, target: str, reason: str
) -> tuple[SafetyCase, Transition]:
    async with services.db.transaction() as work:
        return await transition_case(work.session, principal_of(user), case.id, target, reason)


# The referral each workflow mutation can take its next step on, when run by the world's admin.
WAITING: dict[str, ReferralStatus] = {
    "submitReferralForReview": ReferralStatus.DRAFT,
    "returnReferralToDraft": ReferralStatus.PENDING_REVIEW,
    "submitReferral": ReferralStatus.PENDING_REVIEW,
    "acknowledgeReferral": ReferralStatus.SUBMITTED,
    "withdrawReferral": ReferralStatus.DRAFT,
}


async def waiting_referrals(factory: Factory, world: World) -> dict[str, str]:
    """Global ids of police referrals of fresh cases, drafted by a safeguarding lead (so the
    world's admin may review them), each waiting for the step its mutation takes."""
    lead = await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
    services = factory.services
    found: dict[str, str] = {}
    for name, status in WAITING.items():
        case = await open_case(services, world.admin, CaseType.OTHER)
        referral, _ = await create(services, lead, case, ReferralType.POLICE)
        for move, who, kwargs in ROUTES[status]:
            user = lead if who == "safeguarding_lead" else world.admin
            referral = await step(services, user, referral, move, **kwargs)
        found[name] = f"ref_{referral.id}"
    return found
