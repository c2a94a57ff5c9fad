"""Calling a connector's action from a case: what the platform receives, retries, refusals
before anything is sent, and the record left on the case."""

import json
from datetime import timedelta

import httpx

from app.kit.models import utcnow
from app.services import Services
from tests.connectors.action_helpers import (
    SERVICE_KEY,
    build_scene,
    listed,
    queued,
    receiver,
    run,
    send_next,
    sending,
)
from tests.connectors.action_receiver import Receiver, Reply
from tests.connectors.helpers import bearer
from tests.factories import Factory
from tests.rest.helpers import envelope

__all__ = ["receiver", "sending"]

HOSTILE_REASON = 'Threats", "admin": true, "x": "'


class TestWhatThePlatformReceives:
    async def test_values_stay_inside_their_places(
        self,
        client: httpx.AsyncClient,
        factory: Factory,
        sending: Services,
        receiver: tuple[Receiver, str],
    ) -> None:
        platform, url = receiver
        scene = await build_scene(client, factory, url, subject="../admin?x=1")
        body = {"action_id": scene.action, "reason": HOSTILE_REASON, "variables": {"duration": 7}}
        response = await run(client, scene.agent_token, scene.case, body)
        assert response.status_code == 201, response.text
        execution = response.json()
        assert execution["status"] == "requested"
        await send_next(sending, execution["id"])

        (arrived,) = platform.arrived
        assert arrived.raw_path == "/v2/users/..%2Fadmin%3Fx%3D1/suspend"
        assert json.loads(arrived.body) == {"reason": HOSTILE_REASON, "duration": "7"}
        assert arrived.headers["x-service-key"] == SERVICE_KEY
        assert arrived.headers["idempotency-key"] == execution["idempotency_key"]
        assert arrived.headers["content-type"] == "application/json"
        (shown,) = await listed(client, scene.agent_token, scene.case)
        assert shown["status"] == "succeeded" and shown["response_status"] == 200
        assert shown["response_excerpt"] == '{"ok": true}'
        assert SERVICE_KEY not in json.dumps(shown)

    async def test_a_500_is_retried_with_the_same_idempotency_key(
        self,
        client: httpx.AsyncClient,
        factory: Factory,
        sending: Services,
        receiver: tuple[Receiver, str],
    ) -> None:
        platform, url = receiver
        platform.replies = [Reply(500, '{"error": "busy"}')]
        scene = await build_scene(client, factory, url)
        body = {"action_id": scene.action, "reason": "Threats", "variables": {"duration": "7d"}}
        execution = (await run(client, scene.agent_token, scene.case, body)).json()
        await send_next(sending, execution["id"])

        (shown,) = await listed(client, scene.agent_token, scene.case)
        assert (shown["status"], shown["attempts"], shown["response_status"]) == ("running", 1, 500)
        (due,) = await queued(sending, execution["id"])
        assert timedelta(seconds=50) < due - utcnow() <= timedelta(minutes=1)
        await send_next(sending, execution["id"])

        first, second = platform.arrived
        assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
        assert first.body == second.body
        (shown,) = await listed(client, scene.agent_token, scene.case)
        assert (shown["status"], shown["attempts"]) == ("succeeded", 2)

    async def test_a_429_waits_as_long_as_the_platform_asks(
        self,
        client: httpx.AsyncClient,
        factory: Factory,
        sending: Services,
        receiver: tuple[Receiver, str],
    ) -> None:
        platform, url = receiver
        platform.replies = [Reply(429, "{}", {"Retry-After": "600"})]
        scene = await build_scene(client, factory, url)
        body = {"action_id": scene.action, "reason": "Threats", "variables": {"duration": "7d"}}
        execution = (await run(client, scene.agent_token, scene.case, body)).json()
        await send_next(sending, execution["id"])
        (due,) = await queued(sending, execution["id"])
        assert timedelta(minutes=9) < due - utcnow() <= timedelta(minutes=10)

    async def test_a_4xx_is_not_retried(
        self,
        client: httpx.AsyncClient,
        factory: Factory,
        sending: Services,
        receiver: tuple[Receiver, str],
    ) -> None:
        platform, url = receiver
        platform.replies = [Reply(404, '{"error": "no such user"}')]
        scene = await build_scene(client, factory, url)
        body = {"action_id": scene.action, "reason": "Threats", "variables": {"duration": "7d"}}
        execution = (await run(client, scene.agent_token, scene.case, body)).json()
        await send_next(sending, execution["id"])

        assert len(platform.arrived) == 1
        assert await queued(sending, execution["id"]) == []
        (shown,) = await listed(client, scene.agent_token, scene.case)
        assert (shown["status"], shown["response_status"]) == ("failed", 404)
        assert shown["response_excerpt"] == '{"error": "no such user"}'


class TestRefusedBeforeSending:
    async def test_a_missing_variable_is_named(
        self, client: httpx.AsyncClient, factory: Factory, receiver: tuple[Receiver, str]
    ) -> None:
        scene = await build_scene(client, factory, receiver[1])
        body = {"action_id": scene.action, "reason": "Threats"}
        response = await run(client, scene.agent_token, scene.case, body)
        assert "variable duration is missing" in envelope(response, 400, "VALIDATION_ERROR")
        assert await listed(client, scene.agent_token, scene.case) == []

    async def test_an_unknown_variable_is_named(
        self, client: httpx.AsyncClient, factory: Factory, receiver: tuple[Receiver, str]
    ) -> None:
        scene = await build_scene(client, factory, receiver[1])
        variables = {"duration": "7d", "admin": True}
        body = {"action_id": scene.action, "reason": "Threats", "variables": variables}
        response = await run(client, scene.agent_token, scene.case, body)
        assert "variable admin is unknown" in envelope(response, 400, "VALIDATION_ERROR")
        assert await listed(client, scene.agent_token, scene.case) == []

    async def test_a_case_value_cannot_be_replaced(
        self, client: httpx.AsyncClient, factory: Factory, receiver: tuple[Receiver, str]
    ) -> None:
        scene = await build_scene(client, factory, receiver[1])
        variables = {"duration": "7d", "user_id": "usr_someone_else"}
        body = {"action_id": scene.action, "reason": "Threats", "variables": variables}
        response = await run(client, scene.agent_token, scene.case, body)
        assert "user_id comes from the case" in envelope(response, 400, "VALIDATION_ERROR")

    async def test_a_line_break_into_a_header_is_refused(
        self, client: httpx.AsyncClient, factory: Factory, receiver: tuple[Receiver, str]
    ) -> None:
        scene = await build_scene(
            client, factory, receiver[1], headers={"X-Warning": "{{duration}}"}
        )
        variables = {"duration": "7d\r\nX-Admin: yes"}
        body = {"action_id": scene.action, "reason": "Threats", "variables": variables}
        response = await run(client, scene.agent_token, scene.case, body)
        assert "line break" in envelope(response, 400, "VALIDATION_ERROR")
        assert await listed(client, scene.agent_token, scene.case) == []

    async def test_a_secret_with_a_line_break_is_refused(
        self, client: httpx.AsyncClient, factory: Factory, receiver: tuple[Receiver, str]
    ) -> None:
        scene = await build_scene(client, factory, receiver[1])
        response = await client.post(
            f"/api/v1/connectors/{scene.connector}/secrets",
            json={"name": "service_key", "value": "abcd\r\nX-Admin: yes"},
            headers=bearer(scene.world.token),
        )
        assert "line breaks" in envelope(response, 400, "VALIDATION_ERROR")
        shown = await client.get(
            f"/api/v1/connectors/{scene.connector}/secrets", headers=bearer(scene.world.token)
        )
        assert shown.json() == {
            "data": [
                {
                    "name": "service_key",
                    "last4": SERVICE_KEY[-4:],
                    "updated_at": shown.json()["data"][0]["updated_at"],
                }
            ]
        }

    async def test_a_viewer_cannot_run_an_action(
        self, client: httpx.AsyncClient, factory: Factory, receiver: tuple[Receiver, str]
    ) -> None:
        from app.auth.models import Role

        scene = await build_scene(client, factory, receiver[1])
        viewer = await factory.token(await factory.user(scene.world.tenant, Role.VIEWER))
        body = {"action_id": scene.action, "reason": "x", "variables": {"duration": "7d"}}
        envelope(await run(client, viewer, scene.case, body), 403, "FORBIDDEN")
        assert await listed(client, scene.agent_token, scene.case) == []

    async def test_an_agent_cannot_reach_a_csea_case(
        self, client: httpx.AsyncClient, factory: Factory, receiver: tuple[Receiver, str]
    ) -> None:
        scene = await build_scene(client, factory, receiver[1], case_type="CSEA")
        body = {"action_id": scene.action, "reason": "x", "variables": {"duration": "7d"}}
        envelope(await run(client, scene.agent_token, scene.case, body), 404, "NOT_FOUND")
        assert await listed(client, scene.world.token, scene.case) == []
