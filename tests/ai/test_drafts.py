"""Reply drafts with human approval, called as the SupportOS document's curl examples call them:
grounded in the tenant's published articles, never built from internal notes, sent only once a
person approves, each decision final."""

import json
import uuid

import httpx
from sqlalchemy import select

from app.auth.models import Role
from app.comments.models import Comment
from app.services import Services
from app.tickets.models import TicketStatus
from tests.ai.helpers import configure, event_types, reloaded, timeline_kinds
from tests.factories import Factory, World, gid
from tests.knowledge.helpers import written_and_indexed

CREATE_EXAMPLE = """{
    "tone": "empathetic",
    "instructions": "Reference our community guidelines"
  }"""
POLICY = (
    "Community Guidelines — Harassment Policy",
    "## Harassment\nWe do not allow threatening or intimidating messages. When a member reports "
    "harassment, our safety team reviews the reported account within 24 hours.\n\n"
    "## Blocking\nYou can block any member from their profile: open the profile, tap the three "
    "dots and choose Block. They can no longer message you.",
)


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def drafts_path(ticket_id: uuid.UUID) -> str:
    return f"/api/v1/tickets/{gid('tkt', ticket_id)}/drafts"


async def harassment_ticket(factory: Factory, world: World) -> uuid.UUID:
    ticket = await factory.ticket(
        world.tenant,
        world.board,
        title="User report: inappropriate messages",
        description="A match keeps sending me threatening messages after I stopped replying. "
        "How do I stop him contacting me?",
    )
    return ticket.id


async def drafted(
    client: httpx.AsyncClient, token: str, ticket_id: uuid.UUID, content: str = CREATE_EXAMPLE
) -> httpx.Response:
    return await client.post(drafts_path(ticket_id), content=content, headers=headers(token))


async def test_the_draft_example_is_grounded_in_the_knowledge_base(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    article = await written_and_indexed(
        services, world.tenant.id, title=POLICY[0], content=POLICY[1], category="policies"
    )
    await written_and_indexed(
        services,
        world.tenant.id,
        title="Refunds for premium",
        content="Premium subscriptions are refunded within 14 days of purchase.",
    )
    await configure(services, world.tenant.id, signature="Dating Frame Support")
    ticket_id = await harassment_ticket(factory, world)
    response = await drafted(client, world.token, ticket_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert list(body) == [
        "id",
        "ticket_id",
        "content",
        "confidence",
        "model",
        "provider",
        "tokens_used",
        "knowledge_articles_used",
        "status",
        "created_at",
    ]
    assert body["id"].startswith("drf_") and body["ticket_id"] == gid("tkt", ticket_id)
    assert body["status"] == "pending_approval" and body["provider"] == "local"
    assert body["knowledge_articles_used"] == [{"id": gid("ka", article.id), "title": POLICY[0]}]
    assert "block" in body["content"].lower()
    assert "Dating Frame Support" in body["content"]
    assert 0 <= body["confidence"] <= 1
    # Nothing reached the requester yet.
    assert (await reloaded(services, ticket_id)).status == TicketStatus.OPEN
    assert "draft_created" in await timeline_kinds(services, ticket_id)
    assert "draft_created" in await event_types(services, world.tenant.id)


async def test_internal_notes_never_reach_a_draft(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    ticket_id = await harassment_ticket(factory, world)
    ticket = await reloaded(services, ticket_id)
    secret = "INTERNAL-ONLY reporter has three prior bans, suspect ban evasion"
    await factory.comment(world.tenant, ticket, body=secret, is_internal=True)
    response = await drafted(client, world.token, ticket_id, "{}")
    assert response.status_code == 201
    assert "INTERNAL-ONLY" not in response.json()["content"]
    assert "ban evasion" not in response.json()["content"]


async def test_a_closed_ticket_or_a_pending_draft_is_422(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    ticket_id = await harassment_ticket(factory, world)
    assert (await drafted(client, world.token, ticket_id)).status_code == 201
    again = await drafted(client, world.token, ticket_id)
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "UNPROCESSABLE"
    closed = await factory.ticket(world.tenant, world.board, title="Old")
    update = """mutation($id: ID!) { updateTicket(input: {id: $id, status: CLOSED}) {
      ticket { status } } }"""
    await factory.gql(update, {"id": gid("tkt", closed.id)}, token=world.token)
    refused = await drafted(client, world.token, closed.id)
    assert refused.status_code == 422
    assert "closed" in refused.json()["error"]["message"]


async def test_unknown_ticket_and_bad_bodies(factory: Factory, client: httpx.AsyncClient) -> None:
    world = await factory.world()
    missing = await drafted(client, world.token, uuid.uuid4())
    assert missing.status_code == 404
    ticket_id = await harassment_ticket(factory, world)
    for content in ('{"tone": "sarcastic"}', '{"instructions": 5}', "[]", '{"tone": null'):
        response = await drafted(client, world.token, ticket_id, content)
        assert response.status_code == 400, content
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_approving_sends_the_reply_and_resolves_the_ticket(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    ticket_id = await harassment_ticket(factory, world)
    draft = (await drafted(client, world.token, ticket_id)).json()
    approve = f"{drafts_path(ticket_id)}/{draft['id']}/approve"
    response = await client.post(approve, content="{}", headers=headers(world.token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "id": draft["id"],
        "status": "approved",
        "approved_by": gid("usr", world.admin.id),
        "approved_at": body["approved_at"],
        "ticket_status": "resolved",
    }
    async with services.db.read() as session:
        sent = list(await session.scalars(select(Comment).where(Comment.ticket_id == ticket_id)))
    assert [(c.body, c.is_internal, c.author_id) for c in sent] == [
        (draft["content"], False, world.admin.id)
    ]
    assert (await reloaded(services, ticket_id)).status == TicketStatus.RESOLVED
    twice = await client.post(approve, content="{}", headers=headers(world.token))
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "CONFLICT"


async def test_edits_are_sent_and_how_much_changed_is_kept(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    ticket_id = await harassment_ticket(factory, world)
    draft = (await drafted(client, world.token, ticket_id)).json()
    edited = draft["content"] + "\n\nP.S. We have also suspended the account."
    approve = f"{drafts_path(ticket_id)}/{draft['id']}/approve"
    response = await client.post(
        approve, content=json.dumps({"edits": edited}), headers=headers(world.token)
    )
    assert response.status_code == 200
    listed = (await client.get(drafts_path(ticket_id), headers=headers(world.token))).json()
    query = """query($t: ID!) { ticketDrafts(ticketId: $t) {
      status sentContent editDistance decidedByName } }"""
    shown = await factory.gql(query, {"t": gid("tkt", ticket_id)}, token=world.token)
    (decided,) = shown["data"]["ticketDrafts"]
    assert decided["status"] == "APPROVED" and decided["sentContent"] == edited
    assert decided["editDistance"] == 7  # the seven words added
    assert listed["data"][0]["status"] == "approved"


async def test_only_a_person_approves_and_rejecting_sends_nothing(
    services: Services, factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    ticket_id = await harassment_ticket(factory, world)
    draft = (await drafted(client, world.token, ticket_id)).json()
    path = f"{drafts_path(ticket_id)}/{draft['id']}"
    by_key = await client.post(f"{path}/approve", content="{}", headers=headers(world.api_key))
    assert by_key.status_code == 403
    viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
    assert (await client.post(f"{path}/approve", headers=headers(viewer))).status_code == 403
    rejected = await client.post(
        f"{path}/reject", content='{"reason": "Wrong policy"}', headers=headers(world.token)
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reason"] == "Wrong policy"
    late = await client.post(f"{path}/approve", content="{}", headers=headers(world.token))
    assert late.status_code == 409
    async with services.db.read() as session:
        sent = await session.scalar(select(Comment.id).where(Comment.ticket_id == ticket_id))
    assert sent is None
    assert (await reloaded(services, ticket_id)).status == TicketStatus.OPEN
    # A new draft may be asked for once the last one was decided.
    assert (await drafted(client, world.token, ticket_id)).status_code == 201


async def test_drafts_of_another_tenant_are_not_found(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world, other = await factory.world(), await factory.world()
    ticket_id = await harassment_ticket(factory, world)
    draft = (await drafted(client, world.token, ticket_id)).json()
    assert (await drafted(client, other.token, ticket_id)).status_code == 404
    listed = await client.get(drafts_path(ticket_id), headers=headers(other.token))
    assert listed.status_code == 404
    approve = f"{drafts_path(ticket_id)}/{draft['id']}/approve"
    assert (await client.post(approve, headers=headers(other.token))).status_code == 404
    mutation = """mutation($d: ID!) { approveDraft(input: {draftId: $d}) { draft { status } } }"""
    body = await factory.gql(mutation, {"d": draft["id"]}, token=other.token)
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
