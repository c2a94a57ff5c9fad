"""Referrals over GraphQL: the workflow's mutations and their refusal codes, the queries with
CSEA visibility per role, the case's latest referral, and the export document."""

from typing import Any

import pytest

from app.referrals.models import ReferralStatus
from app.services import Services
from tests.cases.helpers import audit_entries
from tests.factories import Factory, error_codes, gid
from tests.referrals.helpers import SUMMARY, build_scene, referral_in

CREATE = """mutation($i: CreateReferralInput!) {
  createReferral(input: $i) { referral { id status type urgency summary evidenceCount
    createdBy case { id } } }
}"""
REVIEW = """mutation($id: ID!) {
  submitReferralForReview(input: {id: $id}) { referral { status } }
}"""
SUBMIT = (
    "mutation($id: ID!) { submitReferral(input: {id: $id}) { referral { status submittedBy } } }"
)
ACK = """mutation($id: ID!, $ref: String!) {
  acknowledgeReferral(input: {id: $id, referenceNumber: $ref}) {
    referral { status referenceNumber acknowledgedAt } }
}"""
WITHDRAW = """mutation($id: ID!) {
  withdrawReferral(input: {id: $id, reason: "Sent to the wrong agency"}) { referral { status } }
}"""
RETURN = """mutation($id: ID!) {
  returnReferralToDraft(input: {id: $id, reason: "Add the timeline"}) { referral { status } }
}"""
LIST = "query($s: ReferralStatus) { referrals(status: $s) { totalCount edges { node { id } } } }"
ONE = "query($id: ID!) { referral(id: $id) { id status evidenceCount } }"
EXPORT = "query($id: ID!) { referral(id: $id) { exportDocument } }"
CASE = "query($id: ID!) { case(id: $id) { referral { id status referenceNumber } } }"


def data(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    return dict(body["data"])


async def test_a_referral_goes_through_review_to_acknowledgement_over_graphql(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services, evidence=2)
    lead = await factory.token(scene.people["safeguarding_lead"])
    other = await factory.token(scene.people["lead2"])
    case_id = gid("cas", scene.csea.id)
    variables = {"caseId": case_id, "type": "NCA", "urgency": "URGENT", "summary": SUMMARY}
    made = data(await factory.gql(CREATE, {"i": variables}, token=lead))["createReferral"]
    referral = made["referral"]
    assert (referral["status"], referral["type"], referral["evidenceCount"]) == ("DRAFT", "NCA", 2)
    assert referral["case"] == {"id": case_id}
    ref = referral["id"]
    assert data(await factory.gql(REVIEW, {"id": ref}, token=lead))
    own = await factory.gql(SUBMIT, {"id": ref}, token=lead)
    assert error_codes(own) == ["SAME_PERSON_REVIEW"]
    sent = data(await factory.gql(SUBMIT, {"id": ref}, token=other))["submitReferral"]
    assert sent["referral"] == {"status": "SUBMITTED", "submittedBy": scene.people["lead2"].name}
    assert error_codes(await factory.gql(WITHDRAW, {"id": ref}, token=lead)) == ["REFERRAL_LOCKED"]
    assert error_codes(await factory.gql(RETURN, {"id": ref}, token=lead)) == ["REFERRAL_LOCKED"]
    acked = data(await factory.gql(ACK, {"id": ref, "ref": "NCA-2026-04-0042"}, token=lead))
    assert acked["acknowledgeReferral"]["referral"]["referenceNumber"] == "NCA-2026-04-0042"
    case = data(await factory.gql(CASE, {"id": case_id}, token=lead))["case"]
    assert case["referral"] == {
        "id": ref,
        "status": "ACKNOWLEDGED",
        "referenceNumber": "NCA-2026-04-0042",
    }


async def test_the_case_shows_its_latest_referral(factory: Factory, services: Services) -> None:
    scene = await build_scene(factory, services)
    await referral_in(services, scene, ReferralStatus.WITHDRAWN)
    latest = await referral_in(services, scene, ReferralStatus.PENDING_REVIEW)
    body = await factory.gql(CASE, {"id": gid("cas", scene.csea.id)}, token=scene.world.token)
    assert data(body)["case"]["referral"]["id"] == gid("ref", latest.id)
    assert data(body)["case"]["referral"]["status"] == "PENDING_REVIEW"


async def test_a_csea_referral_needs_evidence_over_graphql(
    factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services, evidence=0)
    variables = {
        "caseId": gid("cas", scene.csea.id),
        "type": "POLICE",
        "urgency": "EMERGENCY",
        "summary": SUMMARY,
    }
    body = await factory.gql(CREATE, {"i": variables}, token=scene.world.token)
    assert error_codes(body) == ["INSUFFICIENT_EVIDENCE"]


@pytest.mark.parametrize(
    ("role", "sees_csea"),
    [("admin", True), ("safeguarding_lead", True), ("agent", False), ("viewer", False)],
)
async def test_csea_referrals_exist_only_for_leads_and_admins(
    factory: Factory, services: Services, role: str, sees_csea: bool
) -> None:
    scene = await build_scene(factory, services)
    csea = await referral_in(services, scene, ReferralStatus.SUBMITTED)
    other = await referral_in(services, scene, ReferralStatus.DRAFT, scene.case)
    token = await factory.token(scene.people[role])
    listing = data(await factory.gql(LIST, {}, token=token))["referrals"]
    ids = [edge["node"]["id"] for edge in listing["edges"]]
    expected = [gid("ref", csea.id)] if sees_csea else []
    assert ids == [gid("ref", other.id), *expected]
    assert listing["totalCount"] == len(ids)
    submitted = data(await factory.gql(LIST, {"s": "SUBMITTED"}, token=token))["referrals"]
    assert submitted["totalCount"] == (1 if sees_csea else 0)
    one = data(await factory.gql(ONE, {"id": gid("ref", csea.id)}, token=token))["referral"]
    assert (one is not None) == sees_csea
    exported = await factory.gql(EXPORT, {"id": gid("ref", other.id)}, token=token)
    if sees_csea:
        assert data(exported)["referral"]["exportDocument"]["status"] == "draft"
    else:
        assert error_codes(exported) == ["FORBIDDEN"]


async def test_exporting_over_graphql_is_audited(factory: Factory, services: Services) -> None:
    scene = await build_scene(factory, services)
    referral = await referral_in(services, scene, ReferralStatus.ACKNOWLEDGED)
    body = await factory.gql(EXPORT, {"id": gid("ref", referral.id)}, token=scene.world.token)
    document = data(body)["referral"]["exportDocument"]
    assert document["reference_number"] == "NCA-2026-04-0042"
    assert len(document["evidence_manifest"]) == 2
    [entry] = [
        e
        for e in await audit_entries(services, scene.world.tenant.id)
        if e.action == "referral.exported"
    ]
    assert entry.subject_id == gid("ref", referral.id)
