"""Every query on workflows and their runs, scoped to one tenant."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.dialects.postgresql import insert

from app.events.models import Event
from app.kit.pagination import Key, Ordering, Page
from app.kit.repository import TenantRepository
from app.workflows.models import (
    EventOrigin,
    RoleRotation,
    Workflow,
    WorkflowCursor,
    WorkflowExecution,
)

# Oldest first: the mandatory workflows lead, then each tenant workflow as it was made.
OLDEST = Ordering("workflows", [Key(Workflow.created_at, datetime), Key(Workflow.id, uuid.UUID)])
NEWEST_RUNS = Ordering(
    "workflow_executions",
    [Key(WorkflowExecution.created_at, datetime), Key(WorkflowExecution.id, uuid.UUID)],
    descending=True,
)


class WorkflowRepository(TenantRepository[Workflow]):
    """The tenant's workflows; a deleted one is gone from every read."""

    model = Workflow

    def visible(self, statement: Select[Any]) -> Select[Any]:
        return statement.where(Workflow.deleted_at.is_(None))

    def _filtered(self, active: bool | None) -> Select[Any]:
        statement = self.readable_statement()
        return statement if active is None else statement.where(Workflow.active.is_(active))

    async def page(self, active: bool | None, first: int, after: str | None) -> Page[Workflow]:
        return await self.paginate(self._filtered(active), OLDEST, first, after)

    async def count(self, active: bool | None) -> int:
        return await self.count_rows(self._filtered(active))

    async def listening(self, triggers: set[str]) -> list[Workflow]:
        """Active workflows waiting for any of `triggers`."""
        statement = self._filtered(True).where(Workflow.trigger_event.in_(triggers))
        return list(await self.session.scalars(statement.order_by(Workflow.created_at)))

    async def executed(self, counts: dict[uuid.UUID, int], at: datetime) -> None:
        for workflow_id, count in counts.items():
            await self.session.execute(
                update(Workflow)
                .where(self.in_tenant(Workflow), Workflow.id == workflow_id)
                .values(
                    executions_count=Workflow.executions_count + count,
                    last_executed_at=at,
                    updated_at=Workflow.updated_at,
                )
            )


class ExecutionRepository(TenantRepository[WorkflowExecution]):
    model = WorkflowExecution

    async def page(
        self, workflow_id: uuid.UUID, first: int, after: str | None
    ) -> Page[WorkflowExecution]:
        """Newest first."""
        statement = self.readable_statement().where(WorkflowExecution.workflow_id == workflow_id)
        return await self.paginate(statement, NEWEST_RUNS, first, after)

    async def count(self, workflow_id: uuid.UUID) -> int:
        statement = self.readable_statement().where(WorkflowExecution.workflow_id == workflow_id)
        return await self.count_rows(statement)

    async def add_new(self, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
        """Insert the runs not made before (one per workflow and event); the ids of the new."""
        if not rows:
            return []
        made = await self.session.scalars(
            insert(WorkflowExecution)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["workflow_id", "event_seq"])
            .returning(WorkflowExecution.id)
        )
        return list(made)


class LogPosition:
    """Where the tenant's dispatcher stands in its event log."""

    def __init__(self, repository: TenantRepository[Any]) -> None:
        self.session, self.tenant_id = repository.session, repository.tenant_id

    async def claim(self) -> int:
        """The position, locked until the transaction ends: one dispatcher at a time reads a
        tenant's log, so events are matched once and in order."""
        await self.session.execute(
            insert(WorkflowCursor)
            .values(tenant_id=self.tenant_id, seq=0)
            .on_conflict_do_nothing(index_elements=["tenant_id"])
        )
        found = await self.session.scalar(
            select(WorkflowCursor.seq)
            .where(WorkflowCursor.tenant_id == self.tenant_id)
            .with_for_update()
        )
        return int(found or 0)

    async def events_after(self, seq: int, limit: int) -> list[Event]:
        rows = await self.session.scalars(
            select(Event)
            .where(Event.tenant_id == self.tenant_id, Event.seq > seq)
            .order_by(Event.seq)
            .limit(limit)
        )
        return list(rows)

    async def origins(self, seqs: list[int]) -> dict[int, EventOrigin]:
        """Which of these events a workflow's step wrote, by seq."""
        rows = await self.session.scalars(
            select(EventOrigin).where(
                EventOrigin.tenant_id == self.tenant_id, EventOrigin.seq.in_(seqs)
            )
        )
        return {row.seq: row for row in rows}

    async def advance(self, seq: int) -> None:
        await self.session.execute(
            update(WorkflowCursor).where(WorkflowCursor.tenant_id == self.tenant_id).values(seq=seq)
        )


async def rotation(session: Any, tenant_id: uuid.UUID, role: str) -> RoleRotation:
    """The role's rotation, locked until the transaction ends so two runs take turns."""
    await session.execute(
        insert(RoleRotation)
        .values(tenant_id=tenant_id, role=role, last_user_id=None)
        .on_conflict_do_nothing(index_elements=["tenant_id", "role"])
    )
    found: RoleRotation = await session.scalar(
        select(RoleRotation)
        .where(RoleRotation.tenant_id == tenant_id, RoleRotation.role == role)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found
