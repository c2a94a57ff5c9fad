"""POST /functions/v1/public-ticket-submit with JSON, as the document's curl sends it."""

from typing import Any

import httpx

from app.services import Services
from tests.factories import Factory, gid
from tests.intake.conftest import ExampleForm
from tests.intake.helpers import (
    JSON,
    SUBMIT,
    SUBMIT_EXAMPLE,
    create_form,
    outbox,
    path_of,
    submission,
)
from tests.rest.helpers import envelope

TICKET = """query($id: ID!) {
  ticket(id: $id) {
    number title description priority category source status board { id }
    requester { name email } comments { body authorKind authorName isInternal }
  }
}"""


class TestSubmitExample:
    async def test_the_documents_example_files_a_ticket_on_the_forms_board(
        self, client: httpx.AsyncClient, factory: Factory, it_support: ExampleForm
    ) -> None:
        response = await client.post(SUBMIT, content=SUBMIT_EXAMPLE, headers=JSON)
        assert response.status_code == 201, response.text
        body = response.json()
        assert set(body) == {"success", "ticket_id", "ticket_number", "status_url"}
        assert body["success"] is True and body["ticket_id"].startswith("tkt_")
        world = it_support.world
        found = await factory.gql(TICKET, {"id": body["ticket_id"]}, token=world.token)
        ticket = found["data"]["ticket"]
        assert ticket == {
            "number": body["ticket_number"],
            "title": "Printer not working",
            "description": "The printer on the 3rd floor...",
            "priority": "MEDIUM",
            "category": "Hardware",
            "source": "FORM",
            "status": "OPEN",
            "board": {"id": gid("brd", world.board.id)},
            "requester": {"name": "Jane Doe", "email": "jane@company.com"},
            "comments": [
                {
                    "body": "The printer on the 3rd floor...",
                    "authorKind": "CONTACT",
                    "authorName": "Jane Doe",
                    "isInternal": False,
                }
            ],
        }

    async def test_the_status_url_opens_the_ticket(
        self, client: httpx.AsyncClient, services: Services, it_support: ExampleForm
    ) -> None:
        response = await client.post(SUBMIT, content=SUBMIT_EXAMPLE, headers=JSON)
        body = response.json()
        page = await client.get(path_of(body["status_url"], services.settings))
        assert page.status_code == 200
        assert "Printer not working" in page.text
        assert f"#{body['ticket_number']}" in page.text

    async def test_a_receipt_with_the_status_link_is_mailed(
        self, client: httpx.AsyncClient, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        entry = submission(form["slug"])
        body = (await client.post(SUBMIT, json=entry)).json()
        (receipt,) = outbox(services.settings, entry["email"])
        assert receipt["Subject"] == f"[#{body['ticket_number']}] Printer not working"
        assert body["status_url"] in receipt.get_body().get_content()  # type: ignore[union-attr]

    async def test_a_subject_with_line_breaks_cannot_add_mail_headers(
        self, client: httpx.AsyncClient, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        entry = submission(form["slug"], subject="Help\r\nBcc: victim@example.org")
        response = await client.post(SUBMIT, json=entry)
        assert response.status_code == 201, response.text
        (receipt,) = outbox(services.settings, entry["email"])
        assert receipt["Bcc"] is None
        assert receipt["Subject"].endswith("Help Bcc: victim@example.org")


class TestBoardAndFields:
    async def test_tickets_land_on_the_forms_own_board_with_the_priority_given(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        second = await factory.board(world.tenant, name="Facilities")
        form = await create_form(
            factory, world, boardId=gid("brd", second.id), categories=["Desk", "Light"]
        )
        entry = submission(form["slug"], category="light", priority="critical")
        response = await client.post(SUBMIT, json=entry)
        assert response.status_code == 201, response.text
        found = await factory.gql(TICKET, {"id": response.json()["ticket_id"]}, token=world.token)
        ticket = found["data"]["ticket"]
        assert ticket["board"] == {"id": gid("brd", second.id)}
        assert (ticket["category"], ticket["priority"]) == ("Light", "CRITICAL")

    async def test_priority_defaults_to_medium_and_category_may_be_left_out(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        entry = submission(form["slug"])
        del entry["priority"], entry["category"]
        response = await client.post(SUBMIT, json=entry)
        assert response.status_code == 201, response.text
        found = await factory.gql(TICKET, {"id": response.json()["ticket_id"]}, token=world.token)
        assert found["data"]["ticket"]["priority"] == "MEDIUM"
        assert found["data"]["ticket"]["category"] is None


class TestRefusals:
    async def test_invalid_fields_are_a_validation_error_and_file_nothing(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        cases: list[tuple[dict[str, Any], str]] = [
            ({"email": "not-an-address"}, "email address"),
            ({"name": "  "}, "name"),
            ({"subject": ""}, "subject"),
            ({"description": None}, "Describe"),
            ({"priority": "Urgent"}, "priority"),
            ({"category": "Plumbing"}, "category"),
            ({"name": 42}, "name must be text"),
            ({"subject": "x" * 301}, "Subject must be at most 300"),
        ]
        for change, words in cases:
            response = await client.post(SUBMIT, json=submission(form["slug"], **change))
            assert words in envelope(response, 400, "VALIDATION_ERROR"), change
        tickets = await factory.gql("query { tickets { totalCount } }", token=world.token)
        assert tickets["data"]["tickets"]["totalCount"] == 0

    async def test_unknown_and_inactive_forms_are_not_found(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world, isActive=False)
        for slug in (form["slug"], "no-such-form", None, 7):
            response = await client.post(SUBMIT, json=submission("x", form_slug=slug))
            envelope(response, 404, "NOT_FOUND")

    async def test_bodies_that_are_not_json_objects_are_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        for content in ("not json", "[1, 2]", '{"action": "delete"}'):
            response = await client.post(SUBMIT, content=content, headers=JSON)
            envelope(response, 400, "VALIDATION_ERROR")
