"""Workflow rules: who may change workflows, what a definition may hold, and that the
mandatory CSEA workflow is neither changed, deleted, nor worked against. Each change is
recorded once through the journal, in the tenant's audit chain."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.repository import UserRepository
from app.connectors.repository import ConnectorRepository
from app.journal import service as journal
from app.journal.change import Change, Subject
from app.kit import validation
from app.kit.actors import Actor
from app.kit.errors import Forbidden, NotFound, ValidationFailed
from app.kit.ids import expect_global_id, to_global_id
from app.kit.models import utcnow
from app.outbound_webhooks.repository import EndpointRepository
from app.workflows import definition, mandatory
from app.workflows.definition import LEAD_ROLES, MandatoryConflict
from app.workflows.models import Workflow
from app.workflows.repository import WorkflowRepository

SUBJECT = "Workflow"
NAME_MAX = 200


@dataclass
class WorkflowDraft:
    """A definition as sent; `None` (on an update) leaves a field as it is."""

    name: str | None = None
    description: str | None = None
    trigger: Any = None
    steps: Any = None
    active: bool | None = None


def workflow_gid(workflow: Workflow) -> str:
    return to_global_id(SUBJECT, workflow.id)


async def workflows_of(session: AsyncSession, tenant_id: uuid.UUID) -> WorkflowRepository:
    """The tenant's workflows, the mandatory ones always among them."""
    await mandatory.ensure(session, tenant_id)
    return WorkflowRepository(session, tenant_id)


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only administrators can manage workflows")


def user_of_config(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        pass
    try:
        return expect_global_id(value, "User")
    except NotFound:
        return None


def pk_of_config(value: Any, type_name: str) -> uuid.UUID | None:
    """A record named in a step's config by its global id or a bare UUID."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        pass
    try:
        return expect_global_id(str(value), type_name)
    except NotFound:
        return None


async def _check_targets(session: AsyncSession, tenant_id: uuid.UUID, steps: list[dict]) -> None:
    """run_connector_action names one of the tenant's connector actions, send_webhook one of
    its webhook endpoints."""
    connectors = ConnectorRepository(session, tenant_id)
    endpoints = EndpointRepository(session, tenant_id)
    for step in steps:
        config, order = step["config"], step["order"]
        if step["action"] == "run_connector_action":
            pk = pk_of_config(config["action_id"], "OutboundAction")
            if pk is None or await connectors.action(pk) is None:
                raise ValidationFailed(
                    f"steps[order={order}]: config.action_id is not a connector action",
                    field="steps",
                )
        if step["action"] == "send_webhook":
            pk = pk_of_config(config["endpoint_id"], "WebhookEndpoint")
            if pk is None or await endpoints.get(pk) is None:
                raise ValidationFailed(
                    f"steps[order={order}]: config.endpoint_id is not a webhook endpoint",
                    field="steps",
                )


async def _check_people(
    session: AsyncSession, tenant_id: uuid.UUID, conditions: dict[str, Any], steps: list[dict]
) -> None:
    """assign_to_user names an active member of the tenant (a safeguarding lead or an
    administrator where the workflow is aimed at CSEA concerns)."""
    users = UserRepository(session, tenant_id)
    for step in steps:
        if step["action"] != "assign_to_user":
            continue
        pk = user_of_config(step["config"]["user_id"])
        user = await users.get(pk) if pk else None
        if user is None or not user.is_active:
            raise ValidationFailed(
                f"steps[order={step['order']}]: config.user_id is not an active team member",
                field="steps",
            )
        if definition.targets_csea(conditions) and user.role not in LEAD_ROLES:
            raise MandatoryConflict(
                f'Conflicts with the mandatory workflow "{definition.MANDATORY_NAME}": step '
                f"{step['order']} assigns CSEA concerns to someone who is not a safeguarding lead"
            )


async def _checked(
    session: AsyncSession, tenant_id: uuid.UUID, trigger: Any, steps: Any
) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    event, conditions = definition.check_trigger(trigger)
    checked = definition.check_steps(event, steps)
    definition.refuse_conflicts(conditions, checked)
    await _check_people(session, tenant_id, conditions, checked)
    await _check_targets(session, tenant_id, checked)
    return event, conditions, checked


async def _record(
    session: AsyncSession, principal: Principal, workflow: Workflow, action: str, details: dict
) -> None:
    subject = Subject(SUBJECT, workflow_gid(workflow))
    change = Change(principal.tenant_id, Actor.of(principal), action, [subject], details)
    await journal.record(session, change)


def _name(value: str | None) -> str:
    if value is None:
        raise ValidationFailed("name is required", field="name")
    cleaned = validation.title(value, "name")
    if len(cleaned) > NAME_MAX:
        raise ValidationFailed(f"name must be 1 to {NAME_MAX} characters", field="name")
    return cleaned


def _description(value: str | None) -> str | None:
    return validation.name(value, "description", definition.TEXT_MAX)


async def create_workflow(
    session: AsyncSession, principal: Principal, draft: WorkflowDraft
) -> Workflow:
    """A new workflow, inactive unless asked; refused when it would work against the mandatory
    CSEA workflow."""
    _require_admin(principal)
    name, description = _name(draft.name), _description(draft.description)
    if draft.trigger is None:
        raise ValidationFailed("trigger is required", field="trigger")
    if draft.steps is None:
        raise ValidationFailed("steps is required", field="steps")
    event, conditions, steps = await _checked(
        session, principal.tenant_id, draft.trigger, draft.steps
    )
    await mandatory.ensure(session, principal.tenant_id)
    workflow = Workflow(
        id=uuid.uuid4(),
        tenant_id=principal.tenant_id,
        name=name,
        description=description,
        active=bool(draft.active),
        trigger_event=event,
        conditions=conditions,
        steps=steps,
        mandatory=False,
    )
    session.add(workflow)
    await session.flush()
    details = {"name": name, "trigger": event, "active": workflow.active, "steps": len(steps)}
    await _record(session, principal, workflow, "workflow.created", details)
    return workflow


async def _editable(
    session: AsyncSession, principal: Principal, workflow_id: uuid.UUID, verb: str
) -> Workflow:
    _require_admin(principal)
    workflow = await (await workflows_of(session, principal.tenant_id)).get(
        workflow_id, for_update=True
    )
    if workflow is None:
        raise NotFound("Workflow")
    if workflow.mandatory:
        raise Forbidden(f"Cannot {verb} a mandatory system workflow")
    return workflow


async def update_workflow(
    session: AsyncSession, principal: Principal, workflow_id: uuid.UUID, draft: WorkflowDraft
) -> Workflow:
    """Change what was given; the whole definition is checked again as it will stand."""
    workflow = await _editable(session, principal, workflow_id, "modify")
    changed: dict[str, Any] = {}
    if draft.name is not None:
        changed["name"] = _name(draft.name)
    if draft.description is not None:
        changed["description"] = _description(draft.description)
    if draft.active is not None:
        changed["active"] = draft.active
    if draft.trigger is not None or draft.steps is not None:
        trigger = draft.trigger
        if trigger is None:
            trigger = {"event": workflow.trigger_event, "conditions": workflow.conditions}
        steps = draft.steps if draft.steps is not None else workflow.steps
        event, conditions, checked = await _checked(session, principal.tenant_id, trigger, steps)
        changed |= {"trigger_event": event, "conditions": conditions, "steps": checked}
    for key, value in changed.items():
        setattr(workflow, key, value)
    workflow.updated_at = utcnow()
    await session.flush()
    await _record(session, principal, workflow, "workflow.updated", {"fields": sorted(changed)})
    return workflow


async def delete_workflow(
    session: AsyncSession, principal: Principal, workflow_id: uuid.UUID
) -> Workflow:
    """Soft delete: the workflow stops and leaves every list; its runs stay on record."""
    workflow = await _editable(session, principal, workflow_id, "delete")
    workflow.deleted_at = utcnow()
    workflow.active = False
    await session.flush()
    await _record(session, principal, workflow, "workflow.deleted", {"name": workflow.name})
    return workflow
