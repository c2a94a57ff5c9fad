"""GraphQL types of workflows and their runs."""

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.kit.ids import to_global_id
from app.workflows.models import Workflow, WorkflowExecution


@strawberry.type(name="Workflow")
class WorkflowNode:
    id: strawberry.ID
    name: str
    description: str | None
    active: bool
    mandatory: bool = strawberry.field(description="Haven's own: neither changed nor deleted.")
    trigger_event: str = strawberry.field(description="The trigger, e.g. `ticket.classified`.")
    conditions: JSON = strawberry.field(description="Tests on the triggering record.")
    steps: JSON = strawberry.field(description="The ordered steps: order, action, config.")
    executions_count: int
    last_executed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Workflow) -> "WorkflowNode":
        return cls(
            id=strawberry.ID(to_global_id("Workflow", row.id)),
            name=row.name,
            description=row.description,
            active=row.active,
            mandatory=row.mandatory,
            trigger_event=row.trigger_event,
            conditions=cast(JSON, row.conditions),
            steps=cast(JSON, row.steps),
            executions_count=row.executions_count,
            last_executed_at=row.last_executed_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type
class WorkflowExecutionNode:
    id: strawberry.ID
    event_seq: int = strawberry.field(description="The triggering event's number in the log.")
    trigger: str
    status: str
    attempts: int
    log: JSON = strawberry.field(description="One line per step: action, outcome, detail, at.")
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_row(cls, row: WorkflowExecution) -> "WorkflowExecutionNode":
        return cls(
            id=strawberry.ID(to_global_id("WorkflowExecution", row.id)),
            event_seq=row.event_seq,
            trigger=row.trigger,
            status=row.status,
            attempts=row.attempts,
            log=cast(JSON, row.log),
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


@strawberry.input
class CreateWorkflowInput:
    name: str
    trigger: JSON = strawberry.field(description="{event, conditions}.")
    steps: JSON = strawberry.field(description="[{order, action, config}].")
    description: str | None = None
    active: bool = False


@strawberry.input
class UpdateWorkflowInput:
    id: strawberry.ID
    name: str | None = None
    description: str | None = None
    trigger: JSON | None = None
    steps: JSON | None = None
    active: bool | None = None


@strawberry.input
class DeleteWorkflowInput:
    id: strawberry.ID


@strawberry.type
class WorkflowPayload:
    workflow: WorkflowNode
