"""Which provider answers, against a local stand-in of the Messages API with the real SDK:
Claude when configured, the local provider when Claude fails, when the plan's calls are used up,
and always for CSEA-flagged text unless the tenant allowed it; every call recorded."""

from collections.abc import AsyncIterator

import httpx
import pytest

from app.ai.anthropic_provider import AnthropicProvider
from app.ai.assistant import STAYS_LOCAL
from app.ai.contract import Purpose
from app.ai.models import AICall, Outcome
from app.kit.settings import Settings
from app.services import Services
from app.tenants.models import Plan
from app.tickets.models import TriageStatus
from tests.ai.helpers import ai_calls, configure, triaged
from tests.ai.messages_stand_in import KEY, StandIn, answer, overloaded
from tests.ai.test_triage import GROOMING, OUTAGE, graphql_ticket
from tests.factories import Factory, gid
from tests.realtime.conftest import serving

TRIAGED = {
    "priority": "high",
    "category": "technical",
    "sentiment": "frustrated",
    "summary": "Remote user cannot connect to the VPN since this morning",
    "suggested_reply": "Sorry about this; we are checking the VPN gateway now.",
    "risks": [],
    "confidence": 0.9,
}


@pytest.fixture
async def claude(services: Services, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[StandIn]:
    """Claude configured for this test, answering from a local stand-in."""
    stand_in = StandIn()
    async with serving(stand_in.app(), lifespan="off") as url:
        settings = Settings(
            env="test",
            ai_provider="anthropic",
            anthropic_api_key=KEY,
            anthropic_base_url=url,
            ai_max_retries=1,
            ai_timeout_seconds=5,
        )
        monkeypatch.setattr(services.ai, "external", AnthropicProvider(settings, services.outbound))
        yield stand_in


async def test_claude_triages_and_the_call_is_recorded(
    services: Services, factory: Factory, claude: StandIn
) -> None:
    world = await factory.world(Plan.PRO)
    claude.replies.append(answer(**TRIAGED))
    ticket_id = await graphql_ticket(factory, world, t=OUTAGE[0], d=OUTAGE[1])
    done = await triaged(services, ticket_id)
    assert done.ai_classification is not None
    assert done.ai_classification["provider"] == "anthropic"
    assert done.ai_classification["summary"] == TRIAGED["summary"]
    assert OUTAGE[1] in claude.received[0].user_text
    calls = await ai_calls(services, world.tenant.id)
    assert [(c.provider, c.outcome, c.counted) for c in calls] == [
        ("local", Outcome.OK, False),  # the screen for CSEA-flagged text
        ("anthropic", Outcome.OK, True),
    ]
    assert calls[1].input_tokens > 0 and calls[1].output_tokens > 0
    assert calls[1].ticket_id == ticket_id and calls[1].purpose == Purpose.TRIAGE


async def test_when_claude_is_down_the_local_provider_answers(
    services: Services, factory: Factory, claude: StandIn
) -> None:
    world = await factory.world(Plan.PRO)
    claude.replies.extend([overloaded(), overloaded()])
    ticket_id = await graphql_ticket(factory, world, t=OUTAGE[0], d=OUTAGE[1])
    done = await triaged(services, ticket_id)
    assert done.triage_status == TriageStatus.CLASSIFIED
    assert done.ai_classification is not None
    assert done.ai_classification["provider"] == "local"
    assert done.ai_classification["fallback_reason"].startswith("anthropic failed")
    assert len(claude.received) == 2  # the first attempt and one retry
    outcomes = [(c.provider, c.outcome) for c in await ai_calls(services, world.tenant.id)]
    assert outcomes == [
        ("local", Outcome.OK),
        ("anthropic", Outcome.FAILED),
        ("local", Outcome.OK),
    ]


async def test_malformed_output_falls_back_too(
    services: Services, factory: Factory, claude: StandIn
) -> None:
    world = await factory.world(Plan.PRO)
    claude.replies.append(answer(**{**TRIAGED, "category": "not-a-category"}))
    ticket_id = await graphql_ticket(factory, world, t=OUTAGE[0], d=OUTAGE[1])
    done = await triaged(services, ticket_id)
    assert done.ai_classification and done.ai_classification["provider"] == "local"
    failed = [c for c in await ai_calls(services, world.tenant.id) if c.outcome == Outcome.FAILED]
    assert len(failed) == 1 and failed[0].error and "category" in failed[0].error


async def test_csea_flagged_text_stays_local_unless_the_tenant_allowed_it(
    services: Services, factory: Factory, claude: StandIn
) -> None:
    world = await factory.world(Plan.PRO)
    ticket_id = await graphql_ticket(factory, world, t=GROOMING[0], d=GROOMING[1])
    done = await triaged(services, ticket_id)
    assert claude.received == []
    assert done.ai_classification and done.ai_classification["provider"] == "local"
    assert done.ai_classification["fallback_reason"] == STAYS_LOCAL
    assert "csea_concern" in done.ai_classification["risk_indicators"]

    await configure(services, world.tenant.id, external_csea=True)
    claude.replies.append(answer(**{**TRIAGED, "category": "csea_concern", "risks": []}))
    allowed = await graphql_ticket(factory, world, t=GROOMING[0], d=GROOMING[1])
    sent = await triaged(services, allowed)
    assert len(claude.received) == 1
    assert sent.ai_classification and sent.ai_classification["provider"] == "anthropic"
    # Claude saw no risk; the local reading's is kept, since a missed signal costs most.
    assert "csea_concern" in sent.ai_classification["risk_indicators"]


async def test_over_quota_triage_is_local_and_asked_for_calls_are_refused(
    services: Services, factory: Factory, client: httpx.AsyncClient, claude: StandIn
) -> None:
    world = await factory.world(Plan.FREE)
    async with services.db.transaction() as work:
        for _ in range(10):
            work.session.add(
                AICall(
                    tenant_id=world.tenant.id,
                    purpose=Purpose.TRIAGE,
                    provider="anthropic",
                    model="claude",
                    outcome=Outcome.OK,
                    counted=True,
                )
            )
    ticket_id = await graphql_ticket(factory, world, t=OUTAGE[0], d=OUTAGE[1])
    done = await triaged(services, ticket_id)
    assert claude.received == []
    assert done.ai_classification and done.ai_classification["provider"] == "local"
    assert "used up" in done.ai_classification["fallback_reason"]
    response = await client.post(
        "/functions/v1/ai-proxy",
        json={"action": "ticket-triage", "title": "VPN down"},
        headers={"Authorization": f"Bearer {world.token}"},
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "AI_QUOTA_EXCEEDED"
    assert claude.received == []


async def test_internal_notes_never_reach_claude_for_a_draft(
    services: Services, factory: Factory, client: httpx.AsyncClient, claude: StandIn
) -> None:
    world = await factory.world(Plan.PRO)
    ticket = await factory.ticket(
        world.tenant, world.board, title="Refund please", description="Charged twice."
    )
    await factory.comment(world.tenant, ticket, body="Which card was it?")
    await factory.comment(
        world.tenant, ticket, body="INTERNAL: customer has a chargeback history", is_internal=True
    )
    claude.replies.append(
        answer(content="Hi, we have refunded the second charge.", confidence=0.8, articles_used=[])
    )
    response = await client.post(
        f"/api/v1/tickets/{gid('tkt', ticket.id)}/drafts",
        json={"tone": "empathetic"},
        headers={"Authorization": f"Bearer {world.token}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["provider"] == "anthropic"
    sent = str(claude.received[-1].body)
    assert "Which card was it?" in sent
    assert "chargeback history" not in sent
