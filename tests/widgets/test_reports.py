"""`POST /api/v1/reports` as the embedded widget uses it: the document's example, anonymous
reports, refused bodies and tokens, and where the report's ticket shows up."""

import json
import re
from datetime import UTC
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.services import Services
from app.tickets.models import Ticket
from app.widgets.models import Report
from tests.factories import Factory, error_codes, gid
from tests.rest.helpers import envelope
from tests.widgets.helpers import (
    CURL_EXAMPLE,
    RECEIVED,
    REVOKE_TOKEN,
    create_token,
    post_report,
    written,
)

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TICKETS = """query($boardId: ID) {
  tickets(boardId: $boardId, first: 100) {
    edges { node {
      id title description status priority category source tags metadata requester { name email }
    } }
  }
}"""
TICKET = "query($id: ID!) { ticket(id: $id) { id priority category } }"


def assert_received(response: httpx.Response) -> dict[str, Any]:
    """The document's success body: these five keys in this order, nothing else."""
    assert response.status_code == 201, response.text
    body = response.json()
    assert list(body) == ["id", "ticket_id", "status", "message", "created_at"]
    assert re.fullmatch(f"rpt_{UUID}", body["id"]), body
    assert re.fullmatch(f"tkt_{UUID}", body["ticket_id"]), body
    assert body["status"] == "received" and body["message"] == RECEIVED
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["created_at"]), body
    return dict(body)


class TestDocumentExample:
    async def test_the_curl_example_files_a_report_with_a_ticket_on_the_board(
        self, factory: Factory, client: httpx.AsyncClient, services: Services
    ) -> None:
        world = await factory.world()
        _, secret = await create_token(factory, world)
        body = assert_received(await post_report(client, secret, content=CURL_EXAMPLE))

        listed = await factory.gql(
            TICKETS, {"boardId": gid("brd", world.board.id)}, token=world.token
        )
        (edge,) = listed["data"]["tickets"]["edges"]
        assert edge["node"] == {
            "id": body["ticket_id"],
            "title": "User report: harassment",
            "description": "This user has been sending threatening messages repeatedly after "
            "I asked them to stop.",
            "status": "OPEN",
            "priority": "MEDIUM",
            "category": "harassment",
            "source": "WIDGET",
            "tags": ["report", "harassment"],
            "metadata": {
                "report_id": body["id"],
                "content_ids": ["msg_x1y2z3", "msg_a4b5c6"],
                "metadata": {
                    "page_url": "https://datingframe.com/messages/usr_e5f6g7h8",
                    "platform": "ios_app",
                },
            },
            "requester": {"name": None, "email": None},
        }

    async def test_the_report_records_who_reported_whom(
        self, factory: Factory, client: httpx.AsyncClient, services: Services
    ) -> None:
        world = await factory.world()
        _, secret = await create_token(factory, world)
        body = assert_received(await post_report(client, secret))
        async with services.db.read() as session:
            report = await session.scalar(select(Report).where(Report.tenant_id == world.tenant.id))
            ticket = await session.scalar(select(Ticket).where(Ticket.tenant_id == world.tenant.id))
        assert report is not None and ticket is not None
        assert gid("rpt", report.id) == body["id"] and gid("tkt", ticket.id) == body["ticket_id"]
        assert report.ticket_id == ticket.id
        assert (report.reporter_id, report.reported_user_id) == ("usr_a1b2c3d4", "usr_e5f6g7h8")
        assert (ticket.reporter_external_id, ticket.subject_external_id) == (
            "usr_a1b2c3d4",
            "usr_e5f6g7h8",
        )
        assert report.category == "harassment"
        assert report.content_ids == ["msg_x1y2z3", "msg_a4b5c6"]
        created = report.created_at.astimezone(UTC).isoformat(timespec="milliseconds")
        assert body["created_at"] == created.replace("+00:00", "Z")


class TestReports:
    async def test_an_anonymous_report_is_received(
        self, factory: Factory, client: httpx.AsyncClient, services: Services
    ) -> None:
        world = await factory.world()
        _, secret = await create_token(factory, world)
        response = await post_report(
            client, secret, {"category": "spam", "description": "Bot accounts everywhere"}
        )
        body = assert_received(response)
        async with services.db.read() as session:
            report = await session.scalar(select(Report).where(Report.tenant_id == world.tenant.id))
            ticket = await session.scalar(select(Ticket).where(Ticket.tenant_id == world.tenant.id))
        assert report is not None and ticket is not None
        assert (report.reporter_id, report.reported_user_id) == (None, None)
        assert (ticket.reporter_external_id, ticket.subject_external_id) == (None, None)
        assert ticket.meta == {"report_id": body["id"], "content_ids": [], "metadata": {}}

    @pytest.mark.parametrize(
        ("category", "priority"),
        [
            ("csea_concern", "CRITICAL"),
            ("underage", "CRITICAL"),
            ("self_harm", "HIGH"),
            ("harassment", "MEDIUM"),
            ("scam", "MEDIUM"),
            ("inappropriate_content", "MEDIUM"),
            ("other", "MEDIUM"),
            ("spam", "LOW"),
        ],
    )
    async def test_the_category_sets_the_tickets_priority(
        self, factory: Factory, client: httpx.AsyncClient, category: str, priority: str
    ) -> None:
        world = await factory.world()
        _, secret = await create_token(factory, world)
        response = await post_report(client, secret, {"category": category, "description": "x"})
        ticket_id = assert_received(response)["ticket_id"]
        body = await factory.gql(TICKET, {"id": ticket_id}, token=world.token)
        assert body == {
            "data": {"ticket": {"id": ticket_id, "priority": priority, "category": category}}
        }

    async def test_another_tenant_cannot_see_the_report(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        owner, other = await factory.world(), await factory.world()
        _, secret = await create_token(factory, owner)
        ticket_id = assert_received(await post_report(client, secret))["ticket_id"]
        mine = await factory.gql(TICKET, {"id": ticket_id}, token=owner.token)
        assert mine["data"]["ticket"]["id"] == ticket_id
        for credentials in ({"token": other.token}, {"api_key": other.api_key}):
            one = await factory.gql(TICKET, {"id": ticket_id}, **credentials)
            assert one == {"data": {"ticket": None}}
            listed = await factory.gql(TICKETS, {}, **credentials)
            assert listed == {"data": {"tickets": {"edges": []}}}

    async def test_a_report_lands_on_the_tenants_oldest_board(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        later = await factory.board(world.tenant)
        _, secret = await create_token(factory, world)
        ticket_id = assert_received(await post_report(client, secret))["ticket_id"]
        on_later = await factory.gql(TICKETS, {"boardId": gid("brd", later.id)}, token=world.token)
        assert on_later["data"]["tickets"]["edges"] == []
        first = await factory.gql(
            TICKETS, {"boardId": gid("brd", world.board.id)}, token=world.token
        )
        assert [edge["node"]["id"] for edge in first["data"]["tickets"]["edges"]] == [ticket_id]


VALID = {"category": "harassment", "description": "Threats in messages"}
INVALID_BODIES: dict[str, tuple[Any, str]] = {
    "empty object": ({}, "category"),
    "no category": ({"description": "x"}, "category"),
    "no description": ({"category": "spam"}, "description"),
    "category not a string": ({**VALID, "category": 5}, "category"),
    "unknown category": ({**VALID, "category": "rude"}, "category"),
    "blank description": ({**VALID, "description": "   "}, "description"),
    "description not a string": ({**VALID, "description": ["x"]}, "description"),
    "description too long": ({**VALID, "description": "x" * 10_001}, "description"),
    "reporter_id not a string": ({**VALID, "reporter_id": 42}, "reporter_id"),
    "reporter_id too long": ({**VALID, "reporter_id": "u" * 201}, "reporter_id"),
    "reported_user_id not a string": ({**VALID, "reported_user_id": {}}, "reported_user_id"),
    "content_ids not an array": ({**VALID, "content_ids": "msg_1"}, "content_ids"),
    "content_ids of numbers": ({**VALID, "content_ids": [1, 2]}, "content_ids"),
    "content_ids too many": ({**VALID, "content_ids": [f"m{i}" for i in range(51)]}, "content_ids"),
    "content_id too long": ({**VALID, "content_ids": ["m" * 101]}, "content_ids"),
    "content_id blank": ({**VALID, "content_ids": [" "]}, "content_ids"),
    "metadata an array": ({**VALID, "metadata": ["page"]}, "metadata"),
    "metadata a string": ({**VALID, "metadata": "page"}, "metadata"),
    "metadata too large": ({**VALID, "metadata": {"blob": "x" * 9000}}, "metadata"),
    "content_ids and metadata too large together": (
        {**VALID, "content_ids": ["\u00e9" * 100] * 50},
        "content_ids and metadata",
    ),
}


class TestRefusals:
    @pytest.mark.parametrize(("body", "field"), INVALID_BODIES.values(), ids=INVALID_BODIES.keys())
    async def test_an_invalid_body_is_refused_naming_the_field(
        self,
        factory: Factory,
        client: httpx.AsyncClient,
        services: Services,
        body: Any,
        field: str,
    ) -> None:
        world = await factory.world()
        _, secret = await create_token(factory, world)
        message = envelope(await post_report(client, secret, body), 400, "VALIDATION_ERROR")
        assert message.startswith(field), message
        assert await written(services, world.tenant.id) == (0, 0)

    @pytest.mark.parametrize("content", ["not json", "[]", '"harassment"', "", '{"a": NaN}'])
    async def test_a_body_that_is_not_a_json_object_is_refused(
        self, factory: Factory, client: httpx.AsyncClient, services: Services, content: str
    ) -> None:
        world = await factory.world()
        _, secret = await create_token(factory, world)
        envelope(await post_report(client, secret, content=content), 400, "VALIDATION_ERROR")
        assert await written(services, world.tenant.id) == (0, 0)

    @pytest.mark.parametrize("secret", [None, "", "wgt_" + "x" * 43, "hv_not-a-widget-token"])
    async def test_a_missing_or_unknown_token_is_unauthorized(
        self, client: httpx.AsyncClient, secret: str | None
    ) -> None:
        envelope(await post_report(client, secret), 401, "UNAUTHORIZED")

    async def test_an_api_key_is_not_a_widget_token(
        self, factory: Factory, client: httpx.AsyncClient, services: Services
    ) -> None:
        world = await factory.world()
        envelope(await post_report(client, world.api_key), 401, "UNAUTHORIZED")
        assert await written(services, world.tenant.id) == (0, 0)

    async def test_a_revoked_token_is_unauthorized_and_files_nothing(
        self, factory: Factory, client: httpx.AsyncClient, services: Services
    ) -> None:
        world = await factory.world()
        token_id, secret = await create_token(factory, world)
        assert_received(await post_report(client, secret))
        revoked = await factory.gql(REVOKE_TOKEN, {"input": {"id": token_id}}, token=world.token)
        assert error_codes(revoked) == [], revoked
        message = envelope(await post_report(client, secret), 401, "UNAUTHORIZED")
        assert "revoked" in message
        assert await written(services, world.tenant.id) == (1, 1)

    async def test_a_token_is_checked_before_the_body(self, client: httpx.AsyncClient) -> None:
        envelope(await post_report(client, None, content="not json"), 401, "UNAUTHORIZED")

    async def test_a_body_over_one_megabyte_is_refused(
        self, factory: Factory, client: httpx.AsyncClient, services: Services
    ) -> None:
        world = await factory.world()
        _, secret = await create_token(factory, world)
        huge = json.dumps({**VALID, "metadata": {"blob": "x" * (1024 * 1024)}})
        envelope(await post_report(client, secret, content=huge), 413, "PAYLOAD_TOO_LARGE")
        assert await written(services, world.tenant.id) == (0, 0)


@pytest.mark.parametrize(
    "body",
    [
        {**VALID, "description": "Threats\u0000 in messages"},
        {**VALID, "metadata": {"page\u0000": "x"}},
        {**VALID, "reporter_id": "usr_\ud800"},
    ],
)
async def test_text_the_database_cannot_hold_is_refused_not_a_crash(
    factory: Factory, client: httpx.AsyncClient, services: Services, body: dict[str, Any]
) -> None:
    world = await factory.world()
    _, secret = await create_token(factory, world)
    envelope(await post_report(client, secret, body), 400, "VALIDATION_ERROR")
    assert await written(services, world.tenant.id) == (0, 0)
