"""Running the workflow jobs a tenant's events queued, through the jobs' own code, and
reading what the runs left behind."""

import json
import uuid
from typing import Any

import httpx
from sqlalchemy import select, text

from app.services import Services
from app.workflows.dispatch import DISPATCH_JOB, RUN_JOB, dispatch
from app.workflows.models import WorkflowExecution
from app.workflows.runner import run_execution

BASE = "/api/v1/workflows"
# The document's create example, as its curl sends it.
EXAMPLE = """{
    "name": "High-priority ticket assignment",
    "description": "Auto-assign high priority tickets to senior agents",
    "trigger": {
      "event": "ticket.classified",
      "conditions": { "priority": "high" }
    },
    "steps": [
      { "order": 1, "action": "assign_to_role", "config": { "role": "senior_agent" } },
      { "order": 2, "action": "send_notification",
        "config": { "channel": "slack", "template": "high_priority_ticket" } }
    ],
    "active": true
  }"""

_DUE = text(
    "DELETE FROM pgqueuer WHERE id = (SELECT id FROM pgqueuer WHERE status = 'queued' "
    "AND entrypoint = :entrypoint AND execute_after <= now() "
    "AND convert_from(payload, 'UTF8')::jsonb->>:key = ANY(:values) ORDER BY id LIMIT 1) "
    "RETURNING payload"
)


async def _take(services: Services, entrypoint: str, key: str, values: list[str]) -> Any:
    async with services.db.transaction() as work:
        found = await work.session.scalar(
            _DUE, {"entrypoint": entrypoint, "key": key, "values": values}
        )
    return json.loads(found) if found is not None else None


async def _runs_of(services: Services, tenant_id: uuid.UUID) -> list[str]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(WorkflowExecution.id).where(WorkflowExecution.tenant_id == tenant_id)
        )
    return [str(pk) for pk in rows]


async def work_through(services: Services, tenant_id: uuid.UUID) -> None:
    """Every due dispatch and run job of the tenant, until none is left."""
    while True:
        if await _take(services, DISPATCH_JOB, "tenant_id", [str(tenant_id)]):
            await dispatch(services, tenant_id)
            continue
        payload = await _take(
            services, RUN_JOB, "execution_id", await _runs_of(services, tenant_id)
        )
        if payload is None:
            return
        await run_execution(services, uuid.UUID(payload["execution_id"]))


async def executions(services: Services, workflow_id: uuid.UUID) -> list[WorkflowExecution]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(WorkflowExecution)
            .where(WorkflowExecution.workflow_id == workflow_id)
            .order_by(WorkflowExecution.created_at)
        )
    return list(rows)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(BASE, json=body, headers=bearer(token))
