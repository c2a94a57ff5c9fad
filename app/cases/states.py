"""The one place that decides whether a case may move from one status to another.

Every refusal has its own stable code, is answered with HTTP 422 by the REST API and with
`extensions.code` by GraphQL, and changes nothing:

- UNKNOWN_STATUS: the target is not a case status.
- REASON_REQUIRED: no reason, or only blanks; every change is explained on the record.
- REASON_TOO_LONG: a reason over `REASON_MAX` characters.
- SAME_STATUS: the case is already in that status.
- CASE_CLOSED: the case is closed; only an administrator may reopen it, to investigating.
- INVALID_TRANSITION: the workflow has no such step (for this type of case).
- REFERRAL_REQUIRED: a CSEA case may be referred or closed only once a referral to an
  authority has been submitted (or acknowledged).
"""

from dataclasses import dataclass

from app.cases.models import CaseStatus, CaseType
from app.kit.errors import HavenError

REASON_MAX = 2000

OPEN, INVESTIGATING, ESCALATED = CaseStatus.OPEN, CaseStatus.INVESTIGATING, CaseStatus.ESCALATED
REFERRED, CLOSED = CaseStatus.REFERRED, CaseStatus.CLOSED


class TransitionRefused(HavenError):
    """A status change the workflow does not allow; the case is left as it was."""

    http_status = 422


class UnknownStatus(TransitionRefused):
    code = "UNKNOWN_STATUS"


class ReasonRequired(TransitionRefused):
    code = "REASON_REQUIRED"


class ReasonTooLong(TransitionRefused):
    code = "REASON_TOO_LONG"


class SameStatus(TransitionRefused):
    code = "SAME_STATUS"


class CaseClosed(TransitionRefused):
    code = "CASE_CLOSED"


class InvalidTransition(TransitionRefused):
    code = "INVALID_TRANSITION"


class ReferralRequired(TransitionRefused):
    code = "REFERRAL_REQUIRED"


@dataclass(frozen=True)
class Edge:
    """One allowed step: whether CSEA cases may take it, and whether only admins may."""

    source: CaseStatus
    target: CaseStatus
    csea: bool = True
    admin_only: bool = False


EDGES: tuple[Edge, ...] = (
    # Triage found something worth looking into.
    Edge(OPEN, INVESTIGATING),
    # Obviously severe on arrival (a hash match, a threat to life): straight to senior staff.
    Edge(OPEN, ESCALATED),
    # The investigation showed it needs a safeguarding lead's judgement.
    Edge(INVESTIGATING, ESCALATED),
    # The investigator had enough to report to an authority without escalating first.
    Edge(INVESTIGATING, REFERRED),
    # The lead reported it to an authority.
    Edge(ESCALATED, REFERRED),
    # The lead sent it back for more facts before deciding.
    Edge(ESCALATED, INVESTIGATING),
    # Investigated and dealt with in-house (for CSEA only once a referral has been submitted).
    Edge(INVESTIGATING, CLOSED),
    # The lead concluded the matter (for CSEA, again only after a submitted referral).
    Edge(ESCALATED, CLOSED),
    # The authority has it and nothing is left for the platform to do.
    Edge(REFERRED, CLOSED),
    # Unfounded at triage (spam, duplicates, mistaken reports). Never for CSEA: every CSEA
    # report is investigated, and closing needs a submitted referral, which needs a look first.
    Edge(OPEN, CLOSED, csea=False),
    # New information about a closed case: an administrator reopens it, with a reason.
    Edge(CLOSED, INVESTIGATING, admin_only=True),
)
ALLOWED: dict[tuple[CaseStatus, CaseStatus], Edge] = {(e.source, e.target): e for e in EDGES}
# A CSEA case reaches these only with a submitted referral on file.
NEEDS_REFERRAL: frozenset[CaseStatus] = frozenset({REFERRED, CLOSED})


@dataclass(frozen=True)
class Transition:
    """An allowed step, with the reason as it will be recorded."""

    source: CaseStatus
    target: CaseStatus
    reason: str


def parse_status(value: str) -> CaseStatus:
    try:
        return CaseStatus(value)
    except ValueError:
        allowed = ", ".join(status.value for status in CaseStatus)
        raise UnknownStatus(f"status must be one of {allowed}") from None


def clean_reason(value: str | None) -> str:
    if value is None or not value.strip():
        raise ReasonRequired("Give a reason for the change")
    cleaned = value.strip()
    if len(cleaned) > REASON_MAX:
        raise ReasonTooLong(f"reason must be at most {REASON_MAX} characters")
    return cleaned


def needs_referral(case_type: str, target: CaseStatus) -> bool:
    return case_type == CaseType.CSEA and target in NEEDS_REFERRAL


def decide(
    case_type: str,
    current: str,
    target: str,
    reason: str | None,
    *,
    is_admin: bool,
    has_referral: bool,
) -> Transition:
    """The transition if the workflow allows it, else the refusal that says why not."""
    wanted, source = parse_status(target), CaseStatus(current)
    cleaned = clean_reason(reason)
    if wanted == source:
        raise SameStatus(f"The case is already {source.value}")
    edge = ALLOWED.get((source, wanted))
    permitted = edge is not None and (is_admin or not edge.admin_only)
    if source == CLOSED and not permitted:
        raise CaseClosed("The case is closed; only an administrator can reopen it")
    if edge is None or not permitted or (case_type == CaseType.CSEA and not edge.csea):
        raise InvalidTransition(f"A {case_type} case cannot go from {source} to {wanted}")
    if needs_referral(case_type, wanted) and not has_referral:
        raise ReferralRequired(
            f"A CSEA case can be {wanted.value} only after a referral has been submitted"
        )
    return Transition(source, wanted, cleaned)
