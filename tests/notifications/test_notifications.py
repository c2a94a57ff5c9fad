"""Notifications: assignment and mentions reach the right teammate, in the app and by mail,
as each prefers; marking read; alerting a role; and the live stream carries only your own."""

from typing import Any

from app.auth.models import Role
from app.notifications.service import notify_role
from app.services import Services
from tests.factories import Factory, error_codes, gid
from tests.intake.helpers import mail_text, outbox
from tests.notifications.helpers import NOTIFICATIONS, run_mail_jobs
from tests.realtime.conftest import GraphQLWS, live_server, subscribed

__all__ = ["live_server"]

# The subscription whose cross-tenant probe is the live test at the end of this module.
PROBED = {"notificationEvents"}

COMMENT = "mutation($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }"
ASSIGN = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { ticket { id } } }"
PREFERENCES = """mutation($i: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $i) { preferences { kind inApp email } } }"""
MARK = (
    "mutation($i: MarkNotificationsReadInput!) { markNotificationsRead(input: $i) { markedCount } }"
)
LIVE = "subscription { notificationEvents { cursor notification { kind title ticketId } } }"


def nodes(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert error_codes(body) == [], body
    return [edge["node"] for edge in body["data"]["notifications"]["edges"]]


class TestAssignment:
    async def test_the_assignee_is_told_and_nobody_else(self, factory: Factory) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        bystander = await factory.user(world.tenant, Role.AGENT)
        ticket = await factory.ticket(world.tenant, world.board, title="VPN drops")
        change = {"id": gid("tkt", ticket.id), "assigneeId": gid("usr", agent.id)}
        await factory.gql(ASSIGN, {"i": change}, token=world.token)
        (notice,) = nodes(await factory.gql(NOTIFICATIONS, token=await factory.token(agent)))
        assert notice["kind"] == "ASSIGNMENT" and "VPN drops" in notice["title"]
        assert notice["ticketId"] == gid("tkt", ticket.id)
        assert nodes(await factory.gql(NOTIFICATIONS, token=await factory.token(bystander))) == []

    async def test_assigning_yourself_tells_nobody(self, factory: Factory) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        change = {"id": gid("tkt", ticket.id), "assigneeId": gid("usr", world.admin.id)}
        await factory.gql(ASSIGN, {"i": change}, token=world.token)
        assert nodes(await factory.gql(NOTIFICATIONS, token=world.token)) == []


class TestMentions:
    async def test_a_mention_in_an_internal_note_is_shown_and_mailed(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        ana = await factory.user(world.tenant, Role.AGENT, name="Ana Silva")
        ticket = await factory.ticket(world.tenant, world.board, title="Refund stuck")
        note = {
            "ticketId": gid("tkt", ticket.id),
            "body": "@ana.silva can you check?",
            "isInternal": True,
        }
        await factory.gql(COMMENT, {"i": note}, token=world.token)
        (notice,) = nodes(await factory.gql(NOTIFICATIONS, token=await factory.token(ana)))
        assert notice["kind"] == "MENTION" and "can you check?" in notice["body"]
        await run_mail_jobs(services)
        (mail,) = outbox(services.settings, ana.email)
        assert "Refund stuck" in mail["Subject"] and "can you check?" in mail_text(mail)

    async def test_a_mention_by_email_reaches_that_teammate(self, factory: Factory) -> None:
        world = await factory.world()
        bo = await factory.user(world.tenant, Role.AGENT)
        ticket = await factory.ticket(world.tenant, world.board)
        note = {"ticketId": gid("tkt", ticket.id), "body": f"Over to @{bo.email} please"}
        await factory.gql(COMMENT, {"i": note}, token=world.token)
        assert [
            n["kind"]
            for n in nodes(await factory.gql(NOTIFICATIONS, token=await factory.token(bo)))
        ] == ["MENTION"]

    async def test_preferences_turn_off_the_app_and_the_mail(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        ana = await factory.user(world.tenant, Role.AGENT, name="Ana Quiet")
        token = await factory.token(ana)
        off = {"preferences": [{"kind": "MENTION", "inApp": False, "email": False}]}
        body = await factory.gql(PREFERENCES, {"i": off}, token=token)
        assert {"kind": "MENTION", "inApp": False, "email": False} in body["data"][
            "updateNotificationPreferences"
        ]["preferences"]
        ticket = await factory.ticket(world.tenant, world.board)
        note = {"ticketId": gid("tkt", ticket.id), "body": "@AnaQuiet see this", "isInternal": True}
        await factory.gql(COMMENT, {"i": note}, token=world.token)
        await run_mail_jobs(services)
        assert nodes(await factory.gql(NOTIFICATIONS, token=token)) == []
        assert outbox(services.settings, ana.email) == []


class TestReading:
    async def test_marking_read_leaves_nothing_unread(self, factory: Factory) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        token = await factory.token(agent)
        for title in ("One", "Two"):
            await factory.ticket(world.tenant, world.board, title=title, assignee_id=agent.id)
        first, _ = nodes(await factory.gql(NOTIFICATIONS, {"unread": True}, token=token))
        body = await factory.gql(MARK, {"i": {"ids": [first["id"]]}}, token=token)
        assert body["data"]["markNotificationsRead"]["markedCount"] == 1
        assert len(nodes(await factory.gql(NOTIFICATIONS, {"unread": True}, token=token))) == 1
        await factory.gql(MARK, {"i": {}}, token=token)
        assert nodes(await factory.gql(NOTIFICATIONS, {"unread": True}, token=token)) == []

    async def test_an_urgent_alert_reaches_everyone_with_the_role(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        lead = await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
        agent = await factory.user(world.tenant, Role.AGENT)
        async with services.db.transaction() as work:
            await notify_role(
                work.session, world.tenant.id, Role.SAFEGUARDING_LEAD, "Hash match", "Review now"
            )
        (notice,) = nodes(await factory.gql(NOTIFICATIONS, token=await factory.token(lead)))
        assert (notice["kind"], notice["title"]) == ("URGENT", "Hash match")
        assert nodes(await factory.gql(NOTIFICATIONS, token=await factory.token(agent))) == []


async def test_a_notification_arrives_live_for_its_user_only(
    live_server: str, factory: Factory, services: Services
) -> None:
    world, other = await factory.world(), await factory.world()
    agent = await factory.user(world.tenant, Role.AGENT)
    teammate = await factory.user(world.tenant, Role.AGENT)
    outsider = await factory.user(other.tenant, Role.ADMIN)
    async with (
        GraphQLWS.open(live_server, {"token": await factory.token(agent)}) as mine,
        GraphQLWS.open(live_server, {"token": await factory.token(teammate)}) as theirs,
        GraphQLWS.open(live_server, {"token": await factory.token(outsider)}) as foreign,
    ):
        ops = [await ws.subscribe(LIVE) for ws in (mine, theirs, foreign)]
        await subscribed(services.hub, world.tenant.id, 2)
        await subscribed(services.hub, other.tenant.id, 1)
        ticket = await factory.ticket(
            world.tenant, world.board, title="Live one", assignee_id=agent.id
        )
        await factory.ticket(other.tenant, other.board, title="Elsewhere", assignee_id=outsider.id)
        event = await mine.event(ops[0])
        assert event["notification"]["kind"] == "ASSIGNMENT"
        assert event["notification"]["ticketId"] == gid("tkt", ticket.id)
        assert await theirs.silent(ops[1])
        elsewhere = await foreign.event(ops[2])
        assert (
            "Live one" not in str(elsewhere) and "Elsewhere" in elsewhere["notification"]["title"]
        )
