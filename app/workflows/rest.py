"""/api/v1/workflows: the tenant's workflows as the API document describes them (list,
create, update, soft delete), plus one workflow and its runs. Administrators write; the team
reads. Callers send access tokens or API keys, as for /api/v1/cases."""

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.kit.errors import NotFound
from app.rest.envelope import invalid
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    TOKEN_OR_KEY,
    id_parameter,
    refusal,
)
from app.rest.operations import JSONBody, Operation, Reply, read_body, routes
from app.rest.params import caller, limit, path_pk
from app.services import Services
from app.workflows import service
from app.workflows.bodies import (
    STEPS_EXAMPLE,
    TRIGGER_EXAMPLE,
    WORKFLOW_ID,
    Execution,
    ExecutionPage,
    WorkflowChange,
    WorkflowCreate,
    WorkflowCreated,
    WorkflowDeleted,
    WorkflowPage,
    WorkflowSummary,
    WorkflowUpdated,
)
from app.workflows.definition import MandatoryConflict
from app.workflows.repository import ExecutionRepository
from app.workflows.service import WorkflowDraft

BASE = "/api/v1/workflows"


def _pk(request: Request) -> uuid.UUID:
    return path_pk(request.path_params["workflow_id"], "Workflow", "Workflow")


def _active(request: Request) -> bool | None:
    raw = request.query_params.get("active")
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise invalid("active must be true or false")
    return raw == "true"


def _draft(body: WorkflowCreate) -> WorkflowDraft:
    return WorkflowDraft(body.name, body.description, body.trigger, body.steps, body.active)


async def list_workflows(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    active, size = _active(request), limit(request.query_params)
    async with services.db.transaction() as work:
        workflows = await service.workflows_of(work.session, principal.tenant_id)
        page = await workflows.page(active, size, request.query_params.get("cursor"))
        total = await workflows.count(active)
    data = [WorkflowSummary.of(workflow) for workflow, _ in page.items]
    return JSONBody(WorkflowPage.of(data, page, total))


async def show_workflow(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    async with services.db.transaction() as work:
        workflows = await service.workflows_of(work.session, principal.tenant_id)
        workflow = await workflows.get(_pk(request))
    if workflow is None:
        raise NotFound("Workflow")
    return JSONBody(WorkflowSummary.of(workflow))


async def list_executions(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    size, pk = limit(request.query_params), _pk(request)
    async with services.db.transaction() as work:
        workflows = await service.workflows_of(work.session, principal.tenant_id)
        if await workflows.get(pk) is None:
            raise NotFound("Workflow")
        runs = ExecutionRepository(work.session, principal.tenant_id)
        page = await runs.page(pk, size, request.query_params.get("cursor"))
        total = await runs.count(pk)
    data = [Execution.of(row) for row, _ in page.items]
    return JSONBody(ExecutionPage.of(data, page, total))


async def create_workflow(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    body: WorkflowCreate = await read_body(request, WorkflowCreate)
    async with services.db.transaction() as work:
        workflow = await service.create_workflow(work.session, principal, _draft(body))
    return JSONBody(WorkflowCreated.of(workflow), status_code=201)


async def update_workflow(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = _pk(request)
    body: WorkflowChange = await read_body(request, WorkflowChange)
    async with services.db.transaction() as work:
        workflow = await service.update_workflow(work.session, principal, pk, _draft(body))
    return JSONBody(WorkflowUpdated.of(workflow))


async def delete_workflow(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = _pk(request)
    async with services.db.transaction() as work:
        workflow = await service.delete_workflow(work.session, principal, pk)
    return JSONBody(WorkflowDeleted.of(workflow))


WORKFLOW_PATH_ID = id_parameter("workflow_id", "Workflow", "workflow", WORKFLOW_ID)
ACTIVE_PARAMETER = {
    "name": "active",
    "in": "query",
    "required": False,
    "description": "Filter by active/inactive status",
    "schema": {"type": "boolean"},
}
CONFLICT = {
    "422": refusal(
        "The workflow would work against the mandatory CSEA workflow (lower a CSEA concern's "
        "priority, or hand it to someone who is not a safeguarding lead); nothing is saved",
        [MandatoryConflict.code],
        {
            "code": MandatoryConflict.code,
            "message": 'Conflicts with the mandatory workflow "CSEA safeguarding": step 1 '
            "(set_priority) acts on CSEA concerns and it lowers the priority to low",
        },
    )
}
WORKFLOW_OPERATIONS = [
    Operation(
        "GET", BASE, list_workflows, "listWorkflows", "workflows",
        "The tenant's workflows, the mandatory CSEA workflow first",
        TOKEN_OR_KEY, {200: Reply("One page of workflows", WorkflowPage)},
        errors=(400, 401, 429),
        parameters=[ACTIVE_PARAMETER, CURSOR_PARAMETER, LIMIT_PARAMETER],
    ),
    Operation(
        "POST", BASE, create_workflow, "createWorkflow", "workflows",
        "Create a workflow (administrators); CSEA mandatory workflows cannot be created",
        TOKEN_OR_KEY, {201: Reply("The workflow", WorkflowCreated)},
        errors=(400, 401, 403, 413, 429),
        body=WorkflowCreate,
        body_example={
            "name": "High-priority ticket assignment",
            "description": "Auto-assign high priority tickets to senior agents",
            "trigger": TRIGGER_EXAMPLE,
            "steps": STEPS_EXAMPLE,
            "active": True,
        },
        extra=CONFLICT,
    ),
    Operation(
        "GET", f"{BASE}/{{workflow_id}}", show_workflow, "getWorkflow", "workflows",
        "One workflow", TOKEN_OR_KEY, {200: Reply("The workflow", WorkflowSummary)},
        errors=(401, 404, 429), parameters=[WORKFLOW_PATH_ID],
    ),
    Operation(
        "PATCH", f"{BASE}/{{workflow_id}}", update_workflow, "updateWorkflow", "workflows",
        "Update a workflow (administrators); mandatory workflows cannot be modified",
        TOKEN_OR_KEY, {200: Reply("The workflow as changed", WorkflowUpdated)},
        errors=(400, 401, 403, 404, 413, 429), parameters=[WORKFLOW_PATH_ID],
        body=WorkflowChange, body_example={"active": False}, extra=CONFLICT,
    ),
    Operation(
        "DELETE", f"{BASE}/{{workflow_id}}", delete_workflow, "deleteWorkflow", "workflows",
        "Soft-delete a workflow (administrators); mandatory workflows cannot be deleted",
        TOKEN_OR_KEY, {200: Reply("The workflow, deleted", WorkflowDeleted)},
        errors=(401, 403, 404, 429), parameters=[WORKFLOW_PATH_ID],
    ),
    Operation(
        "GET", f"{BASE}/{{workflow_id}}/executions", list_executions, "listWorkflowExecutions",
        "workflows", "The workflow's runs, newest first, each with its step log",
        TOKEN_OR_KEY, {200: Reply("One page of runs", ExecutionPage)},
        errors=(400, 401, 404, 429),
        parameters=[WORKFLOW_PATH_ID, CURSOR_PARAMETER, LIMIT_PARAMETER],
    ),
]  # fmt: skip


def workflow_routes() -> list[BaseRoute]:
    return routes(WORKFLOW_OPERATIONS)
