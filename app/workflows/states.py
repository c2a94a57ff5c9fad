"""How a run of a workflow moves, one edge per line with why it exists."""

from app.kit.errors import Conflict
from app.workflows.models import ExecutionStatus as S

TRANSITIONS: dict[tuple[S, S], str] = {
    # The runner picked the run up for the first time.
    (S.PENDING, S.RUNNING): "started",
    # A step failed with attempts left: the run waits for its next try (1, 5, 30 minutes).
    (S.RUNNING, S.RETRYING): "step failed, retry scheduled",
    # The retry came due: the run goes on from the step that failed.
    (S.RETRYING, S.RUNNING): "retried",
    # Every step is done (or one ended the run early, as a case already open does).
    (S.RUNNING, S.COMPLETED): "completed",
    # A step failed and no attempt is left; the log says which and why.
    (S.RUNNING, S.FAILED): "gave up",
    # A runner that died mid-step left the run running; the job's redelivery goes on with it.
    (S.RUNNING, S.RUNNING): "resumed",
}
DONE = frozenset({S.COMPLETED, S.FAILED})


def move(current: str, target: S) -> S:
    """`target`, if the table has the edge; otherwise CONFLICT (nothing changes)."""
    if (S(current), target) not in TRANSITIONS:
        raise Conflict(f"A {current} run cannot become {target}")
    return target
