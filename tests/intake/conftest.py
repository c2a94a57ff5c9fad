"""The form of the document's examples (slug `it-support`) exists once per test run: slugs are
unique across tenants, so every test that sends those examples shares it."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.services import Services
from tests.factories import Factory, World
from tests.intake.helpers import create_form

# The board page's live server and headless browser, for the browser test here.
from tests.test_board_page import browser, live_server  # noqa: F401


@dataclass
class ExampleForm:
    world: World
    form: dict[str, Any]


@pytest.fixture(scope="session")
async def it_support(services: Services, client: httpx.AsyncClient) -> ExampleForm:
    factory = Factory(services, client)
    world = await factory.world()
    form = await create_form(factory, world, slug="it-support", title="IT support")
    return ExampleForm(world, form)
