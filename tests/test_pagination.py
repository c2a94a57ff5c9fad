"""Keyset pagination, cursor checks, ticket filters, and batched loading of nested fields."""

import base64
import json
from typing import Any

import pytest

from app.auth.models import Role, User
from app.comments.service import NewComment, add_comment
from app.kit.actors import Actor, ActorKind
from app.tickets.models import Priority, Ticket
from app.tickets.service import NewTicket, create_ticket
from tests.conftest import StatementCounter
from tests.factories import Factory, World, error_codes, gid

PAGE = """
query($boardId: ID, $orderBy: TicketOrder!, $first: Int, $after: String) {
  tickets(boardId: $boardId, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { number } }
  }
}"""
FILTERED = """
query(
  $status: TicketStatus, $priority: Priority, $category: String, $assigneeId: ID,
  $search: String, $boardId: ID
) {
  tickets(
    status: $status, priority: $priority, category: $category, assigneeId: $assigneeId,
    search: $search, boardId: $boardId, first: 100
  ) {
    totalCount
    edges { node { number } }
  }
}"""
BOARD_PAGE = """
query($id: ID!, $first: Int, $after: String, $orderBy: TicketOrder! = NEWEST) {
  board(id: $id) {
    tickets(first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { number } }
    }
  }
}"""

# Created in this order, so ticket n has number n.
PRIORITIES = [
    Priority.LOW,
    Priority.CRITICAL,
    Priority.MEDIUM,
    Priority.CRITICAL,
    Priority.HIGH,
    Priority.LOW,
    Priority.MEDIUM,
]
# Commented on (which counts as activity) after all were created: 3 first, then 1.
TOUCHED = [3, 1]
EXPECTED = {
    "NEWEST": [7, 6, 5, 4, 3, 2, 1],
    "OLDEST": [1, 2, 3, 4, 5, 6, 7],
    "RECENTLY_UPDATED": [1, 3, 7, 6, 5, 4, 2],
    # Critical first; oldest first within a priority.
    "PRIORITY": [2, 4, 5, 3, 7, 1, 6],
}


async def seven_tickets(factory: Factory) -> tuple[World, list[Ticket]]:
    world = await factory.world()
    tickets = [
        await factory.ticket(world.tenant, world.board, title=f"Ticket {i}", priority=priority)
        for i, priority in enumerate(PRIORITIES, start=1)
    ]
    assert [ticket.number for ticket in tickets] == list(range(1, 8))
    for number in TOUCHED:
        await factory.comment(world.tenant, tickets[number - 1])
    # Tickets elsewhere in the tenant, and in another tenant, never show up on this board.
    await factory.ticket(world.tenant, await factory.board(world.tenant), title="Other board")
    other = await factory.world()
    await factory.ticket(other.tenant, other.board, title="Other tenant")
    return world, tickets


async def walk(
    factory: Factory, world: World, order: str, first: int
) -> tuple[list[int], list[dict[str, Any]]]:
    """Every ticket number in page order, and each page's connection."""
    numbers: list[int] = []
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        body = await factory.gql(
            PAGE,
            {
                "boardId": gid("brd", world.board.id),
                "orderBy": order,
                "first": first,
                "after": after,
            },
            token=world.token,
        )
        assert "errors" not in body, body
        page = body["data"]["tickets"]
        pages.append(page)
        numbers += [edge["node"]["number"] for edge in page["edges"]]
        assert len(pages) <= 10, "pagination does not end"
        if not page["pageInfo"]["hasNextPage"]:
            return numbers, pages
        after = page["pageInfo"]["endCursor"]


async def cursor_after(factory: Factory, world: World, order: str, first: int = 3) -> str:
    body = await factory.gql(
        PAGE,
        {"boardId": gid("brd", world.board.id), "orderBy": order, "first": first},
        token=world.token,
    )
    return str(body["data"]["tickets"]["pageInfo"]["endCursor"])


class TestKeysetPagination:
    @pytest.mark.parametrize("order", list(EXPECTED))
    async def test_pages_of_3_walk_every_ticket_once_in_order(
        self, factory: Factory, order: str
    ) -> None:
        world, _ = await seven_tickets(factory)
        numbers, pages = await walk(factory, world, order, first=3)
        assert numbers == EXPECTED[order]
        assert [len(page["edges"]) for page in pages] == [3, 3, 1]
        assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, False]
        assert [page["totalCount"] for page in pages] == [7, 7, 7]

    @pytest.mark.parametrize("order", list(EXPECTED))
    async def test_the_end_cursor_is_the_last_edges_cursor(
        self, factory: Factory, order: str
    ) -> None:
        world, _ = await seven_tickets(factory)
        _, pages = await walk(factory, world, order, first=3)
        for page in pages:
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]

    async def test_a_page_ending_exactly_at_the_last_ticket_has_no_next_page(
        self, factory: Factory
    ) -> None:
        world, _ = await seven_tickets(factory)
        numbers, pages = await walk(factory, world, "OLDEST", first=7)
        assert numbers == EXPECTED["OLDEST"]
        assert [page["pageInfo"]["hasNextPage"] for page in pages] == [False]

    async def test_after_the_last_ticket_the_page_is_empty(self, factory: Factory) -> None:
        world, _ = await seven_tickets(factory)
        numbers, pages = await walk(factory, world, "NEWEST", first=6)
        assert numbers == EXPECTED["NEWEST"]
        last = pages[-1]["pageInfo"]["endCursor"]
        body = await factory.gql(
            PAGE,
            {"boardId": gid("brd", world.board.id), "orderBy": "NEWEST", "after": last},
            token=world.token,
        )
        page = body["data"]["tickets"]
        assert page["edges"] == [] and page["pageInfo"] == {
            "hasNextPage": False,
            "endCursor": None,
        }
        assert page["totalCount"] == 7

    async def test_the_default_page_is_25(self, factory: Factory) -> None:
        world = await factory.world()
        async with factory.services.db.transaction() as work:
            for i in range(26):
                await create_ticket(
                    work.session,
                    world.tenant.id,
                    Actor(ActorKind.SYSTEM, None, "tests"),
                    NewTicket(board_id=world.board.id, title=f"Bulk {i}"),
                )
        body = await factory.gql(
            PAGE, {"boardId": gid("brd", world.board.id), "orderBy": "NEWEST"}, token=world.token
        )
        page = body["data"]["tickets"]
        assert [edge["node"]["number"] for edge in page["edges"]] == list(range(26, 1, -1))
        assert page["pageInfo"]["hasNextPage"] is True and page["totalCount"] == 26

    async def test_a_board_s_tickets_page_the_same_way(self, factory: Factory) -> None:
        world, _ = await seven_tickets(factory)
        numbers, after = [], None
        for _ in range(3):
            body = await factory.gql(
                BOARD_PAGE,
                {
                    "id": gid("brd", world.board.id),
                    "first": 3,
                    "after": after,
                    "orderBy": "PRIORITY",
                },
                token=world.token,
            )
            page = body["data"]["board"]["tickets"]
            numbers += [edge["node"]["number"] for edge in page["edges"]]
            after = page["pageInfo"]["endCursor"]
        assert numbers == EXPECTED["PRIORITY"] and page["pageInfo"]["hasNextPage"] is False

    async def test_root_tickets_without_a_board_span_the_tenant_s_boards(
        self, factory: Factory
    ) -> None:
        world, _ = await seven_tickets(factory)
        body = await factory.gql(PAGE, {"orderBy": "NEWEST", "first": 100}, token=world.token)
        page = body["data"]["tickets"]
        assert [edge["node"]["number"] for edge in page["edges"]] == list(range(8, 0, -1))
        assert page["totalCount"] == 8


class TestPageSize:
    @pytest.mark.parametrize("first", [0, -1, 101, 10_000])
    async def test_out_of_range_is_refused(self, factory: Factory, first: int) -> None:
        world = await factory.world()
        body = await factory.gql(PAGE, {"orderBy": "NEWEST", "first": first}, token=world.token)
        assert body["data"] is None
        assert error_codes(body) == ["VALIDATION_ERROR"]
        assert body["errors"][0]["extensions"]["field"] == "first"
        assert body["errors"][0]["message"] == "first must be between 1 and 100"

    @pytest.mark.parametrize("first", [1, 100])
    async def test_the_bounds_are_accepted(self, factory: Factory, first: int) -> None:
        world, _ = await seven_tickets(factory)
        body = await factory.gql(PAGE, {"orderBy": "OLDEST", "first": first}, token=world.token)
        assert "errors" not in body, body
        assert len(body["data"]["tickets"]["edges"]) == min(first, 8)

    async def test_out_of_range_is_refused_on_a_board_too(self, factory: Factory) -> None:
        world = await factory.world()
        body = await factory.gql(
            BOARD_PAGE, {"id": gid("brd", world.board.id), "first": 101}, token=world.token
        )
        assert error_codes(body) == ["VALIDATION_ERROR"]
        assert body["data"] == {"board": None}


def encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decoded(cursor: str) -> list[Any]:
    return list(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))))


MALFORMED_CURSORS = {
    "not-base64": "!!not a cursor!!",
    "not-json": encoded(b"\xff\xfe garbage"),
    "empty": "",
    "object": encoded(b'{"number": 3}'),
    "string": encoded(b'"3"'),
    "empty-list": encoded(b"[]"),
    "deeply-nested": encoded(b"[" * 100_000 + b"]" * 100_000),
}
# Real cursors with their last value (the ticket number) or their length changed.
TAMPERED_CURSORS = {
    "text-number": lambda values: [*values[:-1], "three"],
    "null-number": lambda values: [*values[:-1], None],
    "list-number": lambda values: [*values[:-1], [3]],
    "float-overflow": lambda values: [*values[:-1], float("inf")],
    "beyond-bigint": lambda values: [*values[:-1], 2**70],
    "extra-value": lambda values: [*values, 3],
    "missing-value": lambda values: values[:-1],
}


class TestCursors:
    @pytest.mark.parametrize("cursor", MALFORMED_CURSORS.values(), ids=MALFORMED_CURSORS.keys())
    @pytest.mark.parametrize("order", list(EXPECTED))
    async def test_a_malformed_cursor_is_refused(
        self, factory: Factory, order: str, cursor: str
    ) -> None:
        world = await factory.world()
        body = await factory.gql(
            PAGE, {"orderBy": order, "first": 3, "after": cursor}, token=world.token
        )
        assert body["data"] is None
        assert error_codes(body) == ["VALIDATION_ERROR"], body
        assert body["errors"][0]["extensions"]["field"] == "after"

    @pytest.mark.parametrize("tamper", TAMPERED_CURSORS.values(), ids=TAMPERED_CURSORS.keys())
    @pytest.mark.parametrize("order", list(EXPECTED))
    async def test_a_tampered_cursor_is_refused(
        self, factory: Factory, order: str, tamper: Any
    ) -> None:
        world, _ = await seven_tickets(factory)
        values = decoded(await cursor_after(factory, world, order))
        cursor = encoded(json.dumps(tamper(values)).encode())
        body = await factory.gql(
            PAGE, {"orderBy": order, "first": 3, "after": cursor}, token=world.token
        )
        assert body["data"] is None
        assert error_codes(body) == ["VALIDATION_ERROR"], body
        assert body["errors"][0]["extensions"]["field"] == "after"

    async def test_a_recently_updated_cursor_with_a_bad_time_is_refused(
        self, factory: Factory
    ) -> None:
        world, _ = await seven_tickets(factory)
        values = decoded(await cursor_after(factory, world, "RECENTLY_UPDATED"))
        position = next(
            i for i, value in enumerate(values) if isinstance(value, str) and ":" in value
        )
        bad_times = (
            "yesterday",
            3,
            None,
            "2024-13-45T99:00:00+00:00",
            "2024-01-01T00:00:00",  # real cursors always carry the time zone
            "0001-01-01T00:00:00+14:00",  # before the first representable instant
        )
        for bad in bad_times:
            cursor = encoded(
                json.dumps([*values[:position], bad, *values[position + 1 :]]).encode()
            )
            body = await factory.gql(
                PAGE, {"orderBy": "RECENTLY_UPDATED", "after": cursor}, token=world.token
            )
            assert error_codes(body) == ["VALIDATION_ERROR"], (bad, body)

    @pytest.mark.parametrize(
        ("made_for", "used_for"),
        [(a, b) for a in EXPECTED for b in EXPECTED if a != b],
    )
    async def test_a_cursor_from_another_ordering_is_refused(
        self, factory: Factory, made_for: str, used_for: str
    ) -> None:
        world, _ = await seven_tickets(factory)
        cursor = await cursor_after(factory, world, made_for)
        body = await factory.gql(
            PAGE, {"orderBy": used_for, "first": 3, "after": cursor}, token=world.token
        )
        assert body["data"] is None
        assert error_codes(body) == ["VALIDATION_ERROR"], body
        assert body["errors"][0]["extensions"]["field"] == "after"

    async def test_a_cursor_stays_valid_after_the_ticket_it_names_is_deleted(
        self, factory: Factory
    ) -> None:
        world, tickets = await seven_tickets(factory)
        cursor = await cursor_after(factory, world, "OLDEST")  # after ticket 3
        deleted = await factory.gql(
            "mutation($id: ID!) { deleteTicket(input: {id: $id}) { deletedTicketId } }",
            {"id": gid("tkt", tickets[2].id)},
            token=world.token,
        )
        assert "errors" not in deleted, deleted
        body = await factory.gql(
            PAGE,
            {"boardId": gid("brd", world.board.id), "orderBy": "OLDEST", "after": cursor},
            token=world.token,
        )
        assert [edge["node"]["number"] for edge in body["data"]["tickets"]["edges"]] == [
            4,
            5,
            6,
            7,
        ]


async def filtered(factory: Factory, world: World, **variables: Any) -> list[int]:
    body = await factory.gql(
        FILTERED, {"boardId": gid("brd", world.board.id), **variables}, token=world.token
    )
    assert "errors" not in body, body
    connection = body["data"]["tickets"]
    numbers = [edge["node"]["number"] for edge in connection["edges"]]
    assert connection["totalCount"] == len(numbers)
    return sorted(numbers)


async def filter_world(factory: Factory) -> tuple[World, User, User]:
    """Six tickets with different statuses, priorities, categories, assignees and text."""
    world = await factory.world()
    ana = await factory.user(world.tenant, Role.AGENT)
    bob = await factory.user(world.tenant, Role.AGENT)
    specs: list[dict[str, Any]] = [
        {"title": "Printer jam on floor two", "category": "hardware", "assignee_id": ana.id},
        {"title": "VPN drops every hour", "category": "network", "priority": Priority.HIGH},
        {
            "title": "Cannot print invoices",
            "description": "The printer says toner low",
            "category": "billing",
            "assignee_id": bob.id,
            "priority": Priority.CRITICAL,
        },
        {"title": "Laptop fan noisy", "category": "hardware", "assignee_id": ana.id},
        {"title": "Refund for order", "category": "billing", "priority": Priority.HIGH},
        {"title": "Wifi password reset", "category": "network", "assignee_id": bob.id},
    ]
    tickets = [await factory.ticket(world.tenant, world.board, **spec) for spec in specs]
    for number, status in ((2, "IN_PROGRESS"), (4, "RESOLVED"), (5, "RESOLVED")):
        body = await factory.gql(
            """mutation($id: ID!, $status: TicketStatus!) {
                 updateTicket(input: {id: $id, status: $status}) { ticket { status } } }""",
            {"id": gid("tkt", tickets[number - 1].id), "status": status},
            token=world.token,
        )
        assert "errors" not in body, body
    # A matching ticket on another board must not leak into a board-scoped filter.
    await factory.ticket(
        world.tenant, await factory.board(world.tenant), title="Printer jam", category="billing"
    )
    return world, ana, bob


class TestFilters:
    async def test_status(self, factory: Factory) -> None:
        world, _, _ = await filter_world(factory)
        assert await filtered(factory, world, status="OPEN") == [1, 3, 6]
        assert await filtered(factory, world, status="IN_PROGRESS") == [2]
        assert await filtered(factory, world, status="RESOLVED") == [4, 5]
        assert await filtered(factory, world, status="CLOSED") == []

    async def test_priority(self, factory: Factory) -> None:
        world, _, _ = await filter_world(factory)
        assert await filtered(factory, world, priority="CRITICAL") == [3]
        assert await filtered(factory, world, priority="HIGH") == [2, 5]
        assert await filtered(factory, world, priority="MEDIUM") == [1, 4, 6]
        assert await filtered(factory, world, priority="LOW") == []

    async def test_category(self, factory: Factory) -> None:
        world, _, _ = await filter_world(factory)
        assert await filtered(factory, world, category="billing") == [3, 5]
        assert await filtered(factory, world, category="hardware") == [1, 4]
        assert await filtered(factory, world, category="Hardware") == []

    async def test_assignee(self, factory: Factory) -> None:
        world, ana, bob = await filter_world(factory)
        assert await filtered(factory, world, assigneeId=gid("usr", ana.id)) == [1, 4]
        assert await filtered(factory, world, assigneeId=gid("usr", bob.id)) == [3, 6]
        assert await filtered(factory, world, assigneeId=gid("usr", world.admin.id)) == []

    async def test_an_assignee_from_another_tenant_matches_nothing(self, factory: Factory) -> None:
        world, _, _ = await filter_world(factory)
        stranger = await factory.user((await factory.world()).tenant)
        assert await filtered(factory, world, assigneeId=gid("usr", stranger.id)) == []

    @pytest.mark.parametrize(
        ("search", "numbers"),
        [
            ("printer", [1, 3]),  # title of 1, description of 3
            ("PRINTER JAM", [1]),  # every word must match; case does not matter
            ("toner", [3]),
            ("invoices printer", [3]),  # words from title and description together
            ("password", [6]),
            ("#4", [4]),
            ("5", [5]),
            ("#99", []),
            ("elephant", []),
            ("  vpn  ", [2]),
            ('"fan noisy" -laptop', []),
            ("(&|!:* <-> '", []),
        ],
    )
    async def test_search(self, factory: Factory, search: str, numbers: list[int]) -> None:
        world, _, _ = await filter_world(factory)
        assert await filtered(factory, world, search=search) == numbers

    async def test_filters_combine(self, factory: Factory) -> None:
        world, ana, _ = await filter_world(factory)
        assert await filtered(factory, world, category="hardware", status="OPEN") == [1]
        assert (
            await filtered(factory, world, assigneeId=gid("usr", ana.id), status="RESOLVED")
        ) == [4]
        assert await filtered(factory, world, search="printer", priority="CRITICAL") == [3]
        assert await filtered(factory, world, category="billing", priority="MEDIUM") == []

    async def test_a_search_over_200_characters_is_refused(self, factory: Factory) -> None:
        world = await factory.world()
        body = await factory.gql(FILTERED, {"search": "x" * 201}, token=world.token)
        assert error_codes(body) == ["VALIDATION_ERROR"]
        assert body["errors"][0]["extensions"]["field"] == "search"


NESTED = """
query($id: ID!, $first: Int!, $after: String) {
  board(id: $id) {
    name
    tickets(first: $first, after: $after, orderBy: OLDEST) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          number
          board { name }
          assignee { name }
          comments { body author { name } }
          timeline { kind actorName }
        }
      }
    }
  }
}"""


async def busy_board(factory: Factory, size: int) -> tuple[World, list[User], list[User]]:
    """`size` tickets, each assigned and with two comments by named agents, in one transaction."""
    world = await factory.world()
    assignees = [
        await factory.user(world.tenant, Role.AGENT, name=f"Assignee {i}") for i in range(3)
    ]
    authors = [await factory.user(world.tenant, Role.AGENT, name=f"Author {i}") for i in range(3)]
    system = Actor(ActorKind.SYSTEM, None, "tests")
    async with factory.services.db.transaction() as work:
        for i in range(size):
            ticket = await create_ticket(
                work.session,
                world.tenant.id,
                system,
                NewTicket(
                    board_id=world.board.id,
                    title=f"Ticket {i}",
                    assignee_id=assignees[i % 3].id,
                ),
            )
            for j in range(2):
                author = authors[(i + j) % 3]
                await add_comment(
                    work.session,
                    world.tenant.id,
                    Actor(ActorKind.USER, author.id, author.name),
                    NewComment(ticket_id=ticket.id, body=f"Reply {j} on {i}"),
                )
    return world, assignees, authors


async def two_pages(
    factory: Factory, world: World, size: int, statements: StatementCounter
) -> tuple[list[int], list[dict[str, Any]]]:
    """Statements sent for each of the two pages that hold all tickets, and the tickets."""
    first = (size + 1) // 2  # same document and two non-empty pages for every size
    counts, nodes, after = [], [], None
    for _ in range(2):
        statements.count = 0
        body = await factory.gql(
            NESTED,
            {"id": gid("brd", world.board.id), "first": first, "after": after},
            token=world.token,
        )
        counts.append(statements.count)
        assert "errors" not in body, body
        connection = body["data"]["board"]["tickets"]
        assert connection["totalCount"] == size
        nodes += [edge["node"] for edge in connection["edges"]]
        after = connection["pageInfo"]["endCursor"]
    assert connection["pageInfo"]["hasNextPage"] is False
    return counts, nodes


class TestBatchedLoading:
    async def test_statements_do_not_grow_with_the_number_of_tickets(
        self, factory: Factory, statements: StatementCounter
    ) -> None:
        small, small_assignees, small_authors = await busy_board(factory, 5)
        large, assignees, authors = await busy_board(factory, 200)

        small_counts, small_nodes = await two_pages(factory, small, 5, statements)
        large_counts, large_nodes = await two_pages(factory, large, 200, statements)

        # Per page: sign-in check, board, ticket page, total count, then one batch each for
        # comments, timelines, and the people (assignees and comment authors together).
        assert small_counts == large_counts == [7, 7]

        assert [node["number"] for node in small_nodes] == list(range(1, 6))
        assert [node["number"] for node in large_nodes] == list(range(1, 201))
        # Seeded in one transaction, comments and timeline entries of a ticket share a
        # timestamp, so their relative order is arbitrary: compare them sorted.
        for i, node in enumerate(large_nodes):
            assert node["board"] == {"name": large.board.name}
            assert node["assignee"] == {"name": assignees[i % 3].name}
            assert sorted(c["author"]["name"] for c in node["comments"]) == sorted(
                authors[(i + j) % 3].name for j in range(2)
            )
            assert sorted(c["body"] for c in node["comments"]) == [
                f"Reply 0 on {i}",
                f"Reply 1 on {i}",
            ]
            assert sorted(entry["kind"] for entry in node["timeline"]) == [
                "comment_added",
                "comment_added",
                "created",
            ]
        assert {node["assignee"]["name"] for node in small_nodes} == {
            user.name for user in small_assignees
        }
        assert {c["author"]["name"] for node in small_nodes for c in node["comments"]} == {
            user.name for user in small_authors
        }
