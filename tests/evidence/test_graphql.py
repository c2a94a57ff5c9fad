"""Evidence through GraphQL: preserving, listing and viewing, each access in custody."""

import base64
import hashlib
import uuid

import pytest

from app.services import Services
from tests.evidence.helpers import (
    PRESERVE,
    audit_rows,
    build_scene,
    chain_intact,
    custody_rows,
    evidence_rows,
    preserve_input,
    received_event,
)
from tests.factories import Factory, error_codes, gid

LIST = """query($caseId: ID!, $first: Int, $after: String) {
  evidence(caseId: $caseId, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id caseId type description contentType size sha256 retentionMode
      retainUntil legalHold source preservedBy preservedAt } }
  }
}"""
ITEM = """query($id: ID!, $reason: String!) {
  evidenceItem(id: $id, reason: $reason) {
    id sha256 legalHold
    custody { action actorKind actorId actorName reason ip userAgent at }
  }
}"""
ITEM_ONLY = """query($id: ID!, $reason: String!) {
  evidenceItem(id: $id, reason: $reason) { id sha256 }
}"""
HOLD = """mutation($input: SetEvidenceLegalHoldInput!) {
  setEvidenceLegalHold(input: $input) { evidence { id legalHold } }
}"""


async def test_preserved_evidence_is_listed_and_viewed_with_its_custody(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    lead = await factory.token(scene.people["safeguarding_lead"])
    case_id = gid("cas", scene.case.id)
    content = f"profile picture {uuid.uuid4()}".encode()
    body = await factory.gql(PRESERVE, {"input": preserve_input(case_id, content)}, token=lead)
    assert "errors" not in body, body
    preserved = body["data"]["preserveEvidence"]["evidence"]
    assert preserved["sha256"] == hashlib.sha256(content).hexdigest()
    assert preserved["size"] == len(content) and preserved["caseId"] == case_id

    agent = await factory.token(scene.people["agent"])
    listing = await factory.gql(LIST, {"caseId": case_id}, token=agent)
    assert "errors" not in listing, listing
    [edge] = listing["data"]["evidence"]["edges"]
    assert edge["node"]["id"] == preserved["id"]
    assert edge["node"]["type"] == "SCREENSHOT" and edge["node"]["source"] == "UPLOAD"
    assert edge["node"]["preservedBy"] == scene.people["safeguarding_lead"].name
    assert edge["node"]["retentionMode"] == "WRITE_ONCE" and edge["node"]["legalHold"] is False
    assert listing["data"]["evidence"]["totalCount"] == 1

    viewed = await factory.gql(ITEM, {"id": preserved["id"], "reason": "Triage"}, token=lead)
    assert "errors" not in viewed, viewed
    custody = viewed["data"]["evidenceItem"]["custody"]
    assert [entry["action"] for entry in custody] == ["PRESERVED", "LISTED", "VIEWED"]
    assert [entry["actorId"] for entry in custody] == [
        gid("usr", scene.people["safeguarding_lead"].id),
        gid("usr", scene.people["agent"].id),
        gid("usr", scene.people["safeguarding_lead"].id),
    ]
    assert [entry["reason"] for entry in custody] == [
        "Preserve before the account is deleted",
        None,
        "Triage",
    ]
    # The ASGI test client connects from 127.0.0.1 and sends httpx's user agent.
    assert {entry["ip"] for entry in custody} == {"127.0.0.1"}
    assert all(entry["userAgent"].startswith("python-httpx/") for entry in custody)

    # The custody log is for admins and safeguarding leads; an agent may still view the item.
    refused = await factory.gql(ITEM, {"id": preserved["id"], "reason": "Look"}, token=agent)
    assert error_codes(refused) == ["FORBIDDEN"]
    allowed = await factory.gql(ITEM_ONLY, {"id": preserved["id"], "reason": "Look"}, token=agent)
    assert allowed["data"]["evidenceItem"]["sha256"] == preserved["sha256"]
    assert await chain_intact(services, scene.world.tenant.id)


async def test_a_received_platform_event_is_preserved_through_graphql(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    ticket = await factory.ticket(scene.world.tenant, scene.world.board)
    event_id = await received_event(services, scene.world.tenant.id, ticket.id)
    body = await factory.gql(
        "mutation($input: PreserveWebhookEvidenceInput!) { preserveWebhookEvidence(input: "
        "$input) { evidence { type source sourceEventId contentType description } } }",
        {"input": {"caseId": gid("cas", scene.case.id), "eventId": event_id, "reason": "Keep"}},
        token=scene.world.token,
    )
    assert "errors" not in body, body
    evidence = body["data"]["preserveWebhookEvidence"]["evidence"]
    assert evidence["type"] == "WEBHOOK_PAYLOAD" and evidence["source"] == "WEBHOOK_EVENT"
    assert evidence["sourceEventId"] == event_id
    assert evidence["contentType"] == "application/json"
    assert event_id in evidence["description"]


async def test_the_list_pages_and_refuses_bad_arguments(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    case_id = gid("cas", scene.case.id)
    ids = []
    for _ in range(3):
        body = await factory.gql(
            PRESERVE, {"input": preserve_input(case_id)}, token=scene.world.token
        )
        ids.append(body["data"]["preserveEvidence"]["evidence"]["id"])
    first = await factory.gql(LIST, {"caseId": case_id, "first": 2}, token=scene.world.token)
    page = first["data"]["evidence"]
    assert [edge["node"]["id"] for edge in page["edges"]] == ids[:2]
    assert page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    rest = await factory.gql(
        LIST, {"caseId": case_id, "first": 2, "after": after}, token=scene.world.token
    )
    assert [edge["node"]["id"] for edge in rest["data"]["evidence"]["edges"]] == ids[2:]
    for variables in (
        {"caseId": case_id, "first": 0},
        {"caseId": case_id, "first": 101},
        {"caseId": case_id, "after": "%%%"},
    ):
        bad = await factory.gql(LIST, variables, token=scene.world.token)
        assert error_codes(bad) == ["VALIDATION_ERROR"], bad
    for missing in (f"cas_{uuid.uuid4()}", "cas_nope", gid("tkt", scene.case.id)):
        body = await factory.gql(LIST, {"caseId": missing}, token=scene.world.token)
        assert error_codes(body) == ["NOT_FOUND"], body


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"contentBase64": "not base64!"}, "VALIDATION_ERROR"),
        ({"contentBase64": ""}, "VALIDATION_ERROR"),
        ({"contentBase64": base64.b64encode(b"x" * 65).decode()}, "VALIDATION_ERROR"),
        ({"contentType": "text/html\nX: y"}, "VALIDATION_ERROR"),
        ({"description": "\x00"}, "VALIDATION_ERROR"),
        ({"reason": " "}, "VALIDATION_ERROR"),
        ({"caseId": "cas_not-a-uuid"}, "NOT_FOUND"),
    ],
)
async def test_bad_preservations_are_refused_and_store_nothing(
    factory: Factory, services: Services, monkeypatch: pytest.MonkeyPatch, change: dict, code: str
) -> None:
    monkeypatch.setattr(services.settings, "evidence_max_bytes", 64)
    scene = await build_scene(factory, services)
    variables = {**preserve_input(gid("cas", scene.case.id), b"small enough"), **change}
    body = await factory.gql(PRESERVE, {"input": variables}, token=scene.world.token)
    assert error_codes(body) == [code], body
    assert await evidence_rows(services, scene.world.tenant.id) == []
    assert await custody_rows(services, scene.world.tenant.id) == []


async def test_legal_holds_through_graphql(factory: Factory, services: Services) -> None:
    scene = await build_scene(factory, services)
    body = await factory.gql(
        PRESERVE, {"input": preserve_input(gid("cas", scene.case.id))}, token=scene.world.token
    )
    evidence_id = body["data"]["preserveEvidence"]["evidence"]["id"]
    agent = await factory.token(scene.people["agent"])
    hold = {"id": evidence_id, "on": True, "reason": "Litigation hold"}
    assert error_codes(await factory.gql(HOLD, {"input": hold}, token=agent)) == ["FORBIDDEN"]
    lead = await factory.token(scene.people["safeguarding_lead"])
    held = await factory.gql(HOLD, {"input": hold}, token=lead)
    assert held["data"]["setEvidenceLegalHold"]["evidence"]["legalHold"] is True
    released = await factory.gql(HOLD, {"input": {**hold, "on": False}}, token=lead)
    assert released["data"]["setEvidenceLegalHold"]["evidence"]["legalHold"] is False
    actions = [entry.action for entry in await custody_rows(services, scene.world.tenant.id)]
    assert actions == ["preserved", "legal_hold_on", "legal_hold_off"]
    assert [e.action for e in await audit_rows(services, scene.world.tenant.id)][-2:] == [
        "evidence.legal_hold_on",
        "evidence.legal_hold_off",
    ]


async def test_csea_evidence_reads_as_missing_to_agents_and_viewers(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    csea = gid("cas", scene.csea.id)
    body = await factory.gql(PRESERVE, {"input": preserve_input(csea)}, token=scene.world.token)
    evidence_id = body["data"]["preserveEvidence"]["evidence"]["id"]
    before = len(await custody_rows(services, scene.world.tenant.id))
    for role in ("agent", "viewer"):
        token = await factory.token(scene.people[role])
        listing = await factory.gql(LIST, {"caseId": csea}, token=token)
        assert error_codes(listing) == ["NOT_FOUND"] and listing["data"] is None
        item = await factory.gql(ITEM_ONLY, {"id": evidence_id, "reason": "x"}, token=token)
        assert error_codes(item) == ["NOT_FOUND"]
        assert evidence_id not in str(listing) + str(item)
    assert len(await custody_rows(services, scene.world.tenant.id)) == before
    lead = await factory.token(scene.people["safeguarding_lead"])
    seen = await factory.gql(LIST, {"caseId": csea}, token=lead)
    assert seen["data"]["evidence"]["edges"][0]["node"]["id"] == evidence_id


async def test_content_of_exactly_the_configured_size_is_accepted(
    factory: Factory, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.settings, "evidence_max_bytes", 64)
    scene = await build_scene(factory, services)
    content = uuid.uuid4().hex.encode() * 2
    assert len(content) == 64
    variables = preserve_input(gid("cas", scene.case.id), content)
    body = await factory.gql(PRESERVE, {"input": variables}, token=scene.world.token)
    assert body["data"]["preserveEvidence"]["evidence"]["size"] == 64, body
