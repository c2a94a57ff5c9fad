"""/api/v1 referrals as the API document shows them: its curl examples, run as written with a
real token and a created case's id, answer in exactly the documented shapes."""

import shlex
from typing import Any

import httpx
import pytest

from app.referrals.models import ReferralStatus
from app.services import Services
from tests.factories import Factory, gid
from tests.referrals.helpers import SUMMARY, build_scene, referral_in

LIST_CURL = """curl https://api.supportos.io/api/v1/referrals?status=submitted&limit=10 \\
  -H "Authorization: Bearer eyJhbGciOiJSUzI1NiIs..."
"""
CREATE_CURL = """curl -X POST https://api.supportos.io/api/v1/cases/cas_e1f2a3b4-c5d6-7e8f-9a0b-c1d2e3f4a5b6/referrals \\
  -H "Authorization: Bearer eyJhbGciOiJSUzI1NiIs..." \\
  -H "Content-Type: application/json" \\
  -d '{
    "type": "nca",
    "urgency": "urgent",
    "summary": "CSEA material detected via PhotoDNA hash match. User account suspended. Evidence preserved with full chain of custody."
  }'
"""  # noqa: E501
DOCUMENT_CASE = "cas_e1f2a3b4-c5d6-7e8f-9a0b-c1d2e3f4a5b6"
DOCUMENT_TOKEN = "eyJhbGciOiJSUzI1NiIs..."
LIST_KEYS = {
    "id",
    "case_id",
    "type",
    "status",
    "submitted_at",
    "submitted_by",
    "reference_number",
    "evidence_count",
    "created_at",
}
CREATED_KEYS = {
    "id",
    "case_id",
    "type",
    "status",
    "urgency",
    "summary",
    "evidence_count",
    "created_at",
}


async def run_curl(
    client: httpx.AsyncClient, command: str, token: str, case_id: str = DOCUMENT_CASE
) -> httpx.Response:
    """The request the curl command makes, with our token and case in place of the document's."""
    words = shlex.split(command.replace(DOCUMENT_TOKEN, token).replace(DOCUMENT_CASE, case_id))
    method, headers, body, url = "GET", {}, None, ""
    for word, following in zip(words, [*words[1:], ""], strict=True):
        if word == "-X":
            method = following
        elif word == "-H":
            name, _, value = following.partition(": ")
            headers[name] = value
        elif word == "-d":
            body, method = following, ("POST" if method == "GET" else method)
        elif word.startswith("https://"):
            url = word.removeprefix("https://api.supportos.io")
    return await client.request(method, url, headers=headers, content=body)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_create_example_drafts_a_referral_carrying_the_cases_evidence(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services, evidence=3)
    case_id = gid("cas", scene.csea.id)
    response = await run_curl(client, CREATE_CURL, scene.world.token, case_id)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == CREATED_KEYS
    assert body["id"].startswith("ref_") and body["case_id"] == case_id
    assert (body["type"], body["status"], body["urgency"]) == ("nca", "draft", "urgent")
    assert body["summary"].startswith("CSEA material detected via PhotoDNA")
    assert body["evidence_count"] == 3
    assert body["created_at"].endswith("Z")

    again = await run_curl(client, CREATE_CURL, scene.world.token, case_id)
    assert again.status_code == 409
    assert again.json() == {
        "error": {"code": "CONFLICT", "message": again.json()["error"]["message"]}
    }


async def test_the_list_example_shows_submitted_referrals_in_the_documented_shape(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    submitted = await referral_in(services, scene, ReferralStatus.SUBMITTED)
    await referral_in(services, scene, ReferralStatus.ACKNOWLEDGED, scene.case)
    response = await run_curl(client, LIST_CURL, scene.world.token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"data", "pagination"}
    assert body["pagination"] == {"cursor": None, "has_more": False, "total": 1}
    [item] = body["data"]
    assert set(item) == LIST_KEYS
    assert item["id"] == gid("ref", submitted.id)
    assert item["case_id"] == gid("cas", scene.csea.id)
    assert (item["type"], item["status"], item["reference_number"]) == ("nca", "submitted", None)
    assert item["submitted_by"] == gid("usr", scene.people["lead2"].id)
    assert item["submitted_at"].endswith("Z") and item["evidence_count"] == 2


async def test_the_list_pages_newest_first_and_hides_csea_referrals_from_agents(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    first = await referral_in(services, scene, ReferralStatus.WITHDRAWN)
    second = await referral_in(services, scene, ReferralStatus.DRAFT)
    page = await client.get("/api/v1/referrals?limit=1", headers=bearer(scene.world.token))
    assert [r["id"] for r in page.json()["data"]] == [gid("ref", second.id)]
    assert page.json()["pagination"]["has_more"] is True
    cursor = page.json()["pagination"]["cursor"]
    rest = await client.get(
        "/api/v1/referrals",
        params={"limit": 1, "cursor": cursor},
        headers=bearer(scene.world.token),
    )
    assert [r["id"] for r in rest.json()["data"]] == [gid("ref", first.id)]
    agent = await factory.token(scene.people["agent"])
    hidden = await client.get("/api/v1/referrals", headers=bearer(agent))
    assert hidden.json() == {
        "data": [],
        "pagination": {"cursor": None, "has_more": False, "total": 0},
    }
    for query in ("status=sent", "limit=0", "cursor=garbage"):
        bad = await client.get(f"/api/v1/referrals?{query}", headers=bearer(scene.world.token))
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    ("role", "which", "status", "code"),
    [
        ("agent", "csea", 404, "NOT_FOUND"),
        ("agent", "case", 403, "FORBIDDEN"),
        ("viewer", "case", 403, "FORBIDDEN"),
    ],
)
async def test_only_leads_and_admins_create_and_csea_cases_stay_hidden(
    factory: Factory,
    services: Services,
    client: httpx.AsyncClient,
    role: str,
    which: str,
    status: int,
    code: str,
) -> None:
    scene = await build_scene(factory, services)
    case = scene.csea if which == "csea" else scene.case
    token = await factory.token(scene.people[role])
    body = {"type": "police", "urgency": "routine", "summary": SUMMARY}
    response = await client.post(
        f"/api/v1/cases/{gid('cas', case.id)}/referrals", json=body, headers=bearer(token)
    )
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


@pytest.mark.parametrize(
    "body",
    [
        {"urgency": "urgent", "summary": SUMMARY},
        {"type": "fbi", "urgency": "urgent", "summary": SUMMARY},
        {"type": "nca", "urgency": "whenever", "summary": SUMMARY},
        {"type": "nca", "urgency": "urgent"},
        {"type": "nca", "urgency": "urgent", "summary": "   "},
        {"type": "nca", "urgency": "urgent", "summary": 7},
        {"type": "nca", "urgency": "urgent", "summary": SUMMARY, "contact_details": "x"},
    ],
)
async def test_bad_bodies_are_refused_and_write_nothing(
    factory: Factory, services: Services, client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    scene = await build_scene(factory, services)
    path = f"/api/v1/cases/{gid('cas', scene.csea.id)}/referrals"
    response = await client.post(path, json=body, headers=bearer(scene.world.token))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    listing = await client.get("/api/v1/referrals", headers=bearer(scene.world.token))
    assert listing.json()["data"] == []


async def test_a_case_without_evidence_cannot_be_referred_to_the_nca(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services, evidence=0)
    body = {"type": "nca", "urgency": "urgent", "summary": SUMMARY}
    path = f"/api/v1/cases/{gid('cas', scene.csea.id)}/referrals"
    response = await client.post(path, json=body, headers=bearer(scene.world.token))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INSUFFICIENT_EVIDENCE"


async def test_the_workflow_over_rest_with_four_eyes_and_the_case_showing_the_referral(
    factory: Factory, services: Services, client: httpx.AsyncClient
) -> None:
    scene = await build_scene(factory, services)
    lead = await factory.token(scene.people["safeguarding_lead"])
    other = await factory.token(scene.people["lead2"])
    created = await client.post(
        f"/api/v1/cases/{gid('cas', scene.csea.id)}/referrals",
        json={"type": "nca", "urgency": "emergency", "summary": SUMMARY},
        headers=bearer(lead),
    )
    path = f"/api/v1/referrals/{created.json()['id']}/status"

    async def move(token: str, **body: str) -> httpx.Response:
        return await client.patch(path, json=body, headers=bearer(token))

    assert (await move(lead, status="pending_review")).json()["status"] == "pending_review"
    own = await move(lead, status="submitted")
    assert (own.status_code, own.json()["error"]["code"]) == (422, "SAME_PERSON_REVIEW")
    done = await move(other, status="submitted")
    assert done.status_code == 200, done.text
    assert set(done.json()) == {
        "id",
        "status",
        "previous_status",
        "submitted_at",
        "submitted_by",
        "reference_number",
    }
    assert (done.json()["previous_status"], done.json()["submitted_by"]) == (
        "pending_review",
        gid("usr", scene.people["lead2"].id),
    )
    locked = await move(lead, status="withdrawn", reason="Changed my mind")
    assert (locked.status_code, locked.json()["error"]["code"]) == (422, "REFERRAL_LOCKED")
    bad = await move(lead, status="acknowledged", reference_number="")
    assert bad.json()["error"]["code"] == "INVALID_REFERENCE_NUMBER"
    acked = await move(lead, status="acknowledged", reference_number="NCA-2026-04-0042")
    assert acked.json()["reference_number"] == "NCA-2026-04-0042"
    case = await client.get(f"/api/v1/cases/{gid('cas', scene.csea.id)}", headers=bearer(lead))
    assert case.json()["referral"]["status"] == "acknowledged"
    assert case.json()["referral"]["reference_number"] == "NCA-2026-04-0042"
