"""The one table of how a call of an outbound action moves, and the refusals, each with its own
stable code (HTTP 422 in REST, `extensions.code` in GraphQL):

- INVALID_EXECUTION_TRANSITION: no such step from the call's status (approving a call that
  was not waiting for approval, or approving it twice).
- SAME_PERSON_APPROVAL: a call that needs four eyes is approved by a signed-in person other
  than the one who asked for it. People are compared, not credentials (a key is the person who
  created it), and an API key never approves: approval is a person's judgement.
- CONNECTOR_INACTIVE: the action's connector is deactivated; nothing is sent through it.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.connectors.models import ExecutionStatus
from app.kit.errors import HavenError

REQUESTED, AWAITING = ExecutionStatus.REQUESTED, ExecutionStatus.AWAITING_APPROVAL
RUNNING, SUCCEEDED, FAILED = (
    ExecutionStatus.RUNNING,
    ExecutionStatus.SUCCEEDED,
    ExecutionStatus.FAILED,
)
# Statuses a sending job may still work on.
SENDABLE = frozenset({REQUESTED, RUNNING})


class Step(StrEnum):
    APPROVE = "approve"
    START = "start"
    RETRY = "retry"
    SUCCEED = "succeed"
    FAIL = "fail"


class ExecutionRefused(HavenError):
    """A step the workflow does not allow; the call is left as it was."""

    http_status = 422


class InvalidExecutionTransition(ExecutionRefused):
    code = "INVALID_EXECUTION_TRANSITION"


class SamePersonApproval(ExecutionRefused):
    code = "SAME_PERSON_APPROVAL"


class ConnectorInactive(ExecutionRefused):
    code = "CONNECTOR_INACTIVE"


@dataclass(frozen=True)
class Edge:
    step: Step
    source: ExecutionStatus
    target: ExecutionStatus


EDGES: tuple[Edge, ...] = (
    # A second person agrees; the call is queued for sending.
    Edge(Step.APPROVE, AWAITING, REQUESTED),
    # The sending job takes it up for its first attempt.
    Edge(Step.START, REQUESTED, RUNNING),
    # A later attempt, after a timeout, 5xx or 429.
    Edge(Step.START, RUNNING, RUNNING),
    # An attempt failed in a way worth trying again; the next one is queued.
    Edge(Step.RETRY, RUNNING, RUNNING),
    # The platform answered 2xx.
    Edge(Step.SUCCEED, RUNNING, SUCCEEDED),
    # A 4xx or redirect, a refused destination, or the last retry spent.
    Edge(Step.FAIL, RUNNING, FAILED),
    # The connector was deactivated or the action removed before the call was sent.
    Edge(Step.FAIL, REQUESTED, FAILED),
)
ALLOWED: dict[tuple[Step, ExecutionStatus], Edge] = {(e.step, e.source): e for e in EDGES}


def decide(step: Step, current: str) -> ExecutionStatus:
    """Where `step` takes a call in status `current`, or INVALID_EXECUTION_TRANSITION."""
    edge = ALLOWED.get((step, ExecutionStatus(current)))
    if edge is None:
        raise InvalidExecutionTransition(f"A {current} call cannot {step.value}")
    return edge.target
