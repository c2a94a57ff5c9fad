"""Requesters never see internal names. What they read (the status page, the v1 ticket API,
mail) signs a person's reply with their display name and anything no person wrote (an API key's
reply, an automation's) with the team's name, while staff still see who wrote what."""

import html
import re
import uuid

import httpx
from sqlalchemy import update

from app.auth.models import Role
from app.comments.models import AuthorKind
from app.comments.service import NewComment, add_comment
from app.kit.actors import SYSTEM
from app.services import Services
from app.tenants.models import Tenant
from tests.factories import Factory, World
from tests.intake.helpers import SUBMIT, create_form, mail_text, outbox, path_of, submission

TEAM = "Acme Support"
CREATE_KEY = """mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }"""
COMMENT = """mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }"""
COMMENTS = "query($id: ID!) { ticket(id: $id) { comments { body authorName } } }"
SIGNED = re.compile(
    r'<p class="meta">([^<]*), <time[^>]*>[^<]*</time></p><p class="body">([^<]*)</p>'
)


async def team_named(factory: Factory, name: str) -> World:
    world = await factory.world()
    async with factory.services.db.transaction() as work:
        await work.session.execute(
            update(Tenant).where(Tenant.id == world.tenant.id).values(name=name)
        )
    return world


async def key_named(factory: Factory, world: World, name: str) -> str:
    variables = {"input": {"name": name, "role": "AGENT"}}
    body = await factory.gql(CREATE_KEY, variables, token=world.token)
    assert "errors" not in body, body
    return str(body["data"]["createApiKey"]["secret"])


async def comment(factory: Factory, ticket_id: str, body: str, **credential: str) -> None:
    variables = {"input": {"ticketId": ticket_id, "body": body}}
    answer = await factory.gql(COMMENT, variables, **credential)
    assert "errors" not in answer, answer


async def written_by_haven(services: Services, world: World, ticket_id: str, body: str) -> None:
    """A message Haven itself writes on the ticket, as automations do."""
    draft = NewComment(
        ticket_id=uuid.UUID(ticket_id.removeprefix("tkt_")),
        body=body,
        author_kind=AuthorKind.SYSTEM,
    )
    async with services.db.transaction() as work:
        await add_comment(work.session, world.tenant.id, SYSTEM, draft)


def signed(page: str) -> list[tuple[str, str]]:
    """(signature, body) of each message on a status page, in order."""
    return [(html.unescape(who), html.unescape(body)) for who, body in SIGNED.findall(page)]


async def test_requesters_see_people_by_name_and_everything_else_as_the_team(
    client: httpx.AsyncClient, factory: Factory, services: Services
) -> None:
    world = await team_named(factory, TEAM)
    form = await create_form(factory, world)
    entry = submission(form["slug"])
    filed = (await client.post(SUBMIT, json=entry)).json()
    ticket_id, path = filed["ticket_id"], path_of(filed["status_url"], services.settings)
    bot = await key_named(factory, world, "internal-bot")
    agent = await factory.user(world.tenant, Role.AGENT, name="Priya Patel")
    await comment(factory, ticket_id, "We are looking into it.", api_key=bot)
    await comment(factory, ticket_id, "Tray 2 is fixed.", token=await factory.token(agent))
    await written_by_haven(services, world, ticket_id, "This ticket was linked to #7.")

    page = (await client.get(path)).text
    assert signed(page) == [
        ("Jane Doe", entry["description"]),
        (TEAM, "We are looking into it."),
        ("Priya Patel", "Tray 2 is fixed."),
        (TEAM, "This ticket was linked to #7."),
    ]
    assert "internal-bot" not in page

    # Staff still see which key wrote what.
    staff = await factory.gql(COMMENTS, {"id": ticket_id}, token=world.token)
    names = [c["authorName"] for c in staff["data"]["ticket"]["comments"]]
    assert names == ["Jane Doe", "internal-bot", "Priya Patel", "Haven"]


async def test_the_v1_api_names_no_author_and_so_no_key(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await team_named(factory, TEAM)
    form = await create_form(factory, world)
    filed = (await client.post(SUBMIT, json=submission(form["slug"]))).json()
    bot = await key_named(factory, world, "internal-bot")
    await comment(factory, filed["ticket_id"], "We are looking into it.", api_key=bot)
    response = await client.get(
        f"/v1/tickets/{filed['ticket_id']}", headers={"Authorization": f"Bearer {bot}"}
    )
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert [(m["author_type"], m["body"]) for m in messages][-1] == (
        "agent",
        "We are looking into it.",
    )
    # The documented message has no author name: nothing internal can ride along with it.
    assert all(set(m) == {"id", "author_type", "body", "created_at"} for m in messages)
    assert "internal-bot" not in response.text


async def test_mail_to_the_requester_is_signed_by_the_team(
    client: httpx.AsyncClient, factory: Factory, services: Services
) -> None:
    world = await team_named(factory, TEAM)
    form = await create_form(factory, world)
    entry = submission(form["slug"])
    filed = (await client.post(SUBMIT, json=entry)).json()
    bot = await key_named(factory, world, "internal-bot")
    await comment(factory, filed["ticket_id"], "We are looking into it.", api_key=bot)
    mails = outbox(services.settings, entry["email"])
    assert len(mails) == 1
    text = mail_text(mails[0])
    assert text.rstrip().endswith(f"\n{TEAM}")
    assert all("internal-bot" not in mail_text(mail) for mail in mails)
