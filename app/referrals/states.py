"""The one table of how a referral moves, and the refusals, each with its own stable code
(answered with HTTP 422 by the REST API and with `extensions.code` by GraphQL):

- INVALID_REFERRAL_TRANSITION: the workflow has no such step from the referral's status.
- REFERRAL_LOCKED: the referral was submitted; nothing about it changes any more except its one
  acknowledgement by the authority.
- SAME_PERSON_REVIEW: the referral's author cannot also be the reviewer who submits it. People
  are compared, not credentials: an API key is the person who created it, so nobody submits
  through their own key what they drafted (or the reverse), and a key no person created
  can neither submit nor be shown to be someone other than whoever submits.
- REASON_REQUIRED / REASON_TOO_LONG: returning or withdrawing a referral needs a reason.
- INVALID_REFERENCE_NUMBER: the authority's reference is 1 to 64 printable characters.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.kit.errors import HavenError
from app.referrals.models import ReferralStatus

DRAFT, PENDING_REVIEW = ReferralStatus.DRAFT, ReferralStatus.PENDING_REVIEW
SUBMITTED, ACKNOWLEDGED = ReferralStatus.SUBMITTED, ReferralStatus.ACKNOWLEDGED
WITHDRAWN = ReferralStatus.WITHDRAWN
# What the authority has received; frozen from then on (the database enforces it too).
LOCKED = frozenset({SUBMITTED, ACKNOWLEDGED})
REASON_MAX = 2000
REFERENCE_MAX = 64


class Step(StrEnum):
    SUBMIT_FOR_REVIEW = "submit_for_review"
    RETURN_TO_DRAFT = "return_to_draft"
    SUBMIT = "submit"
    ACKNOWLEDGE = "acknowledge"
    WITHDRAW = "withdraw"


class ReferralRefused(HavenError):
    """A step the workflow does not allow; the referral is left as it was."""

    http_status = 422


class InvalidReferralTransition(ReferralRefused):
    code = "INVALID_REFERRAL_TRANSITION"


class ReferralLocked(ReferralRefused):
    code = "REFERRAL_LOCKED"


class SamePersonReview(ReferralRefused):
    code = "SAME_PERSON_REVIEW"


class ReasonRequired(ReferralRefused):
    code = "REASON_REQUIRED"


class ReasonTooLong(ReferralRefused):
    code = "REASON_TOO_LONG"


class InvalidReferenceNumber(ReferralRefused):
    code = "INVALID_REFERENCE_NUMBER"


@dataclass(frozen=True)
class Edge:
    """One allowed step: where from, where to, and what it asks of the person taking it."""

    step: Step
    source: ReferralStatus
    target: ReferralStatus
    needs_reason: bool = False
    four_eyes: bool = False


EDGES: tuple[Edge, ...] = (
    # The author has finished the draft and asks a colleague to check it.
    Edge(Step.SUBMIT_FOR_REVIEW, DRAFT, PENDING_REVIEW),
    # The reviewer wants changes first.
    Edge(Step.RETURN_TO_DRAFT, PENDING_REVIEW, DRAFT, needs_reason=True),
    # A second lead, never the author, sends it to the authority.
    Edge(Step.SUBMIT, PENDING_REVIEW, SUBMITTED, four_eyes=True),
    # The authority confirmed receipt with its own reference.
    Edge(Step.ACKNOWLEDGE, SUBMITTED, ACKNOWLEDGED),
    # Not to be sent after all (made in error, superseded): frees the case for a new one.
    Edge(Step.WITHDRAW, DRAFT, WITHDRAWN, needs_reason=True),
    Edge(Step.WITHDRAW, PENDING_REVIEW, WITHDRAWN, needs_reason=True),
)
ALLOWED: dict[tuple[Step, ReferralStatus], Edge] = {(e.step, e.source): e for e in EDGES}


def clean_reason(value: str | None) -> str:
    if value is None or not value.strip():
        raise ReasonRequired("Give a reason")
    cleaned = value.strip()
    if len(cleaned) > REASON_MAX:
        raise ReasonTooLong(f"reason must be at most {REASON_MAX} characters")
    return cleaned


def clean_reference(value: str | None) -> str:
    cleaned = (value or "").strip()
    if not 1 <= len(cleaned) <= REFERENCE_MAX or not cleaned.isprintable():
        raise InvalidReferenceNumber(
            f"referenceNumber must be 1 to {REFERENCE_MAX} printable characters"
        )
    return cleaned


def decide(step: Step, current: str, *, second_person: bool) -> Edge:
    """The edge if the workflow allows the step now, else the refusal that says why not.
    `second_person` says whether the one taking the step is known to be a person other than
    the referral's author."""
    source = ReferralStatus(current)
    edge = ALLOWED.get((step, source))
    if edge is None and source in LOCKED:
        raise ReferralLocked(f"The referral is {source.value}; it can no longer change")
    if edge is None:
        raise InvalidReferralTransition(f"A {source.value} referral cannot {step.value}")
    if edge.four_eyes and not second_person:
        raise SamePersonReview(
            "The referral must be submitted by a person other than its author, and an API key "
            "counts as the person who created it"
        )
    return edge
