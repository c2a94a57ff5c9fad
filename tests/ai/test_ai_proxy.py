"""POST /functions/v1/ai-proxy, called as the Grahm document's curl examples call it, and the
plan's monthly AI calls."""

import json

import httpx

from app.auth.models import Role
from app.tenants.models import Plan
from tests.ai.helpers import ai_calls, triaged
from tests.factories import Factory

PROXY = "/functions/v1/ai-proxy"
# The document's two examples, byte for byte as its curl sends them.
TRIAGE_EXAMPLE = (
    '{ "action": "ticket-triage", "title": "VPN not connecting", '
    '"description": "Cannot connect from home office since this morning" }'
)
SOP_EXAMPLE = (
    '{ "action": "ticket-to-sop", "title": "VPN Connection Troubleshooting", '
    '"description": "Steps to fix VPN connectivity issues...", '
    '"comments": [{"author":"Agent","body":"Restarted VPN service..."}] }'
)


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


async def test_the_triage_example_answers_in_the_documents_shape(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    response = await client.post(PROXY, content=TRIAGE_EXAMPLE, headers=headers(world.token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body)[:5] == ["priority", "category", "sentiment", "summary", "suggested_reply"]
    assert body["priority"] in ("Critical", "High", "Medium", "Low")
    assert body["sentiment"] in ("Positive", "Neutral", "Frustrated", "Angry", "Distressed")
    assert body["category"] == "technical"
    assert "VPN" in body["summary"] or "vpn" in body["summary"].lower()
    assert body["suggested_reply"]
    assert body["provider"] == "local" and 0 <= body["confidence"] <= 1
    assert body["risk_indicators"] == []


async def test_the_sop_example_answers_with_a_procedure(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    response = await client.post(PROXY, content=SOP_EXAMPLE, headers=headers(world.token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] and body["applies_when"] and body["escalation"]
    assert any("VPN service" in step for step in body["steps"])
    assert body["markdown"].startswith(f"# {body['title']}")
    assert "## Steps" in body["markdown"]


async def test_bad_requests_are_refused_with_a_code_and_cost_nothing(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    cases = [
        ("{", "valid JSON"),
        (json.dumps({"action": "summarise", "title": "x"}), "action"),
        (json.dumps({"action": "ticket-triage"}), "title is required"),
        (json.dumps({"action": "ticket-triage", "title": ""}), "title"),
        (json.dumps({"action": "ticket-triage", "title": "x", "descripton": "typo"}), ""),
        (json.dumps({"action": "ticket-to-sop", "title": "x", "comments": "no"}), "comments"),
    ]
    for content, words in cases:
        response = await client.post(PROXY, content=content, headers=headers(world.token))
        assert response.status_code == 400, (content, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert words.lower() in error["message"].lower(), (content, error)
    assert await ai_calls(factory.services, world.tenant.id) == []


async def test_no_credentials_and_viewers_are_refused(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world()
    anonymous = await client.post(
        PROXY, content=TRIAGE_EXAMPLE, headers={"Content-Type": "application/json"}
    )
    assert anonymous.status_code == 401
    viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
    refused = await client.post(PROXY, content=TRIAGE_EXAMPLE, headers=headers(viewer))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"


async def test_the_free_plan_has_ten_ai_calls_a_month(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world(Plan.FREE)
    for _ in range(10):
        response = await client.post(PROXY, content=TRIAGE_EXAMPLE, headers=headers(world.token))
        assert response.status_code == 200, response.text
    refused = await client.post(PROXY, content=SOP_EXAMPLE, headers=headers(world.token))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "AI_QUOTA_EXCEEDED"
    calls = await ai_calls(factory.services, world.tenant.id)
    assert [call.outcome for call in calls].count("ok") == 10
    assert calls[-1].outcome == "over_quota" and calls[-1].purpose == "sop"
    paid = await factory.world(Plan.PRO)
    for _ in range(12):
        response = await client.post(PROXY, content=TRIAGE_EXAMPLE, headers=headers(paid.token))
        assert response.status_code == 200


async def test_triage_of_new_tickets_is_not_counted_against_the_quota(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    world = await factory.world(Plan.FREE)
    for number in range(12):
        ticket = await factory.ticket(world.tenant, world.board, title=f"VPN down {number}")
        await triaged(factory.services, ticket.id)
    response = await client.post(PROXY, content=TRIAGE_EXAMPLE, headers=headers(world.token))
    assert response.status_code == 200
    calls = await ai_calls(factory.services, world.tenant.id)
    assert [call.counted for call in calls].count(True) == 1
