"""The mandatory CSEA workflow, Haven's own in every tenant: a CSAM hash match from a
platform, or a ticket reported or classified as a CSEA concern, opens a critical CSEA case
linked to the ticket, preserves the triggering event as evidence, assigns a safeguarding lead
(round robin; with none, the administrators are told) and sends an urgent notification.

A workflow has one trigger, so the workflow is kept as one row per way in; the rows share their
steps, and tenants can neither change nor delete them. They are written the first time a
tenant's workflows are read or matched, so every tenant has them whenever they could act."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.models import utcnow
from app.workflows.definition import MANDATORY_NAME
from app.workflows.models import Workflow

STEPS: list[dict[str, Any]] = [
    {
        "order": 1,
        "action": "create_safety_case",
        "config": {"case_type": "csea", "priority": "critical"},
    },
    {"order": 2, "action": "preserve_evidence", "config": {}},
    {
        "order": 3,
        "action": "assign_to_role",
        "config": {"role": "safeguarding_lead", "when_none": "notify_admins"},
    },
    {
        "order": 4,
        "action": "send_notification",
        "config": {"channel": "urgent", "template": "csea_alert"},
    },
]
DESCRIPTION = (
    "Opens a critical CSEA case linked to the ticket, preserves the triggering event as "
    "evidence, assigns a safeguarding lead and sends an urgent notification. Required by law; "
    "it cannot be changed or deleted."
)
# (system key, name suffix, trigger, conditions), in the order one event is matched against them.
WAYS_IN: list[tuple[str, str, str, dict[str, Any]]] = [
    ("csea.hash_match", "platform hash match", "event.received", {"event_type": "csam_hash_match"}),
    ("csea.reported", "reported as CSEA concern", "ticket.created", {"category": "csea"}),
    (
        "csea.classified",
        "classified as CSEA concern",
        "ticket.classified",
        {"any": [{"category": "csea"}, {"risk_indicators": {"contains": "csea_concern"}}]},
    ),
]
KEYS = [key for key, *_ in WAYS_IN]


def _rows(tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "name": f"{MANDATORY_NAME}: {suffix}",
            "description": DESCRIPTION,
            "active": True,
            "trigger_event": trigger,
            "conditions": conditions,
            "steps": STEPS,
            "mandatory": True,
            "system_key": key,
            "created_at": now,
            "updated_at": now,
        }
        for key, suffix, trigger, conditions in WAYS_IN
    ]


async def ensure(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Write the tenant's mandatory workflows if they are not there yet (once: concurrent
    callers meet on the unique key)."""
    present = await session.scalars(
        select(Workflow.system_key).where(
            Workflow.tenant_id == tenant_id, Workflow.system_key.in_(KEYS)
        )
    )
    if len(set(present)) == len(KEYS):
        return
    await session.execute(
        insert(Workflow)
        .values(_rows(tenant_id))
        .on_conflict_do_nothing(index_elements=["tenant_id", "system_key"])
    )


def priority_of(key: str | None) -> int:
    """Where a mandatory row stands among those one event matches (the first one runs)."""
    return KEYS.index(key) if key in KEYS else len(KEYS)
