"""Bodies of /api/v1/workflows as typed models, in the API document's shapes and key order,
with its examples. Definitions are checked deeply by the service (`app.workflows.definition`),
which names the field at fault; here only their JSON types are."""

import uuid
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, WithJsonSchema

from app.rest.types import Body, Page, Prefixed, Timestamp
from app.workflows.definition import ACTIONS
from app.workflows.models import ExecutionStatus, Workflow, WorkflowExecution
from app.workflows.triggers import TRIGGERS

WorkflowId = Annotated[uuid.UUID, Prefixed("Workflow", "workflow")]
ExecutionId = Annotated[uuid.UUID, Prefixed("WorkflowExecution", "workflow run")]
WORKFLOW_ID = "wfl_d4e5f6a7-b8c9-0d1e-2f3a-4b5c6d7e8f9a"
LISTED_ID = "wfl_a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6"
TRIGGER_EXAMPLE: dict[str, Any] = {"event": "ticket.classified", "conditions": {"priority": "high"}}
STEPS_EXAMPLE: list[Any] = [
    {"order": 1, "action": "assign_to_role", "config": {"role": "senior_agent"}},
    {
        "order": 2,
        "action": "send_notification",
        "config": {"channel": "slack", "template": "high_priority_ticket"},
    },
]
SUMMARY: dict[str, Any] = {
    "id": LISTED_ID,
    "name": "Auto-escalate CSEA tickets",
    "description": "Automatically creates safety case and escalates when CSEA is detected",
    "active": True,
    "mandatory": False,
    "trigger": {"event": "ticket.classified", "conditions": {"category": "csea"}},
    "steps": [
        {
            "order": 1,
            "action": "create_safety_case",
            "config": {"case_type": "csea", "priority": "critical"},
        },
        {"order": 2, "action": "preserve_evidence", "config": {}},
        {"order": 3, "action": "assign_to_role", "config": {"role": "safeguarding_lead"}},
        {
            "order": 4,
            "action": "send_notification",
            "config": {"channel": "urgent", "template": "csea_alert"},
        },
    ],
    "executions_count": 5,
    "last_executed_at": "2026-04-01T09:15:00.000Z",
    "created_at": "2026-03-01T10:00:00.000Z",
    "updated_at": "2026-03-15T14:20:00.000Z",
}
TRIGGER_SCHEMA = {
    "type": "object",
    "required": ["event"],
    "properties": {
        "event": {"type": "string", "enum": list(TRIGGERS)},
        "conditions": {
            "type": "object",
            "description": "Field tests on the triggering record, all of which must hold: a "
            'value (equality), or operators `in`, `gt`, `gte`, `lt`, `lte`, `contains`; `"any"` '
            "takes a list of such objects, one of which must hold",
        },
    },
}
STEPS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["order", "action"],
        "properties": {
            "order": {"type": "integer", "minimum": 1},
            "action": {"type": "string", "enum": list(ACTIONS)},
            "config": {"type": "object"},
        },
    },
}


class Trigger(Body):
    event: str
    conditions: dict[str, Any]


class Step(Body):
    order: int
    action: str
    config: dict[str, Any]


def _trigger(workflow: Workflow) -> Trigger:
    return Trigger(event=workflow.trigger_event, conditions=workflow.conditions)


def _steps(workflow: Workflow) -> list[Step]:
    return [Step(**step) for step in workflow.steps]


class WorkflowSummary(Body):
    model_config = ConfigDict(json_schema_extra={"example": SUMMARY})

    id: WorkflowId
    name: str
    description: str | None
    active: bool
    mandatory: bool = Field(description="Haven's own workflow: neither changed nor deleted")
    trigger: Trigger
    steps: list[Step]
    executions_count: int = Field(ge=0)
    last_executed_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, workflow: Workflow) -> "WorkflowSummary":
        return cls(
            id=workflow.id,
            name=workflow.name,
            description=workflow.description,
            active=workflow.active,
            mandatory=workflow.mandatory,
            trigger=_trigger(workflow),
            steps=_steps(workflow),
            executions_count=workflow.executions_count,
            last_executed_at=workflow.last_executed_at,
            created_at=workflow.created_at,
            updated_at=workflow.updated_at,
        )


class WorkflowPage(Page[WorkflowSummary]):
    model_config = Page.one_row_example(SUMMARY)


class WorkflowCreated(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": WORKFLOW_ID,
                "name": "High-priority ticket assignment",
                "active": True,
                "trigger": TRIGGER_EXAMPLE,
                "steps": STEPS_EXAMPLE,
                "created_at": "2026-04-02T15:10:00.000Z",
            }
        }
    )

    id: WorkflowId
    name: str
    active: bool
    trigger: Trigger
    steps: list[Step]
    created_at: Timestamp

    @classmethod
    def of(cls, workflow: Workflow) -> "WorkflowCreated":
        return cls(
            id=workflow.id,
            name=workflow.name,
            active=workflow.active,
            trigger=_trigger(workflow),
            steps=_steps(workflow),
            created_at=workflow.created_at,
        )


class WorkflowUpdated(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": WORKFLOW_ID,
                "name": "High-priority ticket assignment",
                "active": False,
                "updated_at": "2026-04-02T15:15:00.000Z",
            }
        }
    )

    id: WorkflowId
    name: str
    active: bool
    updated_at: Timestamp

    @classmethod
    def of(cls, workflow: Workflow) -> "WorkflowUpdated":
        return cls(
            id=workflow.id,
            name=workflow.name,
            active=workflow.active,
            updated_at=workflow.updated_at,
        )


class WorkflowDeleted(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": WORKFLOW_ID,
                "deleted": True,
                "deleted_at": "2026-04-02T15:20:00.000Z",
            }
        }
    )

    id: WorkflowId
    deleted: bool
    deleted_at: Timestamp

    @classmethod
    def of(cls, workflow: Workflow) -> "WorkflowDeleted":
        assert workflow.deleted_at is not None
        return cls(id=workflow.id, deleted=True, deleted_at=workflow.deleted_at)


class LogLine(Body):
    order: int
    action: str
    outcome: str = Field(description="`done`, `skipped` or `failed`")
    detail: str
    at: Timestamp


class Execution(Body):
    id: ExecutionId
    workflow_id: WorkflowId
    event_seq: int = Field(description="The triggering event's number in the tenant's log")
    trigger: str
    status: ExecutionStatus
    attempts: int = Field(ge=0, description="Failed attempts so far")
    started_at: Timestamp | None
    finished_at: Timestamp | None
    steps: list[LogLine]
    created_at: Timestamp

    @classmethod
    def of(cls, row: WorkflowExecution) -> "Execution":
        return cls(
            id=row.id,
            workflow_id=row.workflow_id,
            event_seq=row.event_seq,
            trigger=row.trigger,
            status=ExecutionStatus(row.status),
            attempts=row.attempts,
            started_at=row.started_at,
            finished_at=row.finished_at,
            steps=[LogLine(**line) for line in row.log],
            created_at=row.created_at,
        )


class ExecutionPage(Page[Execution]):
    pass


Definition = Annotated[Any, WithJsonSchema(TRIGGER_SCHEMA)]
StepList = Annotated[Any, WithJsonSchema(STEPS_SCHEMA)]


class WorkflowCreate(Body):
    """Unknown fields are ignored."""

    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"required": ["name", "trigger", "steps"]}
    )
    MESSAGES: ClassVar[dict[str, str]] = {
        "name": "name must be a string",
        "description": "description must be a string",
        "active": "active must be a boolean",
    }

    name: Annotated[
        str | None, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 200})
    ] = None
    description: Annotated[str | None, WithJsonSchema({"type": "string"})] = None
    trigger: Definition = None
    steps: StepList = None
    active: Annotated[bool | None, WithJsonSchema({"type": "boolean", "default": False})] = None


class WorkflowChange(WorkflowCreate):
    """Any of the fields; those left out stay as they are."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"required": []})
