"""Cross-tenant probes for AI: tenant B's admin (by token and by API key) aims every AI query,
mutation and REST call at tenant A's tickets and drafts, and finds nothing: NOT_FOUND, no
string of A's in the answer, and A's tickets, drafts and settings unchanged. A's admin running
the same calls succeeds, so no probe passes vacuously."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.ai.models import AISettings, Draft
from app.services import Services
from app.tickets.models import Ticket, TicketStatus
from tests.factories import Factory, World, error_codes, gid

COVERS = {
    "Query.aiSettings",
    "Query.ticketDrafts",
    "Mutation.updateAiSettings",
    "Mutation.draftReply",
    "Mutation.approveDraft",
    "Mutation.rejectDraft",
    "Mutation.ticketToSop",
    "Mutation.mergeTickets",
    "Mutation.unmergeTicket",
}
SECRET = "zanzibar-quartz"
DRAFTS = "query($t: ID!) { ticketDrafts(ticketId: $t) { id content } }"
SETTINGS = "query { aiSettings { signature draftPrompt categories { name } } }"
UPDATE = """mutation { updateAiSettings(input: {signature: "B's desk"}) {
  settings { signature } } }"""
DRAFT = "mutation($t: ID!) { draftReply(input: {ticketId: $t}) { draft { id content } } }"
APPROVE = "mutation($d: ID!) { approveDraft(input: {draftId: $d}) { draft { id } } }"
REJECT = "mutation($d: ID!) { rejectDraft(input: {draftId: $d}) { draft { id } } }"
SOP = "mutation($t: ID!) { ticketToSop(input: {ticketId: $t}) { article { id title } } }"
MERGE = """mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, targetId: $t}) {
  source { id } target { id } } }"""
UNMERGE = "mutation($t: ID!) { unmergeTicket(input: {ticketId: $t}) { source { id } } }"


@dataclass
class Side:
    world: World
    open_ticket: Ticket
    resolved: Ticket
    merged: Ticket
    draft_id: str


async def side(services: Services, factory: Factory) -> Side:
    world = await factory.world()
    async with services.db.transaction() as work:
        work.session.add(
            AISettings(
                tenant_id=world.tenant.id,
                draft_tone="professional",
                signature=f"{SECRET} desk",
                draft_prompt=f"Mention {SECRET}",
            )
        )
    ticket = await factory.ticket(
        world.tenant, world.board, title=f"{SECRET} login fails", description="Cannot log in"
    )
    resolved = await factory.ticket(world.tenant, world.board, title=f"{SECRET} fixed")
    await factory.comment(world.tenant, resolved, body="Reset the password from the admin page.")
    await factory.gql(
        "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }",
        {"i": {"id": gid("tkt", resolved.id), "status": "RESOLVED"}},
        token=world.token,
    )
    source = await factory.ticket(world.tenant, world.board, title=f"{SECRET} duplicate")
    merged = await factory.gql(
        MERGE, {"s": gid("tkt", source.id), "t": gid("tkt", resolved.id)}, token=world.token
    )
    assert error_codes(merged) == [], merged
    drafted = await factory.gql(DRAFT, {"t": gid("tkt", ticket.id)}, token=world.token)
    assert error_codes(drafted) == [], drafted
    return Side(world, ticket, resolved, source, drafted["data"]["draftReply"]["draft"]["id"])


def credentials(world: World, kind: str) -> dict[str, str]:
    return {"token": world.token} if kind == "token" else {"api_key": world.api_key}


async def state(services: Services, tenant_id: uuid.UUID) -> tuple[Any, ...]:
    async with services.db.read() as session:
        tickets = sorted(
            (t.title, t.status, t.merged_into_id)
            for t in await session.scalars(select(Ticket).where(Ticket.tenant_id == tenant_id))
        )
        drafts = sorted(
            (d.status, d.content)
            for d in await session.scalars(select(Draft).where(Draft.tenant_id == tenant_id))
        )
        settings = await session.get(AISettings, tenant_id)
    assert settings is not None
    return tuple(tickets), tuple(drafts), settings.signature


@pytest.mark.parametrize("kind", ["token", "api_key"])
async def test_tenant_b_reaches_nothing_of_tenant_a(
    services: Services, factory: Factory, client: httpx.AsyncClient, kind: str
) -> None:
    a = await side(services, factory)
    b = await factory.world()
    before = await state(services, a.world.tenant.id)
    as_b = credentials(b, kind)
    a_open, a_resolved = gid("tkt", a.open_ticket.id), gid("tkt", a.resolved.id)
    b_ticket = gid("tkt", (await factory.ticket(b.tenant, b.board, title="B's own")).id)
    probes: list[tuple[str, dict[str, Any]]] = [
        (DRAFTS, {"t": a_open}),
        (DRAFT, {"t": a_open}),
        (APPROVE, {"d": a.draft_id}),
        (REJECT, {"d": a.draft_id}),
        (SOP, {"t": a_resolved}),
        (MERGE, {"s": a_open, "t": b_ticket}),
        (MERGE, {"s": b_ticket, "t": a_open}),
        (UNMERGE, {"t": gid("tkt", a.merged.id)}),
    ]
    for query, variables in probes:
        body = await factory.gql(query, variables, **as_b)
        assert SECRET not in str(body), (query, body)
        if kind == "api_key" and query in (APPROVE, REJECT):
            assert error_codes(body) in (["NOT_FOUND"], ["FORBIDDEN"]), (query, body)
        else:
            assert error_codes(body) == ["NOT_FOUND"], (query, body)
    own = await factory.gql(SETTINGS, {}, **as_b)
    assert SECRET not in str(own) and error_codes(own) == []
    changed = await factory.gql(UPDATE, {}, **as_b)
    assert error_codes(changed) == []
    for path in (
        f"/api/v1/tickets/{a_open}/drafts",
        f"/api/v1/tickets/{a_open}/drafts/{a.draft_id}/approve",
        f"/api/v1/tickets/{a_open}/drafts/{a.draft_id}/reject",
        f"/api/v1/tickets/{a_resolved}/sop",
    ):
        secret = b.token if kind == "token" else b.api_key
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        answer = await client.post(path, content="{}", headers=headers)
        assert answer.status_code in (403, 404), (path, answer.text)
        assert SECRET not in answer.text
        listed = await client.get(f"/api/v1/tickets/{a_open}/drafts", headers=headers)
        assert listed.status_code == 404 and SECRET not in listed.text
    assert await state(services, a.world.tenant.id) == before


async def test_tenant_a_reaches_its_own(services: Services, factory: Factory) -> None:
    a = await side(services, factory)
    as_a = {"token": a.world.token}
    drafts = await factory.gql(DRAFTS, {"t": gid("tkt", a.open_ticket.id)}, **as_a)
    assert [d["id"] for d in drafts["data"]["ticketDrafts"]] == [a.draft_id]
    settings = await factory.gql(SETTINGS, {}, **as_a)
    assert settings["data"]["aiSettings"]["signature"] == f"{SECRET} desk"
    rejected = await factory.gql(REJECT, {"d": a.draft_id}, **as_a)
    assert error_codes(rejected) == [], rejected
    sop = await factory.gql(SOP, {"t": gid("tkt", a.resolved.id)}, **as_a)
    assert error_codes(sop) == [], sop
    unmerged = await factory.gql(UNMERGE, {"t": gid("tkt", a.merged.id)}, **as_a)
    assert error_codes(unmerged) == [], unmerged
    async with services.db.read() as session:
        restored = await session.get(Ticket, a.merged.id)
    assert restored is not None and restored.status == TicketStatus.OPEN
