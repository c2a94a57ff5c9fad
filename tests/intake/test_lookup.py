"""Portal lookup: the same answer for every address, and a mailed, expiring link per tenant."""

import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from app.services import Services
from app.web.app import create_app
from tests.factories import Factory, World
from tests.intake.conftest import ExampleForm
from tests.intake.helpers import (
    JSON,
    LOOKUP_ANSWER,
    LOOKUP_EXAMPLE,
    SUBMIT,
    SUBMIT_EXAMPLE,
    create_form,
    link_in,
    outbox,
    parse_mail,
    path_of,
    submission,
)
from tests.rest.helpers import envelope


def address() -> str:
    return f"alice-{uuid.uuid4().hex[:8]}@example.org"


async def file(client: httpx.AsyncClient, slug: str, email: str, subject: str) -> dict[str, Any]:
    response = await client.post(SUBMIT, json=submission(slug, email=email, subject=subject))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def lookup(client: httpx.AsyncClient, email: str, **more: Any) -> None:
    response = await client.post(SUBMIT, json={"action": "lookup", "email": email, **more})
    assert response.status_code == 202, response.text
    assert response.json() == LOOKUP_ANSWER


def mail_for(services: Services, email: str, world: World) -> Any:
    (message,) = [m for m in outbox(services.settings, email) if world.tenant.name in m["Subject"]]
    return message


class TestLookupExample:
    async def test_the_documents_example_answers_202_and_mails_a_link(
        self, client: httpx.AsyncClient, services: Services, it_support: ExampleForm
    ) -> None:
        filed = await client.post(SUBMIT, content=SUBMIT_EXAMPLE, headers=JSON)
        response = await client.post(SUBMIT, content=LOOKUP_EXAMPLE, headers=JSON)
        assert response.status_code == 202
        assert response.json() == LOOKUP_ANSWER
        assert "Printer" not in response.text
        name = it_support.world.tenant.name
        mails = [m for m in outbox(services.settings, "jane@company.com") if name in m["Subject"]]
        page = await client.get(path_of(link_in(mails[-1], "lookup"), services.settings))
        assert page.status_code == 200
        assert "Printer not working" in page.text
        assert f"#{filed.json()['ticket_number']}" in page.text


class TestLookupLinks:
    async def test_link_lists_only_that_addresses_tickets_of_one_tenant(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        alice, bob = address(), address()
        home, other = await factory.world(), await factory.world()
        home_form, other_form = await create_form(factory, home), await create_form(factory, other)
        first = await file(client, home_form["slug"], alice, "Laptop will not boot")
        await file(client, home_form["slug"], alice, "Mouse is broken")
        await file(client, home_form["slug"], bob, "Bob's secret request")
        await file(client, other_form["slug"], alice, "Other tenant's matter")
        await lookup(client, alice)
        subjects = sorted(m["Subject"] for m in outbox(services.settings, alice))
        tenants = sorted(f"Your tickets at {w.tenant.name}" for w in (home, other))
        assert [s for s in subjects if s.startswith("Your tickets")] == tenants
        link = link_in(mail_for(services, alice, home), "lookup")
        page = await client.get(path_of(link, services.settings))
        assert page.status_code == 200
        assert "Laptop will not boot" in page.text and "Mouse is broken" in page.text
        assert "Bob" not in page.text and "Other tenant" not in page.text
        # Each listed ticket opens, shows its conversation and takes a reply.
        link = f"{page.url.path}/tickets/{first['ticket_number']}"
        assert f'href="{link}"' in page.text
        ticket = await client.get(link)
        assert ticket.status_code == 200 and "Laptop will not boot" in ticket.text
        reply = await client.post(link, data={"body": "Any news?"})
        assert reply.status_code == 303
        assert "Any news?" in (await client.get(reply.headers["location"])).text
        # Another requester's ticket number under the same link is not there.
        others = await client.get(f"{page.url.path}/tickets/{first['ticket_number'] + 2}")
        assert others.status_code == 404 and "Bob" not in others.text

    async def test_a_form_slug_limits_the_lookup_to_its_tenant(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        alice = address()
        home, other = await factory.world(), await factory.world()
        home_form, other_form = await create_form(factory, home), await create_form(factory, other)
        await file(client, home_form["slug"], alice, "Laptop will not boot")
        await file(client, other_form["slug"], alice, "Other tenant's matter")
        await lookup(client, alice, form_slug=home_form["slug"])
        links = [m for m in outbox(services.settings, alice) if "Your tickets" in m["Subject"]]
        assert [m["Subject"] for m in links] == [f"Your tickets at {home.tenant.name}"]

    async def test_unknown_addresses_get_the_same_answer_and_no_mail(
        self, client: httpx.AsyncClient, services: Services
    ) -> None:
        nobody = address()
        await lookup(client, nobody)
        await lookup(client, nobody, form_slug="it-support")
        assert outbox(services.settings, nobody) == []

    async def test_expired_and_altered_links_list_nothing(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        alice = address()
        world = await factory.world()
        form = await create_form(factory, world)
        await file(client, form["slug"], alice, "Laptop will not boot")
        expired_app = create_app(
            services.settings.model_copy(update={"portal_lookup_minutes": 0}), services
        )
        transport = httpx.ASGITransport(app=expired_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as other:
            await lookup(other, alice)
        expired = path_of(link_in(mail_for(services, alice, world), "lookup"), services.settings)
        page = await client.get(expired)
        assert page.status_code == 410 and "expired" in page.text
        assert "Laptop" not in page.text
        assert (await client.get(f"{expired}/tickets/1")).status_code == 410
        token = expired.rsplit("/", 1)[1]
        for altered in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "garbage", "a.b"):
            page = await client.get(f"/portal/lookup/{altered}")
            assert page.status_code == 403 and "Laptop" not in page.text

    async def test_a_malformed_address_is_a_validation_error(
        self, client: httpx.AsyncClient
    ) -> None:
        for email in ("not an address", "", None, 5):
            response = await client.post(SUBMIT, json={"action": "lookup", "email": email})
            envelope(response, 400, "VALIDATION_ERROR")

    async def test_a_form_slug_that_is_not_text_is_a_validation_error(
        self, client: httpx.AsyncClient
    ) -> None:
        # The document types it as a string; one that is not is refused by name rather than
        # accepted and then, after the answer, read as a form that does not exist.
        for slug in (7, ["it-support"], {"slug": "it-support"}):
            body = {"action": "lookup", "email": address(), "form_slug": slug}
            response = await client.post(SUBMIT, json=body)
            assert "form_slug" in envelope(response, 400, "VALIDATION_ERROR")

    async def test_the_portal_page_asks_by_html_form(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        alice = address()
        world = await factory.world()
        form = await create_form(factory, world)
        await file(client, form["slug"], alice, "Laptop will not boot")
        page = await client.get("/portal")
        assert page.status_code == 200 and 'name="action" value="lookup"' in page.text
        sent = await client.post(SUBMIT, data={"action": "lookup", "email": alice})
        assert sent.status_code == 200 and LOOKUP_ANSWER["message"] in sent.text
        assert mail_for(services, alice, world)["Subject"].startswith("Your tickets at")
        wrong = await client.post(SUBMIT, data={"action": "lookup", "email": "nope"})
        assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.text


# --- over SMTP -----------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(envelope.content)
        return "250 Message accepted"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Inbox]]:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


@asynccontextmanager
async def smtp_app(services: Services, port: int) -> AsyncIterator[httpx.AsyncClient]:
    settings = services.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    transport = httpx.ASGITransport(app=create_app(settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        yield client


async def test_lookup_mail_goes_out_over_smtp(
    smtp_server: tuple[Controller, Inbox], factory: Factory, services: Services
) -> None:
    controller, inbox = smtp_server
    alice = address()
    world = await factory.world()
    form = await create_form(factory, world)
    async with smtp_app(services, controller.port) as client:
        await file(client, form["slug"], alice, "Laptop will not boot")
        await lookup(client, alice)
    receipt, link_mail = [parse_mail(raw) for raw in inbox.messages]
    assert receipt["To"] == alice and receipt["Subject"].endswith("Laptop will not boot")
    assert link_mail["Subject"] == f"Your tickets at {world.tenant.name}"
    assert outbox(services.settings, alice) == []
    async with smtp_app(services, controller.port) as client:
        page = await client.get(path_of(link_in(link_mail, "lookup"), services.settings))
    assert page.status_code == 200 and "Laptop will not boot" in page.text


async def test_a_mail_server_that_is_down_does_not_fail_the_request(
    factory: Factory, services: Services
) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed_port = probe.getsockname()[1]
    probe.close()
    world = await factory.world()
    form = await create_form(factory, world)
    entry = submission(form["slug"])
    async with smtp_app(services, closed_port) as client:
        response = await client.post(SUBMIT, json=entry)
        assert response.status_code == 201, response.text
        await lookup(client, entry["email"])
        page = await client.get(path_of(response.json()["status_url"], services.settings))
    assert page.status_code == 200 and "Printer not working" in page.text
