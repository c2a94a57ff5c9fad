"""/api/v1/cases called as the API document's curl examples call them (an access token, a
created case's id in the path): documented statuses, exact key sets, refusals as 422."""

import re
from typing import Any

import httpx
import pytest

from app.auth.models import Role
from app.cases.models import CaseStatus, CaseType
from app.referrals.models import ReferralStatus
from app.services import Services
from app.tickets.models import Priority
from tests.cases.helpers import add_referral, force_status, open_case, snapshot
from tests.factories import Factory, gid
from tests.rest.helpers import envelope

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
LIST_EXAMPLE = "/api/v1/cases?status=open&caseType=csea&limit=10"
SUMMARY_KEYS = [
    "id",
    "tenant_id",
    "case_type",
    "status",
    "priority",
    "subject",
    "ticket_ids",
    "assigned_to",
    "sla_deadline",
    "evidence_count",
    "referral_id",
    "created_at",
    "updated_at",
]
DETAIL_KEYS = [
    *SUMMARY_KEYS[:6],
    "description",
    "ticket_ids",
    "assigned_to",
    "sla_deadline",
    "evidence",
    "referral",
    "timeline",
    "created_at",
    "updated_at",
]
# The PATCH example's body, byte for byte as its curl sends it.
PATCH_EXAMPLE = """{
    "status": "escalated",
    "reason": "Confirmed CSEA material — escalating to safeguarding lead"
  }"""


def auth(token: str, json_body: bool = False) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if json_body:
        headers["Content-Type"] = "application/json"
    return headers


async def patch(client: httpx.AsyncClient, token: str, case_id: str, body: Any) -> httpx.Response:
    content = body if isinstance(body, str | bytes) else httpx.Request("P", "/", json=body).content
    return await client.patch(
        f"/api/v1/cases/{case_id}/status", content=content, headers=auth(token, True)
    )


class TestList:
    async def test_the_curl_example_lists_open_csea_cases(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        lead = await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
        case = await open_case(
            services,
            world.admin,
            CaseType.CSEA,
            Priority.CRITICAL,
            subject="Potential CSEA — hash match detected",
            ticket_ids=[ticket.id],
            assignee_id=lead.id,
        )
        await open_case(services, world.admin, CaseType.FRAUD)
        response = await client.get(LIST_EXAMPLE, headers=auth(world.token))
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["data", "pagination"]
        assert body["pagination"] == {"cursor": None, "has_more": False, "total": 1}
        (item,) = body["data"]
        assert list(item) == SUMMARY_KEYS
        assert item["id"] == gid("cas", case.id)
        assert item["tenant_id"] == gid("ten", world.tenant.id)
        assert (item["case_type"], item["status"], item["priority"]) == ("csea", "open", "critical")
        assert item["ticket_ids"] == [gid("tkt", ticket.id)]
        assert item["assigned_to"] == gid("usr", lead.id)
        assert (item["evidence_count"], item["referral_id"]) == (0, None)
        for key in ("sla_deadline", "created_at", "updated_at"):
            assert ISO_MS.match(item[key]), item[key]

    @pytest.mark.parametrize(("role", "sees"), [(Role.SAFEGUARDING_LEAD, 1), (Role.AGENT, 0)])
    async def test_csea_cases_are_absent_for_those_not_cleared(
        self,
        services: Services,
        factory: Factory,
        client: httpx.AsyncClient,
        role: Role,
        sees: int,
    ) -> None:
        world = await factory.world()
        await open_case(services, world.admin, CaseType.CSEA)
        token = await factory.token(await factory.user(world.tenant, role))
        response = await client.get(LIST_EXAMPLE, headers=auth(token))
        assert response.json()["pagination"]["total"] == sees
        assert len(response.json()["data"]) == sees
        everything = await client.get("/api/v1/cases", headers=auth(token))
        assert everything.json()["pagination"]["total"] == sees

    async def test_pages_follow_the_cursor(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        cases = [await open_case(services, world.admin) for _ in range(3)]
        first = (await client.get("/api/v1/cases?limit=2", headers=auth(world.token))).json()
        assert first["pagination"]["has_more"] is True and first["pagination"]["total"] == 3
        cursor = first["pagination"]["cursor"]
        rest = await client.get(f"/api/v1/cases?limit=2&cursor={cursor}", headers=auth(world.token))
        ids = [item["id"] for item in first["data"] + rest.json()["data"]]
        assert ids == [gid("cas", case.id) for case in reversed(cases)]
        assert rest.json()["pagination"] == {"cursor": None, "has_more": False, "total": 3}

    @pytest.mark.parametrize(
        "query", ["?status=archived", "?caseType=spam", "?limit=0", "?limit=101", "?cursor=zz"]
    )
    async def test_invalid_query_parameters_are_400(
        self, factory: Factory, client: httpx.AsyncClient, query: str
    ) -> None:
        world = await factory.world()
        response = await client.get(f"/api/v1/cases{query}", headers=auth(world.token))
        envelope(response, 400, "VALIDATION_ERROR")

    async def test_without_a_token_it_is_401(self, client: httpx.AsyncClient) -> None:
        envelope(await client.get(LIST_EXAMPLE), 401, "UNAUTHORIZED")


class TestDetail:
    async def test_the_curl_example_shows_the_case_in_full(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        case = await open_case(
            services, world.admin, CaseType.CSEA, description="Hash match", ticket_ids=[ticket.id]
        )
        response = await client.get(
            f"/api/v1/cases/{gid('cas', case.id)}", headers=auth(world.token)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == DETAIL_KEYS
        assert (body["description"], body["evidence"], body["referral"]) == ("Hash match", [], None)
        assert body["ticket_ids"] == [gid("tkt", ticket.id)]
        (created,) = body["timeline"]
        assert list(created) == ["type", "actor", "timestamp"]
        assert (created["type"], created["actor"]) == ("case_created", world.admin.name)
        referral = await add_referral(services, case, ReferralStatus.SUBMITTED)
        again = (await client.get(f"/api/v1/cases/{case.id}", headers=auth(world.token))).json()
        assert again["referral"]["id"] == gid("ref", referral.id)
        assert set(again["referral"]) == {
            "id",
            "case_id",
            "type",
            "status",
            "submitted_at",
            "reference_number",
            "created_at",
        }
        listed = (await client.get("/api/v1/cases", headers=auth(world.token))).json()
        assert listed["data"][0]["referral_id"] == gid("ref", referral.id)

    async def test_missing_foreign_and_hidden_cases_are_404(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world, other = await factory.world(), await factory.world()
        csea = await open_case(services, world.admin, CaseType.CSEA)
        theirs = await open_case(services, other.admin)
        agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
        for token, case_id in (
            (agent, gid("cas", csea.id)),
            (world.token, gid("cas", theirs.id)),
            (world.token, "cas_00000000-0000-0000-0000-000000000000"),
            (world.token, "tkt_00000000-0000-0000-0000-000000000000"),
            (world.token, "nonsense"),
        ):
            response = await client.get(f"/api/v1/cases/{case_id}", headers=auth(token))
            envelope(response, 404, "NOT_FOUND")


class TestStatus:
    async def test_the_curl_example_escalates_an_investigating_case(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        case = await open_case(services, world.admin, CaseType.CSEA)
        await force_status(services, case, CaseStatus.INVESTIGATING)
        response = await patch(client, world.token, gid("cas", case.id), PATCH_EXAMPLE)
        assert response.status_code == 200, response.text
        body = response.json()
        assert list(body) == ["id", "status", "previous_status", "updated_at"]
        assert (body["id"], body["status"], body["previous_status"]) == (
            gid("cas", case.id),
            "escalated",
            "investigating",
        )
        assert ISO_MS.match(body["updated_at"])
        detail = await client.get(f"/api/v1/cases/{case.id}", headers=auth(world.token))
        assert [item["type"] for item in detail.json()["timeline"]] == [
            "case_created",
            "status_changed",
        ]

    @pytest.mark.parametrize(
        ("start", "body", "code"),
        [
            (CaseStatus.ESCALATED, {"status": "closed", "reason": "Done"}, "REFERRAL_REQUIRED"),
            (CaseStatus.OPEN, {"status": "closed", "reason": "Spam"}, "INVALID_TRANSITION"),
            (CaseStatus.CLOSED, {"status": "escalated", "reason": "More"}, "CASE_CLOSED"),
            (CaseStatus.OPEN, {"status": "open", "reason": "Again"}, "SAME_STATUS"),
            (CaseStatus.OPEN, {"status": "archived", "reason": "Tidy"}, "UNKNOWN_STATUS"),
            (CaseStatus.OPEN, {"status": "escalated"}, "REASON_REQUIRED"),
            (CaseStatus.OPEN, {"status": "escalated", "reason": " "}, "REASON_REQUIRED"),
        ],
    )
    async def test_refused_changes_are_422_and_change_nothing(
        self,
        services: Services,
        factory: Factory,
        client: httpx.AsyncClient,
        start: CaseStatus,
        body: dict[str, str],
        code: str,
    ) -> None:
        world = await factory.world()
        case = await open_case(services, world.admin, CaseType.CSEA)
        await force_status(services, case, start)
        before = await snapshot(services, case)
        response = await patch(client, world.token, gid("cas", case.id), body)
        envelope(response, 422, code)
        assert await snapshot(services, case) == before

    @pytest.mark.parametrize(
        "body", ["not json", "[]", '{"reason": "x"}', '{"status": 3, "reason": "x"}']
    )
    async def test_malformed_bodies_are_400(
        self, services: Services, factory: Factory, client: httpx.AsyncClient, body: str
    ) -> None:
        world = await factory.world()
        case = await open_case(services, world.admin)
        envelope(
            await patch(client, world.token, gid("cas", case.id), body), 400, "VALIDATION_ERROR"
        )

    async def test_viewers_are_forbidden_and_strangers_find_nothing(
        self, services: Services, factory: Factory, client: httpx.AsyncClient
    ) -> None:
        world, other = await factory.world(), await factory.world()
        case = await open_case(services, world.admin)
        csea = await open_case(services, world.admin, CaseType.CSEA)
        before = await snapshot(services, case)
        viewer = await factory.token(await factory.user(world.tenant, Role.VIEWER))
        agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
        body = {"status": "investigating", "reason": "Look"}
        envelope(await patch(client, viewer, gid("cas", case.id), body), 403, "FORBIDDEN")
        envelope(await patch(client, other.token, gid("cas", case.id), body), 404, "NOT_FOUND")
        envelope(await patch(client, agent, gid("cas", csea.id), body), 404, "NOT_FOUND")
        response = await client.patch(f"/api/v1/cases/{case.id}/status", json=body)
        envelope(response, 401, "UNAUTHORIZED")
        assert await snapshot(services, case) == before
