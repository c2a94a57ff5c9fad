"""Workflow queries (the team reads) and mutations (administrators write)."""

from collections.abc import Awaitable, Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from app.graphql.context import Info
from app.graphql.permissions import IsAdmin, IsAuthenticated
from app.kit.ids import expect_global_id
from app.kit.pagination import page_size
from app.workflows import service
from app.workflows.models import Workflow
from app.workflows.repository import ExecutionRepository
from app.workflows.service import WorkflowDraft
from app.workflows.types import (
    CreateWorkflowInput,
    DeleteWorkflowInput,
    UpdateWorkflowInput,
    WorkflowExecutionNode,
    WorkflowNode,
    WorkflowPayload,
)


@strawberry.type
class WorkflowQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="The tenant's workflows, the mandatory CSEA workflow first.",
    )
    async def workflows(
        self, info: Info, active: bool | None = None, first: int | None = None
    ) -> list[WorkflowNode]:
        tenant_id = info.context.require().tenant_id
        async with info.context.services.db.transaction() as work:
            workflows = await service.workflows_of(work.session, tenant_id)
            page = await workflows.page(active, page_size(first), None)
        return [WorkflowNode.from_row(row) for row, _ in page.items]

    @strawberry.field(permission_classes=[IsAuthenticated], description="One workflow.")
    async def workflow(self, info: Info, id: strawberry.ID) -> WorkflowNode | None:
        tenant_id = info.context.require().tenant_id
        async with info.context.services.db.transaction() as work:
            workflows = await service.workflows_of(work.session, tenant_id)
            row = await workflows.get(expect_global_id(id, "Workflow"))
        return WorkflowNode.from_row(row) if row else None

    @strawberry.field(
        permission_classes=[IsAuthenticated], description="A workflow's runs, newest first."
    )
    async def workflow_executions(
        self, info: Info, workflow_id: strawberry.ID, first: int | None = None
    ) -> list[WorkflowExecutionNode]:
        tenant_id = info.context.require().tenant_id
        pk = expect_global_id(workflow_id, "Workflow")
        async with info.context.services.db.read() as session:
            page = await ExecutionRepository(session, tenant_id).page(pk, page_size(first), None)
        return [WorkflowExecutionNode.from_row(row) for row, _ in page.items]


async def _changed(
    info: Info, change: Callable[[AsyncSession], Awaitable[Workflow]]
) -> WorkflowPayload:
    async with info.context.services.db.transaction() as work:
        row = await change(work.session)
    return WorkflowPayload(workflow=WorkflowNode.from_row(row))


@strawberry.type
class WorkflowMutations:
    @strawberry.mutation(permission_classes=[IsAdmin], description="Create a workflow.")
    async def create_workflow(self, info: Info, input: CreateWorkflowInput) -> WorkflowPayload:
        principal = info.context.require()
        draft = WorkflowDraft(
            input.name, input.description, input.trigger, input.steps, input.active
        )
        return await _changed(info, lambda s: service.create_workflow(s, principal, draft))

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Update a workflow (not a mandatory one)."
    )
    async def update_workflow(self, info: Info, input: UpdateWorkflowInput) -> WorkflowPayload:
        principal, pk = info.context.require(), expect_global_id(input.id, "Workflow")
        draft = WorkflowDraft(
            input.name, input.description, input.trigger, input.steps, input.active
        )
        return await _changed(info, lambda s: service.update_workflow(s, principal, pk, draft))

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Soft-delete a workflow (not a mandatory one)."
    )
    async def delete_workflow(self, info: Info, input: DeleteWorkflowInput) -> WorkflowPayload:
        principal, pk = info.context.require(), expect_global_id(input.id, "Workflow")
        return await _changed(info, lambda s: service.delete_workflow(s, principal, pk))
