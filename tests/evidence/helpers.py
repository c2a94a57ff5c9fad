"""A tenant with one user per role and cases to preserve evidence on, and readers of what the
custody log and audit chain hold afterwards."""

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.audit.service import verify_chain
from app.auth.models import User
from app.cases.models import CaseType, SafetyCase
from app.evidence.inputs import Origin, Upload
from app.evidence.models import CustodyEntry, EvidenceItem
from app.evidence.service import Custody
from app.services import Services
from app.webhooks.models import WebhookReceipt
from tests.cases.helpers import open_case, principal_of, staff
from tests.factories import Factory, World

ORIGIN = Origin("203.0.113.7", "Haven-Tests/1.0 (custody)")


@dataclass
class Scene:
    world: World
    people: dict[str, User]
    case: SafetyCase
    csea: SafetyCase

    def custody(self, services: Services, role: str = "admin", origin: Origin = ORIGIN) -> Custody:
        return Custody(services.db, principal_of(self.people[role]), origin)


async def build_scene(factory: Factory, services: Services) -> Scene:
    world = await factory.world()
    people = await staff(factory, world)
    case = await open_case(services, world.admin, CaseType.HARASSMENT)
    csea = await open_case(services, world.admin, CaseType.CSEA)
    return Scene(world, people, case, csea)


def upload(case: SafetyCase, content: bytes | None = None, **overrides: object) -> Upload:
    fields: dict[str, object] = {
        "case_id": case.id,
        "type": "message",
        "description": "Threatening message sent to the reporter",
        "content_type": "text/plain; charset=utf-8",
        "content": content if content is not None else f"message {uuid.uuid4()}".encode(),
        "reason": "Preserve before the sender deletes it",
    }
    fields.update(overrides)
    return Upload(**fields)  # type: ignore[arg-type]


async def custody_rows(services: Services, tenant_id: uuid.UUID) -> list[CustodyEntry]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(CustodyEntry)
            .where(CustodyEntry.tenant_id == tenant_id)
            .order_by(CustodyEntry.created_at, CustodyEntry.id)
        )
        return list(rows)


async def evidence_rows(services: Services, tenant_id: uuid.UUID) -> list[EvidenceItem]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(EvidenceItem).where(EvidenceItem.tenant_id == tenant_id)
        )
        return list(rows)


async def audit_rows(services: Services, tenant_id: uuid.UUID) -> list[AuditEntry]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.tenant_id == tenant_id).order_by(AuditEntry.seq)
        )
        return list(rows)


async def chain_intact(services: Services, tenant_id: uuid.UUID) -> bool:
    async with services.db.read() as session:
        return (await verify_chain(session, tenant_id)).ok


PRESERVE = """mutation($input: PreserveEvidenceInput!) {
  preserveEvidence(input: $input) { evidence { id sha256 size caseId } }
}"""


def preserve_input(case_id: str, content: bytes | None = None) -> dict[str, object]:
    data = content if content is not None else f"screenshot {uuid.uuid4()}".encode()
    return {
        "caseId": case_id,
        "type": "SCREENSHOT",
        "description": "Screenshot of the abusive profile",
        "contentBase64": base64.b64encode(data).decode(),
        "contentType": "image/png",
        "reason": "Preserve before the account is deleted",
    }


async def preserve_by_gql(factory: Factory, case_id: str, token: str) -> str:
    """The global id of a new evidence item on the case, preserved through the API."""
    body = await factory.gql(PRESERVE, {"input": preserve_input(case_id)}, token=token)
    assert "errors" not in body, body
    return str(body["data"]["preserveEvidence"]["evidence"]["id"])


async def received_event(services: Services, tenant_id: uuid.UUID, ticket_id: uuid.UUID) -> str:
    """A platform event as the webhook endpoint keeps it, for tests that need one quickly."""
    event_id = f"evt_{uuid.uuid4()}"
    body = {
        "event_id": event_id,
        "event_type": "user_reported",
        "timestamp": "2026-04-02T14:30:00.000Z",
        "source": "dating-frame",
        "payload": {"reported_user_id": "usr_e5f6g7h8", "reason": "harassment"},
    }
    async with services.db.transaction() as work:
        work.session.add(
            WebhookReceipt(
                tenant_id=tenant_id,
                event_id=event_id,
                event_type="user_reported",
                source="dating-frame",
                occurred_at=datetime.now(UTC),
                ticket_id=ticket_id,
                body=body,
            )
        )
    return event_id
