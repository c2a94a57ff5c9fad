"""Cross-tenant probes for workflows: tenant B's admin aims every workflow field, and the REST
routes, at tenant A's workflow, its runs and its people; B gets null, NOT_FOUND, a refusal or
only its own, and A's workflow reads back unchanged. A's own run of each probe finds A's
object, so no probe passes vacuously."""

from typing import Any

import httpx

from app.auth.models import Role
from tests.factories import Factory, World, error_codes
from tests.workflows.helpers import BASE, bearer, create

COVERS = {
    "Query.workflows",
    "Query.workflow",
    "Query.workflowExecutions",
    "Mutation.createWorkflow",
    "Mutation.updateWorkflow",
    "Mutation.deleteWorkflow",
}
SHOW = "query($id: ID!) { workflow(id: $id) { id name } }"
LIST = "{ workflows { id name } }"
RUNS = "query($id: ID!) { workflowExecutions(workflowId: $id) { id } }"
UPDATE = (
    'mutation($id: ID!) { updateWorkflow(input: {id: $id, name: "Taken"}) { workflow { id } } }'
)
DELETE = "mutation($id: ID!) { deleteWorkflow(input: {id: $id}) { workflow { id } } }"
CREATE = """mutation($steps: JSON!) { createWorkflow(input: {name: "Probe",
  trigger: {event: "ticket.created"}, steps: $steps}) { workflow { id } } }"""


async def _side(factory: Factory, client: httpx.AsyncClient) -> tuple[World, str, str]:
    world = await factory.world()
    user = await factory.user(world.tenant, Role.AGENT)
    body = {
        "name": "Secret routing of tenant A",
        "trigger": {"event": "ticket.created"},
        "steps": [{"order": 1, "action": "add_tag", "config": {"tag": "a"}}],
        "active": True,
    }
    made = await create(client, world.token, body)
    assert made.status_code == 201, made.text
    return world, made.json()["id"], f"usr_{user.id}"


def _leaks(body: Any, *secrets: str) -> bool:
    text = str(body)
    return any(secret in text for secret in secrets)


async def test_another_tenant_cannot_reach_a_workflow(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    owner, workflow_id, user_id = await _side(factory, client)
    intruder = await factory.world()
    for credentials in ({"token": intruder.token}, {"api_key": intruder.api_key}):
        shown = await factory.gql(SHOW, {"id": workflow_id}, **credentials)
        assert shown["data"]["workflow"] is None
        runs = await factory.gql(RUNS, {"id": workflow_id}, **credentials)
        assert runs["data"]["workflowExecutions"] == []
        listed = await factory.gql(LIST, None, **credentials)
        assert not _leaks(listed, workflow_id, "Secret routing")
        for document in (UPDATE, DELETE):
            changed = await factory.gql(document, {"id": workflow_id}, **credentials)
            assert error_codes(changed) == ["NOT_FOUND"], changed
        steps = [{"order": 1, "action": "assign_to_user", "config": {"user_id": user_id}}]
        created = await factory.gql(CREATE, {"steps": steps}, **credentials)
        assert error_codes(created) == ["VALIDATION_ERROR"], created
    for method in ("get", "patch", "delete"):
        response = await client.request(
            method.upper(), f"{BASE}/{workflow_id}", json={} if method == "patch" else None,
            headers=bearer(intruder.token),
        )  # fmt: skip
        assert response.status_code == 404, response.text
    runs_rest = await client.get(f"{BASE}/{workflow_id}/executions", headers=bearer(intruder.token))
    assert runs_rest.status_code == 404
    # The owner's run of the same documents finds the workflow, unchanged.
    mine = await factory.gql(SHOW, {"id": workflow_id}, token=owner.token)
    assert mine["data"]["workflow"]["name"] == "Secret routing of tenant A"
    assert (await factory.gql(RUNS, {"id": workflow_id}, token=owner.token))["data"] is not None
    listed = await factory.gql(LIST, token=owner.token)
    assert _leaks(listed, workflow_id)
    steps = [{"order": 1, "action": "assign_to_user", "config": {"user_id": user_id}}]
    assert error_codes(await factory.gql(CREATE, {"steps": steps}, token=owner.token)) == []
