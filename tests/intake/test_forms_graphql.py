"""Intake forms managed through GraphQL by a tenant's administrators."""

from typing import Any

import httpx

from app.auth.models import Role
from tests.factories import Factory, error_codes, gid
from tests.intake.helpers import (
    CREATE_FORM,
    FORMS,
    UPDATE_FORM,
    create_form,
    submission,
    unique_slug,
)

SUBMIT = "/functions/v1/public-ticket-submit"


class TestCreate:
    async def test_a_new_form_offers_the_documents_categories_and_is_live(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        slug = unique_slug()
        form = await create_form(factory, world, slug=slug, title="Help desk", intro="Hi")
        assert form["id"].startswith("frm_")
        assert form["categories"] == [
            "Hardware", "Software", "Network", "Access", "Account", "General"
        ]  # fmt: skip
        assert (form["slug"], form["title"], form["intro"]) == (slug, "Help desk", "Hi")
        assert form["isActive"] is True and form["board"] is None
        assert form["url"] == f"http://127.0.0.1:8000/intake/{slug}"
        assert (await client.get(f"/intake/{slug}")).status_code == 200

    async def test_bad_slugs_and_categories_are_validation_errors(self, factory: Factory) -> None:
        world = await factory.world()
        changes: tuple[dict[str, Any], ...] = (
            {"slug": "Upper-Case"},
            {"slug": "two--hyphens"},
            {"slug": "-edge"},
            {"slug": "a" * 61},
            {"slug": "spaces here"},
            {"title": " "},
            {"categories": []},
            {"categories": ["x" * 101]},
        )
        for change in changes:
            document = {"slug": unique_slug(), "title": "Form", **change}
            body = await factory.gql(CREATE_FORM, {"input": document}, token=world.token)
            assert error_codes(body) == ["VALIDATION_ERROR"], change
        forms = await factory.gql(FORMS, token=world.token)
        assert forms["data"]["intakeForms"] == []

    async def test_a_slug_taken_by_any_tenant_is_a_conflict_that_names_no_one(
        self, factory: Factory
    ) -> None:
        owner, other = await factory.world(), await factory.world()
        form = await create_form(factory, owner, title="Owner's secret form")
        for world in (owner, other):
            body = await factory.gql(
                CREATE_FORM, {"input": {"slug": form["slug"], "title": "Mine"}}, token=world.token
            )
            assert error_codes(body) == ["CONFLICT"]
            assert owner.tenant.name not in str(body) and "secret" not in str(body)

    async def test_only_administrators_manage_forms(self, factory: Factory) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
        create = {"input": {"slug": unique_slug(), "title": "Agent's form"}}
        update = {"input": {"id": form["id"], "isActive": False}}
        for document, variables in ((CREATE_FORM, create), (UPDATE_FORM, update), (FORMS, {})):
            body = await factory.gql(document, variables, token=agent)
            assert error_codes(body) == ["FORBIDDEN"], body


class TestUpdate:
    async def test_deactivating_takes_the_form_offline_and_back(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        off = {"input": {"id": form["id"], "isActive": False}}
        body = await factory.gql(UPDATE_FORM, off, token=world.token)
        assert body["data"]["updateIntakeForm"]["intakeForm"]["isActive"] is False
        assert (await client.get(f"/intake/{form['slug']}")).status_code == 404
        refused = await client.post(SUBMIT, json=submission(form["slug"]))
        assert refused.status_code == 404
        on = {"input": {"id": form["id"], "isActive": True}}
        await factory.gql(UPDATE_FORM, on, token=world.token)
        assert (await client.get(f"/intake/{form['slug']}")).status_code == 200

    async def test_fields_change_and_the_board_can_be_set_and_cleared(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        new_slug = unique_slug("desk")
        change = {
            "id": form["id"],
            "slug": new_slug,
            "title": "Desk",
            "intro": None,
            "categories": ["Chairs", " Chairs ", "Lamps"],
            "boardId": gid("brd", world.board.id),
        }
        body = await factory.gql(UPDATE_FORM, {"input": change}, token=world.token)
        assert body["data"]["updateIntakeForm"]["intakeForm"] == {
            "id": form["id"],
            "slug": new_slug,
            "title": "Desk",
            "intro": None,
            "categories": ["Chairs", "Lamps"],
            "isActive": True,
            "board": {"id": gid("brd", world.board.id)},
        }
        cleared = {"input": {"id": form["id"], "boardId": None}}
        body = await factory.gql(UPDATE_FORM, cleared, token=world.token)
        assert body["data"]["updateIntakeForm"]["intakeForm"]["board"] is None

    async def test_taken_slugs_and_nulls_are_refused(self, factory: Factory) -> None:
        world = await factory.world()
        form, other = await create_form(factory, world), await create_form(factory, world)
        taken = {"input": {"id": form["id"], "slug": other["slug"]}}
        assert error_codes(await factory.gql(UPDATE_FORM, taken, token=world.token)) == ["CONFLICT"]
        null = {"input": {"id": form["id"], "title": None}}
        assert error_codes(await factory.gql(UPDATE_FORM, null, token=world.token)) == [
            "VALIDATION_ERROR"
        ]
        forms = await factory.gql(FORMS, token=world.token)
        assert {f["slug"] for f in forms["data"]["intakeForms"]} == {form["slug"], other["slug"]}
