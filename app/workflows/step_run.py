"""A step of a workflow run: what it acts on and as whom, and what it reports back."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.auth.principal import Principal
from app.kit.actors import Actor, ActorKind
from app.kit.errors import HavenError
from app.services import Services
from app.tickets.models import Ticket
from app.tickets.repository import TicketRepository
from app.workflows.models import Workflow, WorkflowExecution


class StepFailed(HavenError):
    """A step could not do its work; the run stops there and is tried again later."""

    code = "WORKFLOW_STEP_FAILED"


@dataclass
class Outcome:
    outcome: str
    detail: str
    # True ends the run here, successfully (its later steps belong to work already done).
    stop: bool = False
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class StepRun:
    services: Services
    session: AsyncSession
    workflow: Workflow
    execution: WorkflowExecution
    config: dict[str, Any]
    action: str

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.workflow.tenant_id

    @property
    def principal(self) -> Principal:
        """The workflow as the one acting: cleared like an administrator, named as itself."""
        name = f"Workflow: {self.workflow.name}"[:200]
        return Principal(self.tenant_id, Role.ADMIN, ActorKind.SYSTEM, self.workflow.id, name)

    @property
    def actor(self) -> Actor:
        return Actor.of(self.principal)

    @property
    def reason(self) -> str:
        return f"By workflow {self.workflow.name!r} on {self.execution.trigger}"[:1000]

    def _id(self, key: str) -> uuid.UUID | None:
        value = self.execution.context.get(key)
        return uuid.UUID(value) if value else None

    @property
    def ticket_id(self) -> uuid.UUID | None:
        return self._id("ticket_id")

    @property
    def case_id(self) -> uuid.UUID | None:
        return self._id("case_id")

    async def ticket(self) -> Ticket:
        ticket_id = self.ticket_id
        found = (
            await TicketRepository(self.session, self.tenant_id).get(ticket_id)
            if ticket_id
            else None
        )
        if found is None:
            raise StepFailed("The ticket this run is about no longer exists")
        return found
