"""What each step of a workflow does, acting as the workflow itself: its changes carry the
actor `Workflow: <name>`, and go through the same services a person's would, so every rule
(who may see CSEA cases, closed cases, evidence custody) holds for workflows too.

A step runs in its run's transaction and commits with its line in the log; the few services
that own their transactions (evidence, drafts) are made safe to repeat, so a retry after a
crash between the two never does the work twice."""

import hashlib
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from app.ai.drafting import DraftAsk, DraftRefused, create_draft
from app.auth.models import Role, User
from app.cases import service as cases
from app.cases.models import CaseStatus, CaseTicket, SafetyCase
from app.comments.service import NewComment, add_comment
from app.events.models import Event
from app.evidence.inputs import Origin, Upload, canonical_json
from app.evidence.models import EvidenceItem, EvidenceType
from app.evidence.service import Custody
from app.notifications.models import NotificationKind
from app.notifications.service import Notice, notify
from app.outbound_webhooks.models import EndpointFormat
from app.tickets.models import Priority
from app.tickets.repository import TicketRepository
from app.tickets.service import TicketChanges, update_ticket
from app.webhooks.models import WebhookReceipt
from app.workflows.definition import conflict
from app.workflows.reaching import run_connector_action, send_webhook, to_chat
from app.workflows.repository import rotation
from app.workflows.service import user_of_config
from app.workflows.step_run import Outcome, StepFailed, StepRun


async def _open_case_of(run: StepRun, ticket_id: uuid.UUID, case_type: str) -> SafetyCase | None:
    found: SafetyCase | None = await run.session.scalar(
        select(SafetyCase)
        .join(CaseTicket, CaseTicket.case_id == SafetyCase.id)
        .where(
            SafetyCase.tenant_id == run.tenant_id,
            CaseTicket.ticket_id == ticket_id,
            SafetyCase.case_type == case_type,
            SafetyCase.status != CaseStatus.CLOSED,
        )
        .limit(1)
    )
    return found


async def create_safety_case(run: StepRun) -> Outcome:
    ticket = await run.ticket()
    # The ticket's lock makes two runs about one ticket open one case between them.
    await TicketRepository(run.session, run.tenant_id).get(ticket.id, for_update=True)
    case_type = run.config["case_type"]
    existing = await _open_case_of(run, ticket.id, case_type)
    if existing is not None:
        detail = f"Ticket #{ticket.number} is already on open case #{existing.number}"
        return Outcome("skipped", detail, stop=True, context={"case_id": str(existing.id)})
    draft = cases.NewCase(
        case_type=case_type,
        priority=Priority(run.config.get("priority", Priority.HIGH)),
        subject=run.config.get("subject") or ticket.title,
        description=f"Opened by workflow {run.workflow.name!r} from ticket #{ticket.number}.",
        ticket_ids=[ticket.id],
    )
    case = await cases.create_case(run.session, run.principal, draft)
    detail = f"Opened {case_type} case #{case.number} at {case.priority} priority"
    return Outcome("done", detail, context={"case_id": str(case.id)})


async def _triggering(run: StepRun) -> tuple[WebhookReceipt | None, bytes]:
    """The platform event as received where the run began with one, else the log's event."""
    ticket = await run.ticket() if run.ticket_id else None
    event_id = (ticket.meta or {}).get("event_id") if ticket else None
    if event_id:
        receipt = await run.session.get(WebhookReceipt, (run.tenant_id, event_id))
        if receipt is not None:
            return receipt, canonical_json(receipt.body)
    event = await run.session.get(Event, (run.tenant_id, run.execution.event_seq))
    if event is None:
        raise StepFailed("The triggering event is no longer in the event log")
    shown = {"seq": event.seq, "type": event.type, "payload": event.payload,
             "actor": event.actor, "created_at": event.created_at.isoformat()}  # fmt: skip
    return None, canonical_json(shown)


async def preserve_evidence(run: StepRun) -> Outcome:
    case_id = run.case_id
    if case_id is None:
        raise StepFailed("No case to preserve evidence on")
    receipt, content = await _triggering(run)
    digest = hashlib.sha256(content).hexdigest()
    kept = await run.session.scalar(
        select(EvidenceItem.id).where(
            EvidenceItem.tenant_id == run.tenant_id,
            EvidenceItem.case_id == case_id,
            EvidenceItem.sha256 == digest,
        )
    )
    if kept is not None:
        return Outcome("skipped", "The triggering event is already preserved on the case")
    custody = Custody(run.services.db, run.principal, Origin())
    store = run.services.evidence
    if receipt is not None:
        await custody.preserve_webhook_event(store, case_id, receipt.event_id, run.reason)
        return Outcome(
            "done", f"Preserved platform event {receipt.event_id} ({receipt.event_type})"
        )
    execution = run.execution
    description = (
        f"Event {execution.event_seq} ({execution.trigger}) that started {run.workflow.name!r}"
    )
    upload = Upload(
        case_id, EvidenceType.OTHER, description[:2000], "application/json", content, run.reason
    )
    await custody.preserve_upload(store, upload)
    return Outcome("done", f"Preserved event {run.execution.event_seq} as evidence")


async def _members(run: StepRun, role: str) -> list[User]:
    rows = await run.session.scalars(
        select(User)
        .where(User.tenant_id == run.tenant_id, User.role == role, User.is_active.is_(True))
        .order_by(User.created_at, User.id)
    )
    return list(rows)


async def _next_member(run: StepRun, role: str) -> User | None:
    """Round robin: the member after the one the role's rotation last gave work to."""
    members = await _members(run, role)
    if not members:
        return None
    turn = await rotation(run.session, run.tenant_id, role)
    ids = [member.id for member in members]
    after = ids.index(turn.last_user_id) + 1 if turn.last_user_id in ids else 0
    chosen = members[after % len(members)]
    turn.last_user_id = chosen.id
    return chosen


async def _assign(run: StepRun, user: User) -> Outcome:
    if run.case_id is not None:
        case = await cases.assign_case(run.session, run.principal, run.case_id, user.id, run.reason)
        return Outcome("done", f"Assigned case #{case.number} to {user.name}")
    ticket = await run.ticket()
    changes = TicketChanges(assignee_id=user.id)
    await update_ticket(run.session, run.tenant_id, run.actor, ticket.id, changes)
    return Outcome("done", f"Assigned ticket #{ticket.number} to {user.name}")


async def _notify_admins(run: StepRun, why: str) -> Outcome:
    admins = [user.id for user in await _members(run, Role.ADMIN)]
    notice = Notice(NotificationKind.URGENT, f"Workflow needs you: {why}", f"{why} ({run.reason}).",
                    ticket_id=run.ticket_id, case_id=run.case_id)  # fmt: skip
    sent = await notify(run.session, run.tenant_id, admins, notice)
    return Outcome("done", f"{why}; {len(sent)} administrator(s) notified")


async def assign_to_role(run: StepRun) -> Outcome:
    role = run.config["role"]
    user = await _next_member(run, role)
    if user is None:
        why = f"No active member holds the role {role}"
        if run.config.get("when_none") == "notify_admins":
            return await _notify_admins(run, why)
        raise StepFailed(why)
    return await _assign(run, user)


async def assign_to_user(run: StepRun) -> Outcome:
    pk = user_of_config(run.config["user_id"])
    user = await run.session.get(User, pk) if pk else None
    if user is None or user.tenant_id != run.tenant_id or not user.is_active:
        raise StepFailed("The user to assign to is no longer an active team member")
    return await _assign(run, user)


async def set_priority(run: StepRun) -> Outcome:
    priority = Priority(run.config["priority"])
    if run.case_id is not None:
        case = await cases.set_priority(
            run.session, run.principal, run.case_id, priority, run.reason
        )
        return Outcome("done", f"Case #{case.number} priority is {priority}")
    ticket = await run.ticket()
    await update_ticket(
        run.session, run.tenant_id, run.actor, ticket.id, TicketChanges(priority=priority)
    )
    return Outcome("done", f"Ticket #{ticket.number} priority is {priority}")


async def add_tag(run: StepRun) -> Outcome:
    ticket, tag = await run.ticket(), run.config["tag"].strip()
    if tag in ticket.tags:
        return Outcome("skipped", f"Ticket #{ticket.number} already has the tag {tag}")
    changes = TicketChanges(tags=[*ticket.tags, tag])
    await update_ticket(run.session, run.tenant_id, run.actor, ticket.id, changes)
    return Outcome("done", f"Tagged ticket #{ticket.number} {tag}")


async def add_internal_note(run: StepRun) -> Outcome:
    ticket = await run.ticket()
    note = NewComment(ticket_id=ticket.id, body=run.config["body"], is_internal=True)
    await add_comment(run.session, run.tenant_id, run.actor, note)
    return Outcome("done", f"Added an internal note to ticket #{ticket.number}")


async def generate_draft(run: StepRun) -> Outcome:
    ticket = await run.ticket()
    ask = DraftAsk(instructions=run.config.get("instructions"))
    try:
        draft = await create_draft(run.services, run.principal, ticket.id, ask)
    except DraftRefused as refused:
        return Outcome("skipped", refused.message)
    return Outcome(
        "done",
        f"Drafted a reply on ticket #{ticket.number} (awaits approval)",
        context={"draft_id": str(draft.id)},
    )


async def _recipients(run: StepRun) -> list[uuid.UUID]:
    role = run.config.get("role")
    if role:
        return [user.id for user in await _members(run, role)]
    assignee = None
    if run.case_id is not None:
        case = await run.session.get(SafetyCase, run.case_id)
        assignee = case.assignee_id if case else None
    elif run.ticket_id is not None:
        assignee = (await run.ticket()).assignee_id
    if assignee is not None:
        return [assignee]
    fallback = Role.SAFEGUARDING_LEAD if run.execution.context.get("csea") else Role.ADMIN
    return [user.id for user in await _members(run, fallback) or await _members(run, Role.ADMIN)]


async def send_notification(run: StepRun) -> Outcome:
    channel = run.config["channel"]
    if channel == "slack":
        return await to_chat(run, EndpointFormat.SLACK)
    kind = NotificationKind.URGENT if channel == "urgent" else NotificationKind.ASSIGNMENT
    template = run.config.get("template", "workflow")
    title = f"{run.workflow.name}: {template.replace('_', ' ')}"
    body = run.config.get("message") or f"{run.reason}."
    notice = Notice(kind, title, body, ticket_id=run.ticket_id, case_id=run.case_id)
    sent = await notify(run.session, run.tenant_id, await _recipients(run), notice)
    if not sent:
        raise StepFailed("Nobody to notify: no active recipient")
    return Outcome("done", f"Sent {len(sent)} {channel} notification(s) ({template})")


Action = Callable[[StepRun], Awaitable[Outcome]]
PERFORMERS: dict[str, Action] = {
    "create_safety_case": create_safety_case,
    "preserve_evidence": preserve_evidence,
    "assign_to_role": assign_to_role,
    "assign_to_user": assign_to_user,
    "set_priority": set_priority,
    "add_tag": add_tag,
    "add_internal_note": add_internal_note,
    "generate_draft": generate_draft,
    "send_notification": send_notification,
    "run_connector_action": run_connector_action,
    "send_webhook": send_webhook,
}


async def perform(run: StepRun) -> Outcome:
    """Do the step. On a CSEA concern, a tenant workflow's step that would work against the
    mandatory workflow is skipped, whatever the workflow was aimed at."""
    step = {"order": 0, "action": run.action, "config": run.config}
    why = conflict(step) if run.execution.context.get("csea") else None
    if why and not run.workflow.mandatory:
        return Outcome("skipped", f"Left to the mandatory CSEA workflow: {why}")
    performer = PERFORMERS.get(run.action)
    if performer is None:
        raise StepFailed(f"{run.action} is not available yet")
    return await performer(run)
