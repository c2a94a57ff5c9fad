"""/api/v1/workflows as the document describes it: its curl examples, the 400s of a bad
definition, and the mandatory CSEA workflow that can be neither changed nor deleted nor worked
against."""

from typing import Any

import httpx
import pytest

from app.auth.models import Role
from tests.factories import Factory
from tests.workflows.helpers import BASE, EXAMPLE, bearer, create

ASSIGN = [{"order": 1, "action": "add_tag", "config": {"tag": "vip"}}]


def definition(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Tag VIPs",
        "trigger": {"event": "ticket.created", "conditions": {"priority": "high"}},
        "steps": ASSIGN,
    }
    return {**body, **overrides}


class TestDocumentExamples:
    async def test_the_create_example_as_written(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        headers = {**bearer(world.token), "Content-Type": "application/json"}
        response = await client.post(BASE, content=EXAMPLE, headers=headers)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["id"].startswith("wfl_")
        assert list(body) == ["id", "name", "active", "trigger", "steps", "created_at"]
        assert body["trigger"] == {"event": "ticket.classified", "conditions": {"priority": "high"}}
        assert [step["action"] for step in body["steps"]] == ["assign_to_role", "send_notification"]

    async def test_list_patch_and_delete_as_written(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        made = (await create(client, world.token, definition(active=True))).json()
        listed = await client.get(f"{BASE}?active=true", headers=bearer(world.token))
        assert listed.status_code == 200, listed.text
        rows = listed.json()["data"]
        assert made["id"] in [row["id"] for row in rows]
        assert all(row["active"] for row in rows)
        assert listed.json()["pagination"]["total"] == len(rows)
        patched = await client.patch(
            f"{BASE}/{made['id']}", json={"active": False}, headers=bearer(world.token)
        )
        assert patched.status_code == 200, patched.text
        assert list(patched.json()) == ["id", "name", "active", "updated_at"]
        assert patched.json()["active"] is False
        deleted = await client.delete(f"{BASE}/{made['id']}", headers=bearer(world.token))
        assert deleted.status_code == 200, deleted.text
        assert deleted.json()["deleted"] is True and deleted.json()["deleted_at"]
        gone = await client.get(f"{BASE}/{made['id']}", headers=bearer(world.token))
        assert gone.status_code == 404
        again = await client.delete(f"{BASE}/{made['id']}", headers=bearer(world.token))
        assert again.status_code == 404

    async def test_every_tenant_lists_the_mandatory_csea_workflow(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        rows = (await client.get(BASE, headers=bearer(world.token))).json()["data"]
        mandatory = [row for row in rows if row["mandatory"]]
        assert {row["trigger"]["event"] for row in mandatory} == {
            "event.received",
            "ticket.created",
            "ticket.classified",
        }
        assert all(row["active"] for row in mandatory)
        assert [s["action"] for s in mandatory[0]["steps"]] == [
            "create_safety_case",
            "preserve_evidence",
            "assign_to_role",
            "send_notification",
        ]


class TestInvalidDefinitions:
    @pytest.mark.parametrize(
        ("overrides", "named"),
        [
            ({"trigger": None}, "trigger is required"),
            ({"steps": None}, "steps is required"),
            ({"trigger": {"event": "ticket.exploded"}}, "ticket.exploded"),
            ({"steps": [{"order": 1, "action": "launch", "config": {}}]}, "launch"),
            ({"steps": [{"order": 1, "action": "add_tag", "config": {}}]}, "config.tag"),
            (
                {
                    "steps": [
                        {"order": 1, "action": "set_priority", "config": {"priority": "urgent"}}
                    ]
                },
                "priority",
            ),
            ({"trigger": {"event": "ticket.created", "conditions": {"mood": "sad"}}}, "mood"),
            (
                {
                    "trigger": {
                        "event": "ticket.created",
                        "conditions": {"ai_confidence": {"gte": "high"}},
                    }
                },
                "number",
            ),
            (
                {
                    "trigger": {
                        "event": "ticket.created",
                        "conditions": {"priority": {"near": "high"}},
                    }
                },
                "near",
            ),
            (
                {"steps": [{"order": 1, "action": "preserve_evidence", "config": {}}]},
                "needs a case",
            ),
            ({"steps": []}, "steps"),
            ({"name": ""}, "name"),
        ],
    )
    async def test_bad_definitions_are_refused_naming_the_fault(
        self, factory: Factory, client: httpx.AsyncClient, overrides: dict, named: str
    ) -> None:
        world = await factory.world()
        body = {k: v for k, v in definition(**overrides).items() if v is not None}
        response = await create(client, world.token, body)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
        assert named in response.json()["error"]["message"]
        listed = (await client.get(BASE, headers=bearer(world.token))).json()["data"]
        assert [row for row in listed if not row["mandatory"]] == []

    async def test_agents_read_but_do_not_write(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
        assert (await client.get(BASE, headers=bearer(agent))).status_code == 200
        assert (await create(client, agent, definition())).status_code == 403


class TestMandatoryWorkflow:
    async def _mandatory_id(self, client: httpx.AsyncClient, token: str) -> str:
        rows = (await client.get(BASE, headers=bearer(token))).json()["data"]
        return str(next(row["id"] for row in rows if row["mandatory"]))

    async def test_it_cannot_be_modified_or_deleted(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        pk = await self._mandatory_id(client, world.token)
        patched = await client.patch(
            f"{BASE}/{pk}", json={"active": False}, headers=bearer(world.token)
        )
        assert patched.status_code == 403
        assert patched.json()["error"]["code"] == "FORBIDDEN"
        deleted = await client.delete(f"{BASE}/{pk}", headers=bearer(world.token))
        assert deleted.status_code == 403
        shown = (await client.get(f"{BASE}/{pk}", headers=bearer(world.token))).json()
        assert shown["active"] is True

    @pytest.mark.parametrize(
        "steps",
        [
            [{"order": 1, "action": "set_priority", "config": {"priority": "low"}}],
            [{"order": 1, "action": "assign_to_role", "config": {"role": "agent"}}],
            [
                {
                    "order": 1,
                    "action": "create_safety_case",
                    "config": {"case_type": "csea", "priority": "medium"},
                }
            ],
        ],
    )
    async def test_a_workflow_working_against_it_is_refused(
        self, factory: Factory, client: httpx.AsyncClient, steps: list
    ) -> None:
        world = await factory.world()
        trigger = {"event": "ticket.classified", "conditions": {"category": "csea"}}
        response = await create(client, world.token, definition(trigger=trigger, steps=steps))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "MANDATORY_WORKFLOW_CONFLICT"
        assert "CSEA safeguarding" in response.json()["error"]["message"]

    async def test_a_csea_workflow_that_helps_is_accepted(
        self, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        trigger = {"event": "ticket.classified", "conditions": {"category": {"in": ["grooming"]}}}
        steps = [{"order": 1, "action": "add_tag", "config": {"tag": "safeguarding"}}]
        response = await create(client, world.token, definition(trigger=trigger, steps=steps))
        assert response.status_code == 201, response.text
