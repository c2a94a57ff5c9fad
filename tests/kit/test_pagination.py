"""One cursor format and one keyset paginator behind every list, GraphQL and REST alike."""

import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from app.kit.errors import ValidationFailed
from app.kit.pagination import MALFORMED, MISMATCHED, Key, Ordering, encode_cursor
from app.services import Services
from app.tickets.models import Ticket
from tests.cases.helpers import open_case
from tests.factories import Factory, World, gid

NAIVE = "2024-05-01T12:00:00"
AWARE = "2024-05-01T12:00:00+00:00"
SOME_ID = str(uuid.UUID(int=7))

# Every list ordered by a time: the name its cursors carry and how each surface lists it.
TIMED_LISTS = {
    "tickets": ("tickets.recently_updated", lambda moment: [moment, 3]),
    "referrals": ("referrals", lambda moment: [moment, SOME_ID]),
    "evidence": ("evidence", lambda moment: [moment, SOME_ID]),
    "connectors": ("connectors", lambda moment: [moment, SOME_ID]),
}
GQL_LISTS = {
    "tickets": "tickets(orderBy: RECENTLY_UPDATED, first: 2, after: $after)",
    "referrals": "referrals(first: 2, after: $after)",
    "evidence": "evidence(caseId: $caseId, first: 2, after: $after)",
    "connectors": "connectors(first: 2, after: $after)",
    "cases": "cases(first: 2, after: $after)",
    "audit": "auditLog(first: 2, after: $after)",
}
REST_LISTS = {
    "referrals": "/api/v1/referrals",
    "evidence": "/api/v1/evidence",
    "connectors": "/api/v1/connectors",
    "cases": "/api/v1/cases",
    "tickets": "/api/v1/tickets",
}
TOUCHED_TICKETS = """query($after: String) {
  tickets(orderBy: RECENTLY_UPDATED, first: 2, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { number } }
  }
}"""


def cursor_of(name: str, moment: str) -> str:
    list_name, keys = TIMED_LISTS[name]
    return encode_cursor([list_name, *keys(moment)])


async def gql_list(
    factory: Factory, world: World, name: str, case_id: str, after: str | None
) -> dict[str, Any]:
    needs_case = "$caseId" in GQL_LISTS[name]
    query = (
        f"query($after: String{', $caseId: ID!' if needs_case else ''}) {{"
        f" {GQL_LISTS[name]} {{ pageInfo {{ hasNextPage endCursor }} edges {{ cursor }} }} }}"
    )
    variables = {"after": after, **({"caseId": case_id} if needs_case else {})}
    return await factory.gql(query, variables, token=world.token)


async def rest_list(
    client: httpx.AsyncClient, world: World, name: str, case_id: str, cursor: str
) -> httpx.Response:
    params = {"cursor": cursor, **({"case_id": case_id} if name == "evidence" else {})}
    headers = {"Authorization": f"Bearer {world.token}"}
    return await client.get(REST_LISTS[name], params=params, headers=headers)


def refusal(body: dict[str, Any]) -> tuple[str, str, str]:
    assert body["data"] is None, body
    [error] = body["errors"]
    return error["extensions"]["code"], error["message"], error["extensions"]["field"]


class TestTheCursorFormat:
    ORDERING = Ordering("things", [Key(Ticket.updated_at, datetime), Key(Ticket.id, uuid.UUID)])

    def test_a_cursor_names_its_list_and_carries_aware_keys(self) -> None:
        cursor = encode_cursor(["things", AWARE, SOME_ID])
        moment, pk = self.ORDERING.position(cursor)
        assert moment.utcoffset() is not None and moment.isoformat() == AWARE
        assert pk == uuid.UUID(SOME_ID)

    @pytest.mark.parametrize(
        "values",
        [
            ["things", NAIVE, SOME_ID],
            ["things", AWARE, "not-a-uuid"],
            ["things", AWARE],
            ["things", AWARE, SOME_ID, 1],
            [3, AWARE, SOME_ID],
            [],
        ],
        ids=["naive-time", "bad-id", "missing-key", "extra-key", "unnamed", "empty"],
    )
    def test_a_malformed_cursor_is_one_error_on_the_field_asked_for(self, values: list) -> None:
        with pytest.raises(ValidationFailed) as refused:
            self.ORDERING.position(encode_cursor(values), "cursor")
        assert refused.value.message == MALFORMED
        assert refused.value.details == {"field": "cursor"}

    def test_a_cursor_of_another_list_says_so(self) -> None:
        """Well-formed but made for another list or ordering: the message tells a client
        that it mixed cursors up, not that it corrupted one."""
        with pytest.raises(ValidationFailed) as refused:
            self.ORDERING.position(encode_cursor(["others", AWARE, SOME_ID]))
        assert refused.value.message == MISMATCHED
        assert refused.value.details == {"field": "after"}

    @pytest.mark.parametrize("number", [True, 1.0, "1", 2**63, -(2**63) - 1])
    def test_whole_number_keys_are_json_integers_postgresql_can_compare(
        self, number: object
    ) -> None:
        ordering = Ordering("numbers", [Key(Ticket.number, int)])
        assert ordering.position(encode_cursor(["numbers", 2**63 - 1])) == [2**63 - 1]
        with pytest.raises(ValidationFailed):
            ordering.position(encode_cursor(["numbers", number]))


class TestEverySurface:
    @pytest.mark.parametrize("name", list(TIMED_LISTS))
    async def test_a_naive_timestamp_cursor_is_refused_in_graphql_alike(
        self, factory: Factory, services: Services, name: str
    ) -> None:
        world = await factory.world()
        case_id = gid("cas", (await open_case(services, world.admin)).id)
        naive = await gql_list(factory, world, name, case_id, cursor_of(name, NAIVE))
        assert refusal(naive) == ("VALIDATION_ERROR", MALFORMED, "after")
        # The same position with its offset is a position: the time zone alone was refused.
        aware = await gql_list(factory, world, name, case_id, cursor_of(name, AWARE))
        assert "errors" not in aware, aware

    # /api/v1/tickets lists newest first by number only: no time in its cursors.
    @pytest.mark.parametrize("name", [name for name in TIMED_LISTS if name != "tickets"])
    async def test_a_naive_timestamp_cursor_is_refused_in_rest_alike(
        self, factory: Factory, services: Services, client: httpx.AsyncClient, name: str
    ) -> None:
        world = await factory.world()
        case_id = gid("cas", (await open_case(services, world.admin)).id)
        naive = await rest_list(client, world, name, case_id, cursor_of(name, NAIVE))
        assert naive.status_code == 400, naive.text
        assert naive.json() == {"error": {"code": "VALIDATION_ERROR", "message": MALFORMED}}
        aware = await rest_list(client, world, name, case_id, cursor_of(name, AWARE))
        assert aware.status_code == 200, aware.text

    async def test_a_cursor_from_one_list_is_refused_by_every_other(
        self, factory: Factory, services: Services, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        for _ in range(3):
            case = await open_case(services, world.admin)
        case_id = gid("cas", case.id)
        cases = await gql_list(factory, world, "cases", case_id, None)
        cursor = cases["data"]["cases"]["pageInfo"]["endCursor"]
        assert "errors" not in await gql_list(factory, world, "cases", case_id, cursor)
        for name in GQL_LISTS.keys() - {"cases"}:
            body = await gql_list(factory, world, name, case_id, cursor)
            assert refusal(body) == ("VALIDATION_ERROR", MISMATCHED, "after"), name
        for name in REST_LISTS.keys() - {"cases"}:
            response = await rest_list(client, world, name, case_id, cursor)
            assert response.json() == {"error": {"code": "VALIDATION_ERROR", "message": MISMATCHED}}


class TestKeysetOrder:
    async def test_tickets_touched_at_one_instant_page_by_number_each_once(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        for i in range(5):
            await factory.ticket(world.tenant, world.board, title=f"Tie {i}")
        async with services.db.transaction() as work:
            await work.session.execute(
                update(Ticket)
                .where(Ticket.tenant_id == world.tenant.id)
                .values(updated_at=datetime.fromisoformat(AWARE))
            )
        numbers, after, pages = [], None, 0
        while pages < 5:
            body = await factory.gql(
                TOUCHED_TICKETS,
                {"after": after},
                token=world.token,
            )
            connection, pages = body["data"]["tickets"], pages + 1
            numbers += [edge["node"]["number"] for edge in connection["edges"]]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        assert numbers == [5, 4, 3, 2, 1] and pages == 3

    async def test_after_the_last_row_comes_an_empty_last_page(
        self, factory: Factory, services: Services, client: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        for _ in range(2):
            await open_case(services, world.admin)
        first = await gql_list(factory, world, "cases", "", None)
        info = first["data"]["cases"]["pageInfo"]
        assert info == {
            "hasNextPage": False,
            "endCursor": first["data"]["cases"]["edges"][-1]["cursor"],
        }
        after = await gql_list(factory, world, "cases", "", info["endCursor"])
        assert after["data"]["cases"] == {
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [],
        }
        rest = await rest_list(client, world, "cases", "", info["endCursor"])
        assert rest.json() == {
            "data": [],
            "pagination": {"cursor": None, "has_more": False, "total": 2},
        }

    @pytest.mark.parametrize(
        ("first", "allowed"), [(0, False), (1, True), (100, True), (101, False)]
    )
    async def test_first_is_bounded_on_every_list(
        self, factory: Factory, services: Services, first: int, allowed: bool
    ) -> None:
        world = await factory.world()
        case_id = gid("cas", (await open_case(services, world.admin)).id)
        for name, field in GQL_LISTS.items():
            field = field.replace("first: 2", f"first: {first}")
            needs_case = "$caseId" in field
            query = (
                f"query($after: String{', $caseId: ID!' if needs_case else ''}) {{"
                f" {field} {{ edges {{ cursor }} }} }}"
            )
            variables = {"after": None, **({"caseId": case_id} if needs_case else {})}
            body = await factory.gql(query, variables, token=world.token)
            if allowed:
                assert "errors" not in body, (name, body)
            else:
                assert refusal(body)[0::2] == ("VALIDATION_ERROR", "first"), name
