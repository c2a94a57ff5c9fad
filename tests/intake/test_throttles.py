"""The public endpoint's budgets with rate limiting on: per client address, per form, and
per email address for lookup mails. Each test builds its own app, so budgets never leak."""

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from app.services import Services
from app.web.app import create_app
from tests.factories import Factory
from tests.intake.helpers import LOOKUP_ANSWER, SUBMIT, create_form, outbox, submission
from tests.rest.helpers import envelope

AppFactory = Callable[..., Any]


@pytest.fixture
def limited(services: Services) -> AppFactory:
    @asynccontextmanager
    async def build(**limits: int) -> AsyncIterator[httpx.AsyncClient]:
        update = {"rate_limit_enabled": True, "rate_limit_public_per_minute": 100}
        update |= {f"rate_limit_{name}": value for name, value in limits.items()}
        settings = services.settings.model_copy(update=update)
        transport = httpx.ASGITransport(app=create_app(settings, services))
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
            yield client

    return build


async def ticket_count(factory: Factory, token: str) -> int:
    body = await factory.gql("query { tickets { totalCount } }", token=token)
    return int(body["data"]["tickets"]["totalCount"])


async def test_each_client_address_has_a_budget(limited: AppFactory, factory: Factory) -> None:
    world = await factory.world()
    form = await create_form(factory, world)
    async with limited(public_per_minute=2) as client:
        for _ in range(2):
            assert (await client.post(SUBMIT, json=submission(form["slug"]))).status_code == 201
        refused = await client.post(SUBMIT, json=submission(form["slug"]))
        envelope(refused, 429, "RATE_LIMITED")
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        lookup = await client.post(SUBMIT, json={"action": "lookup", "email": "a@example.org"})
        envelope(lookup, 429, "RATE_LIMITED")
    assert await ticket_count(factory, world.token) == 2


async def test_each_form_has_a_budget_of_its_own(limited: AppFactory, factory: Factory) -> None:
    world = await factory.world()
    busy, quiet = await create_form(factory, world), await create_form(factory, world)
    async with limited(intake_form_per_minute=2) as client:
        for _ in range(2):
            assert (await client.post(SUBMIT, json=submission(busy["slug"]))).status_code == 201
        refused = await client.post(SUBMIT, json=submission(busy["slug"]))
        assert "at most 2 requests a minute" in envelope(refused, 429, "RATE_LIMITED")
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        page = await client.post(SUBMIT, data=submission(busy["slug"]))
        assert page.status_code == 429 and "Too many requests" in page.text
        assert (await client.post(SUBMIT, json=submission(quiet["slug"]))).status_code == 201
        # Invalid submissions are refused before they cost the form anything.
        invalid = await client.post(SUBMIT, json=submission(quiet["slug"], email="x"))
        envelope(invalid, 400, "VALIDATION_ERROR")
        assert (await client.post(SUBMIT, json=submission(quiet["slug"]))).status_code == 201
    assert await ticket_count(factory, world.token) == 4


async def test_lookup_mails_per_address_are_capped_without_changing_the_answer(
    limited: AppFactory, factory: Factory, services: Services
) -> None:
    world = await factory.world()
    form = await create_form(factory, world)
    alice, bob = (f"{who}-{uuid.uuid4().hex[:8]}@example.org" for who in ("alice", "bob"))
    async with limited(lookup_per_email_per_hour=2) as client:
        for email in (alice, bob):
            filed = await client.post(SUBMIT, json=submission(form["slug"], email=email))
            assert filed.status_code == 201
        for _ in range(4):
            response = await client.post(SUBMIT, json={"action": "lookup", "email": alice})
            assert (response.status_code, response.json()) == (202, LOOKUP_ANSWER)
        await client.post(SUBMIT, json={"action": "lookup", "email": bob})

    def links(email: str) -> int:
        mails = outbox(services.settings, email)
        return len([m for m in mails if m["Subject"].startswith("Your tickets")])

    assert (links(alice), links(bob)) == (2, 1)
