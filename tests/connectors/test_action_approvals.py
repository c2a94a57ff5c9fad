"""Four eyes on an action, and the record of a call on its case: timeline, audit, live event."""

import httpx
from sqlalchemy import select

from app.events.models import Event
from app.kit.ids import expect_global_id
from app.services import Services
from tests.connectors.action_helpers import (
    build_scene,
    listed,
    queued,
    receiver,
    run,
    send_next,
    sending,
)
from tests.connectors.action_receiver import Receiver
from tests.connectors.helpers import bearer
from tests.factories import Factory, error_codes
from tests.rest.helpers import envelope

__all__ = ["receiver", "sending"]

APPROVE = """mutation($i: ApproveConnectorActionInput!) {
  approveConnectorAction(input: $i) { execution { status approvedBy { name } } }
}"""
BODY = {"reason": "Threats", "variables": {"duration": "7d"}}


async def approve(client: httpx.AsyncClient, case: str, execution: str, **auth: str):
    headers = bearer(auth["token"]) if "token" in auth else {"X-API-Key": auth["api_key"]}
    return await client.post(f"/api/v1/cases/{case}/actions/{execution}/approve", headers=headers)


class TestFourEyes:
    async def test_only_a_second_person_can_approve(
        self,
        client: httpx.AsyncClient,
        factory: Factory,
        sending: Services,
        receiver: tuple[Receiver, str],
    ) -> None:
        platform, url = receiver
        scene = await build_scene(client, factory, url, requires_approval=True)
        asked = await run(
            client, scene.agent_token, scene.case, {"action_id": scene.action, **BODY}
        )
        execution = asked.json()
        assert execution["status"] == "awaiting_approval"
        assert await queued(sending, execution["id"]) == []

        own = await approve(client, scene.case, execution["id"], token=scene.agent_token)
        envelope(own, 422, "SAME_PERSON_APPROVAL")
        key = await factory.api_key(scene.world.tenant)
        by_key = await approve(client, scene.case, execution["id"], api_key=key)
        envelope(by_key, 422, "SAME_PERSON_APPROVAL")
        (shown,) = await listed(client, scene.agent_token, scene.case)
        assert shown["status"] == "awaiting_approval" and shown["approved_by"] is None

        body = await factory.gql(
            APPROVE,
            {"i": {"caseId": scene.case, "executionId": execution["id"]}},
            token=scene.world.token,
        )
        approved = body["data"]["approveConnectorAction"]["execution"]
        assert approved == {"status": "REQUESTED", "approvedBy": {"name": scene.world.admin.name}}
        again = await approve(client, scene.case, execution["id"], token=scene.world.token)
        envelope(again, 422, "INVALID_EXECUTION_TRANSITION")
        await send_next(sending, execution["id"])
        assert len(platform.arrived) == 1
        (shown,) = await listed(client, scene.agent_token, scene.case)
        assert shown["status"] == "succeeded"


class TestTheRecord:
    async def test_the_outcome_is_on_the_timeline_in_the_audit_and_live(
        self,
        client: httpx.AsyncClient,
        factory: Factory,
        sending: Services,
        receiver: tuple[Receiver, str],
    ) -> None:
        scene = await build_scene(client, factory, receiver[1])
        asked = await run(
            client, scene.agent_token, scene.case, {"action_id": scene.action, **BODY}
        )
        await send_next(sending, asked.json()["id"])

        case = await client.get(f"/api/v1/cases/{scene.case}", headers=bearer(scene.agent_token))
        timeline = [
            entry for entry in case.json()["timeline"] if entry["type"].startswith("connector")
        ]
        assert [entry["type"] for entry in timeline] == [
            "connector_action_requested",
            "connector_action_succeeded",
        ]
        audit = await factory.gql(
            "query { auditLog(first: 100) { edges { node { action details } } } }",
            token=scene.world.token,
        )
        assert error_codes(audit) == []
        outcomes = [
            edge["node"]
            for edge in audit["data"]["auditLog"]["edges"]
            if edge["node"]["action"] == "connector_action.succeeded"
        ]
        assert [o["details"]["response_status"] for o in outcomes] == [200]
        case_pk = expect_global_id(scene.case, "SafetyCase")
        async with sending.db.read() as session:
            events = await session.scalars(
                select(Event)
                .where(
                    Event.tenant_id == scene.world.tenant.id,
                    Event.topics.contains([f"case:{case_pk}"]),
                    Event.type == "connector_action_changed",
                )
                .order_by(Event.seq)
            )
            statuses = [e.payload["changes"]["action_execution"]["status"] for e in events]
        assert statuses == ["requested", "succeeded"]
