"""Cross-tenant probes for intake forms: tenant B's admin (by token and by API key) aims every
intake root field at tenant A's forms and boards; an owner-control run finds A's objects."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import Factory, World, error_codes, gid
from tests.intake.helpers import CREATE_FORM, FORMS, UPDATE_FORM, create_form, unique_slug

COVERS = {"Query.intakeForms", "Mutation.createIntakeForm", "Mutation.updateIntakeForm"}
CREDENTIALS = ("token", "api_key")


@dataclass
class Side:
    world: World
    form: dict[str, Any]
    word: str

    @property
    def board_gid(self) -> str:
        return gid("brd", self.world.board.id)

    def markers(self) -> list[str]:
        tenant = self.world.tenant
        ids = [tenant.id, self.world.board.id, self.world.admin.id]
        return [str(i) for i in ids] + [self.form["id"], self.word, tenant.slug, tenant.name]


async def build_side(factory: Factory) -> Side:
    world = await factory.world()
    word = f"zq{uuid.uuid4().hex[:12]}"
    form = await create_form(
        factory, world, title=f"Form {word}", intro=word, boardId=gid("brd", world.board.id)
    )
    return Side(world, form, word)


@pytest.fixture
async def sides(factory: Factory) -> tuple[Side, Side]:
    return await build_side(factory), await build_side(factory)


async def call(
    factory: Factory, side: Side, credential: str, document: str, variables: dict[str, Any]
) -> dict[str, Any]:
    if credential == "token":
        return await factory.gql(document, variables, token=side.world.token)
    return await factory.gql(document, variables, api_key=side.world.api_key)


def leaks(body: dict[str, Any], victim: Side, allowed: tuple[str, ...] = ()) -> list[str]:
    text = json.dumps(body)
    return [m for m in victim.markers() if m in text and m not in allowed]


async def forms_of(factory: Factory, side: Side) -> list[dict[str, Any]]:
    body = await factory.gql(FORMS, token=side.world.token)
    return list(body["data"]["intakeForms"])


def update_victims_form(victim: Side, intruder: Side) -> dict[str, Any]:
    return {"input": {"id": victim.form["id"], "title": "Taken over", "isActive": False}}


def point_own_form_at_victims_board(victim: Side, caller: Side) -> dict[str, Any]:
    return {"input": {"id": caller.form["id"], "boardId": victim.board_gid}}


def create_on_victims_board(victim: Side, caller: Side) -> dict[str, Any]:
    return {"input": {"slug": unique_slug(), "title": "Planted", "boardId": victim.board_gid}}


WRITES = {
    "updateIntakeForm(victim's form)": (UPDATE_FORM, "updateIntakeForm", update_victims_form),
    "updateIntakeForm(boardId: victim's board)": (
        UPDATE_FORM, "updateIntakeForm", point_own_form_at_victims_board,
    ),
    "createIntakeForm(boardId: victim's board)": (
        CREATE_FORM, "createIntakeForm", create_on_victims_board,
    ),
}  # fmt: skip


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_intruder_lists_only_its_own_forms(
    factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    body = await call(factory, intruder, credential, FORMS, {})
    assert error_codes(body) == []
    assert [f["id"] for f in body["data"]["intakeForms"]] == [intruder.form["id"]]
    assert not leaks(body, victim)
    owner = await call(factory, victim, credential, FORMS, {})
    assert [f["id"] for f in owner["data"]["intakeForms"]] == [victim.form["id"]]


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("probe", list(WRITES))
async def test_intruder_writes_reach_nothing_of_the_victims(
    factory: Factory, sides: tuple[Side, Side], probe: str, credential: str
) -> None:
    victim, intruder = sides
    document, _, variables = WRITES[probe]
    before, intruders_before = await forms_of(factory, victim), await forms_of(factory, intruder)
    body = await call(factory, intruder, credential, document, variables(victim, intruder))
    assert error_codes(body) == ["NOT_FOUND"] and body["data"] is None, body
    assert not leaks(body, victim), body
    assert await forms_of(factory, victim) == before
    assert await forms_of(factory, intruder) == intruders_before


@pytest.mark.parametrize("probe", list(WRITES))
async def test_owner_control_reaches_its_own_objects(
    factory: Factory, sides: tuple[Side, Side], probe: str
) -> None:
    victim, _ = sides
    document, root, variables = WRITES[probe]
    body = await call(factory, victim, "token", document, variables(victim, victim))
    assert error_codes(body) == [], body
    form = body["data"][root]["intakeForm"]
    assert form["id"] == victim.form["id"] or form["board"] == {"id": victim.board_gid}


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_a_taken_slug_says_taken_and_nothing_more(
    factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    """Slugs are global (the public URL has no tenant), so another tenant's slug is CONFLICT;
    the slug is public anyway, and nothing else of its owner may show."""
    victim, intruder = sides
    slug = victim.form["slug"]
    attempt = {"input": {"slug": slug, "title": "Mine now"}}
    body = await call(factory, intruder, credential, CREATE_FORM, attempt)
    assert error_codes(body) == ["CONFLICT"]
    assert not leaks(body, victim)
    renamed = {"input": {"id": intruder.form["id"], "slug": slug}}
    body = await call(factory, intruder, credential, UPDATE_FORM, renamed)
    assert error_codes(body) == ["CONFLICT"]
    assert not leaks(body, victim)
    assert [f["slug"] for f in await forms_of(factory, victim)] == [slug]
