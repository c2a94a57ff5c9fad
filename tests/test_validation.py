"""Bad input of every kind is refused with its code, names the field, and changes nothing."""

import json
from typing import Any

import pytest

from app.tickets.models import Ticket
from tests.factories import Factory, World, error_codes, gid

CREATE = """
mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id title tags metadata requester { email } } }
}"""
UPDATE = """
mutation($input: UpdateTicketInput!) {
  updateTicket(input: $input) { ticket { id title status tags } }
}"""
COMMENT = """
mutation($input: AddCommentInput!) {
  addComment(input: $input) { comment { id body isInternal authorKind authorEmail } }
}"""
DELETE = (
    """mutation($input: DeleteTicketInput!) { deleteTicket(input: $input) { deletedTicketId } }"""
)
SNAPSHOT = """
query($id: ID!) {
  ticket(id: $id) {
    title description status priority category tags metadata updatedAt resolvedAt
    assignee { id }
    comments { id body }
    timeline { kind changes }
  }
}"""
COUNT = """query($boardId: ID!) { tickets(boardId: $boardId) { totalCount } }"""
CREATE_USER = """
mutation($input: CreateUserInput!) { createUser(input: $input) { user { id email } } }"""
CREATE_BOARD = """
mutation($input: CreateBoardInput!) { createBoard(input: $input) { board { id name } } }"""


def refused(body: dict[str, Any], code: str, field: str | None = None) -> dict[str, Any]:
    """The one error of an operation that produced nothing, after checking its code and field."""
    assert body.get("data") is None, body
    assert error_codes(body) == [code], body
    error = body["errors"][0]
    if field is not None:
        assert error["extensions"].get("field") == field, error
    return error


async def ticket_count(factory: Factory, world: World) -> int:
    body = await factory.gql(COUNT, {"boardId": gid("brd", world.board.id)}, token=world.token)
    return int(body["data"]["tickets"]["totalCount"])


async def snapshot(factory: Factory, world: World, ticket: Ticket) -> dict[str, Any]:
    body = await factory.gql(SNAPSHOT, {"id": gid("tkt", ticket.id)}, token=world.token)
    assert "errors" not in body, body
    return dict(body["data"]["ticket"])


async def create(factory: Factory, world: World, **fields: Any) -> dict[str, Any]:
    draft = {"boardId": gid("brd", world.board.id), "title": "Printer jam", **fields}
    return await factory.gql(CREATE, {"input": draft}, token=world.token)


async def update(factory: Factory, world: World, ticket: Ticket, **fields: Any) -> dict[str, Any]:
    return await factory.gql(
        UPDATE, {"input": {"id": gid("tkt", ticket.id), **fields}}, token=world.token
    )


async def comment(factory: Factory, world: World, ticket: Ticket, **fields: Any) -> dict[str, Any]:
    draft = {"ticketId": gid("tkt", ticket.id), "body": "On it.", **fields}
    return await factory.gql(COMMENT, {"input": draft}, token=world.token)


async def assert_create_refused(
    factory: Factory, world: World, field: str, **fields: Any
) -> dict[str, Any]:
    error = refused(await create(factory, world, **fields), "VALIDATION_ERROR", field)
    assert await ticket_count(factory, world) == 0
    # Not even a ticket number was used up.
    assert (await factory.ticket(world.tenant, world.board)).number == 1
    return error


async def assert_update_refused(
    factory: Factory, world: World, field: str, **fields: Any
) -> dict[str, Any]:
    ticket = await factory.ticket(world.tenant, world.board, tags=["kept"])
    before = await snapshot(factory, world, ticket)
    error = refused(await update(factory, world, ticket, **fields), "VALIDATION_ERROR", field)
    assert await snapshot(factory, world, ticket) == before
    return error


async def assert_comment_refused(
    factory: Factory, world: World, field: str, **fields: Any
) -> dict[str, Any]:
    ticket = await factory.ticket(world.tenant, world.board, requester_email="r@example.com")
    before = await snapshot(factory, world, ticket)
    error = refused(await comment(factory, world, ticket, **fields), "VALIDATION_ERROR", field)
    after = await snapshot(factory, world, ticket)
    assert after["comments"] == [] and after == before
    return error


BAD_TITLES = pytest.mark.parametrize(
    "title", ["", "   ", "x" * 301, " \t\n "], ids=["empty", "spaces", "301-chars", "whitespace"]
)


class TestTicketTitle:
    @BAD_TITLES
    async def test_create_refuses_a_bad_title(self, factory: Factory, title: str) -> None:
        world = await factory.world()
        error = await assert_create_refused(factory, world, "title", title=title)
        assert "1 to 300 characters" in error["message"]

    async def test_create_accepts_300_characters(self, factory: Factory) -> None:
        world = await factory.world()
        body = await create(factory, world, title="x" * 300)
        assert body["data"]["createTicket"]["ticket"]["title"] == "x" * 300
        assert await ticket_count(factory, world) == 1

    async def test_length_is_counted_after_trimming(self, factory: Factory) -> None:
        world = await factory.world()
        body = await create(factory, world, title=f"  {'x' * 300}  ")
        assert body["data"]["createTicket"]["ticket"]["title"] == "x" * 300

    @BAD_TITLES
    async def test_update_refuses_a_bad_title(self, factory: Factory, title: str) -> None:
        world = await factory.world()
        await assert_update_refused(factory, world, "title", title=title)

    async def test_update_accepts_300_characters(self, factory: Factory) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        body = await update(factory, world, ticket, title="y" * 300)
        assert body["data"]["updateTicket"]["ticket"]["title"] == "y" * 300

    @pytest.mark.parametrize("field", ["title", "status", "priority", "tags"])
    async def test_update_refuses_null_for_a_required_field(
        self, factory: Factory, field: str
    ) -> None:
        world = await factory.world()
        error = await assert_update_refused(factory, world, field, **{field: None})
        assert error["message"] == f"{field} cannot be null"

    async def test_a_refused_field_discards_the_valid_changes_sent_with_it(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        await assert_update_refused(
            factory, world, "title", title="", status="RESOLVED", priority="CRITICAL"
        )


class TestCommentBody:
    @pytest.mark.parametrize(
        "body",
        ["a" * 65_537, "é" * 32_769, "€" * 21_846, "😀" * 16_385],
        ids=["65537-ascii", "65538-bytes-of-2-byte", "65538-bytes-of-3-byte", "65540-bytes-emoji"],
    )
    async def test_over_64_kb_is_refused(self, factory: Factory, body: str) -> None:
        world = await factory.world()
        assert len(body) < 65_536 or body.isascii()
        error = await assert_comment_refused(factory, world, "body", body=body)
        assert "64 KB" in error["message"]

    @pytest.mark.parametrize(
        "body", ["a" * 65_536, "é" * 32_768, "😀" * 16_384], ids=["ascii", "2-byte", "emoji"]
    )
    async def test_exactly_64_kb_is_accepted(self, factory: Factory, body: str) -> None:
        world = await factory.world()
        assert len(body.encode()) == 65_536
        ticket = await factory.ticket(world.tenant, world.board)
        result = await comment(factory, world, ticket, body=body)
        assert result["data"]["addComment"]["comment"]["body"] == body
        assert [c["body"] for c in (await snapshot(factory, world, ticket))["comments"]] == [body]

    @pytest.mark.parametrize("body", ["", "  \n\t "], ids=["empty", "whitespace"])
    async def test_empty_body_is_refused(self, factory: Factory, body: str) -> None:
        world = await factory.world()
        error = await assert_comment_refused(factory, world, "body", body=body)
        assert error["message"] == "body must not be empty"


class TestTags:
    async def test_21_tags_are_refused_on_create(self, factory: Factory) -> None:
        world = await factory.world()
        error = await assert_create_refused(
            factory, world, "tags", tags=[f"t{i}" for i in range(21)]
        )
        assert "at most 20 tags" in error["message"]

    async def test_20_tags_are_accepted(self, factory: Factory) -> None:
        world = await factory.world()
        tags = [f"t{i}" for i in range(20)]
        body = await create(factory, world, tags=tags)
        assert body["data"]["createTicket"]["ticket"]["tags"] == tags

    async def test_duplicates_count_once(self, factory: Factory) -> None:
        world = await factory.world()
        tags = [f"t{i}" for i in range(20)]
        body = await create(factory, world, tags=[*tags, "t0", " t1 "])
        assert body["data"]["createTicket"]["ticket"]["tags"] == tags

    async def test_21_tags_are_refused_on_update(self, factory: Factory) -> None:
        world = await factory.world()
        await assert_update_refused(factory, world, "tags", tags=[f"t{i}" for i in range(21)])

    async def test_a_51_character_tag_is_refused(self, factory: Factory) -> None:
        world = await factory.world()
        error = await assert_create_refused(factory, world, "tags", tags=["ok", "x" * 51])
        assert "50 characters" in error["message"]
        await assert_update_refused(factory, world, "tags", tags=["x" * 51])

    async def test_a_50_character_tag_is_accepted(self, factory: Factory) -> None:
        world = await factory.world()
        body = await create(factory, world, tags=["x" * 50])
        assert body["data"]["createTicket"]["ticket"]["tags"] == ["x" * 50]


def metadata_of_size(size: int) -> dict[str, str]:
    """A JSON object whose compact encoding is exactly `size` bytes."""
    value = {"k": "x" * (size - len('{"k":""}'))}
    assert len(json.dumps(value, separators=(",", ":")).encode()) == size
    return value


class TestMetadata:
    async def test_over_16_kb_of_json_is_refused(self, factory: Factory) -> None:
        world = await factory.world()
        error = await assert_create_refused(
            factory, world, "metadata", metadata=metadata_of_size(16 * 1024 + 1)
        )
        assert "16 KB" in error["message"]

    async def test_16_kb_of_json_is_accepted(self, factory: Factory) -> None:
        world = await factory.world()
        metadata = metadata_of_size(16 * 1024)
        body = await create(factory, world, metadata=metadata)
        assert body["data"]["createTicket"]["ticket"]["metadata"] == metadata

    @pytest.mark.parametrize(
        "metadata", [[1, 2, 3], "a string", 42, True], ids=["list", "string", "number", "bool"]
    )
    async def test_anything_but_an_object_is_refused(self, factory: Factory, metadata: Any) -> None:
        world = await factory.world()
        error = await assert_create_refused(factory, world, "metadata", metadata=metadata)
        assert error["message"] == "metadata must be a JSON object"

    async def test_a_nested_object_is_kept_as_sent(self, factory: Factory) -> None:
        world = await factory.world()
        metadata = {"order": {"id": 7, "lines": [1, 2]}, "vip": True, "note": None}
        body = await create(factory, world, metadata=metadata)
        assert body["data"]["createTicket"]["ticket"]["metadata"] == metadata


INVALID_EMAILS = pytest.mark.parametrize("address", ["not-an-email", "a@b", "x@@example.com"])


class TestEmails:
    @INVALID_EMAILS
    async def test_invalid_requester_email_is_refused(self, factory: Factory, address: str) -> None:
        world = await factory.world()
        error = await assert_create_refused(
            factory, world, "requesterEmail", requesterEmail=address
        )
        assert error["message"] == "requesterEmail is not a valid email address"

    @INVALID_EMAILS
    async def test_invalid_contact_email_is_refused(self, factory: Factory, address: str) -> None:
        world = await factory.world()
        error = await assert_comment_refused(
            factory, world, "contactEmail", authorKind="CONTACT", contactEmail=address
        )
        assert error["message"] == "contactEmail is not a valid email address"

    async def test_requester_email_is_normalised(self, factory: Factory) -> None:
        world = await factory.world()
        body = await create(factory, world, requesterEmail="  Jane@Example.COM ")
        assert body["data"]["createTicket"]["ticket"]["requester"] == {"email": "jane@example.com"}

    async def test_contact_email_is_normalised(self, factory: Factory) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        body = await comment(
            factory, world, ticket, authorKind="CONTACT", contactEmail="Jane@Example.COM"
        )
        assert body["data"]["addComment"]["comment"]["authorEmail"] == "jane@example.com"


class TestCommentAuthor:
    async def test_a_contact_comment_cannot_be_internal(self, factory: Factory) -> None:
        world = await factory.world()
        await assert_comment_refused(
            factory, world, "isInternal", authorKind="CONTACT", isInternal=True
        )

    async def test_system_comments_cannot_be_written_through_the_api(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        await assert_comment_refused(factory, world, "authorKind", authorKind="SYSTEM")

    async def test_an_agent_may_write_an_internal_note(self, factory: Factory) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        body = await comment(factory, world, ticket, isInternal=True)
        assert body["data"]["addComment"]["comment"]["isInternal"] is True


MALFORMED_IDS = pytest.mark.parametrize("kind", ["tkt_nope", "garbage", "board-id", "empty"])


def malformed(kind: str, world: World) -> str:
    return {"board-id": gid("brd", world.board.id), "empty": ""}.get(kind, kind)


class TestMalformedIds:
    @MALFORMED_IDS
    async def test_ticket_query_reads_not_found(self, factory: Factory, kind: str) -> None:
        world = await factory.world()
        body = await factory.gql(SNAPSHOT, {"id": malformed(kind, world)}, token=world.token)
        assert body["data"] == {"ticket": None}
        assert error_codes(body) == ["NOT_FOUND"]

    @MALFORMED_IDS
    async def test_update_reads_not_found(self, factory: Factory, kind: str) -> None:
        world = await factory.world()
        body = await factory.gql(
            UPDATE, {"input": {"id": malformed(kind, world), "title": "x"}}, token=world.token
        )
        refused(body, "NOT_FOUND")

    @MALFORMED_IDS
    async def test_comment_reads_not_found(self, factory: Factory, kind: str) -> None:
        world = await factory.world()
        body = await factory.gql(
            COMMENT, {"input": {"ticketId": malformed(kind, world), "body": "x"}}, token=world.token
        )
        refused(body, "NOT_FOUND")

    @MALFORMED_IDS
    async def test_delete_reads_not_found(self, factory: Factory, kind: str) -> None:
        world = await factory.world()
        body = await factory.gql(
            DELETE, {"input": {"id": malformed(kind, world)}}, token=world.token
        )
        refused(body, "NOT_FOUND")

    @pytest.mark.parametrize("board_id", ["brd_nope", "garbage", "tkt_" + "0" * 32])
    async def test_create_on_a_malformed_board_id_reads_not_found(
        self, factory: Factory, board_id: str
    ) -> None:
        world = await factory.world()
        body = await factory.gql(
            CREATE, {"input": {"boardId": board_id, "title": "x"}}, token=world.token
        )
        refused(body, "NOT_FOUND")
        assert await ticket_count(factory, world) == 0

    async def test_filtering_by_a_malformed_assignee_reads_not_found(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        body = await factory.gql(
            """query { tickets(assigneeId: "usr_nope") { totalCount } }""", token=world.token
        )
        assert error_codes(body) == ["NOT_FOUND"]

    @pytest.mark.parametrize("node_id", ["tkt_nope", "garbage", ""])
    async def test_node_with_a_malformed_id_is_null(self, factory: Factory, node_id: str) -> None:
        world = await factory.world()
        body = await factory.gql(
            "query($id: ID!) { node(id: $id) { id } }", {"id": node_id}, token=world.token
        )
        assert body == {"data": {"node": None}}


class TestUniqueness:
    async def test_duplicate_user_email_is_a_conflict(self, factory: Factory) -> None:
        world = await factory.world()
        draft = {"email": "dup@example.com", "name": "Dup", "role": "AGENT"}
        first = await factory.gql(CREATE_USER, {"input": draft}, token=world.token)
        assert first["data"]["createUser"]["user"]["email"] == "dup@example.com"
        again = {**draft, "email": "DUP@Example.com", "name": "Other"}
        refused(await factory.gql(CREATE_USER, {"input": again}, token=world.token), "CONFLICT")
        users = await factory.gql("{ users { email } }", token=world.token)
        emails = [user["email"] for user in users["data"]["users"]]
        assert emails.count("dup@example.com") == 1 and len(emails) == 2

    async def test_the_same_email_is_free_in_another_tenant(self, factory: Factory) -> None:
        world, other = await factory.world(), await factory.world()
        draft = {"email": "shared@example.com", "name": "Shared", "role": "AGENT"}
        for target in (world, other):
            body = await factory.gql(CREATE_USER, {"input": draft}, token=target.token)
            assert "errors" not in body, body

    async def test_duplicate_board_name_is_a_conflict(self, factory: Factory) -> None:
        world = await factory.world()
        draft = {"name": "Support"}
        first = await factory.gql(CREATE_BOARD, {"input": draft}, token=world.token)
        assert first["data"]["createBoard"]["board"]["name"] == "Support"
        again = {"name": "  Support  ", "description": "copy"}
        refused(await factory.gql(CREATE_BOARD, {"input": again}, token=world.token), "CONFLICT")
        boards = await factory.gql("{ boards { name } }", token=world.token)
        assert sorted(board["name"] for board in boards["data"]["boards"]) == sorted(
            [world.board.name, "Support"]
        )

    @pytest.mark.parametrize("password", ["short", "123456789", " " * 9])
    async def test_a_password_under_10_characters_is_refused(
        self, factory: Factory, password: str
    ) -> None:
        world = await factory.world()
        draft = {"email": "p@example.com", "name": "P", "role": "AGENT", "password": password}
        body = await factory.gql(CREATE_USER, {"input": draft}, token=world.token)
        refused(body, "VALIDATION_ERROR", "password")
        users = await factory.gql("{ users { email } }", token=world.token)
        assert [user["email"] for user in users["data"]["users"]] == [world.admin.email]

    async def test_a_password_of_10_characters_is_accepted(self, factory: Factory) -> None:
        world = await factory.world()
        draft = {"email": "p@example.com", "name": "P", "role": "AGENT", "password": "0123456789"}
        body = await factory.gql(CREATE_USER, {"input": draft}, token=world.token)
        assert body["data"]["createUser"]["user"]["email"] == "p@example.com"


class TestVariableTypes:
    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("ten", "Int cannot represent non-integer value: 'ten'"),
            (2.5, "Int cannot represent non-integer value: 2.5"),
            (2**31, "Int cannot represent non 32-bit signed integer value: 2147483648"),
            (True, "Int cannot represent non-integer value: True"),
        ],
        ids=["text", "float", "beyond-32-bits", "boolean"],
    )
    async def test_a_wrong_typed_variable_is_a_coded_error_not_a_500(
        self, factory: Factory, value: Any, message: str
    ) -> None:
        world = await factory.world()
        response = await factory.client.post(
            "/graphql",
            json={
                "query": "query($first: Int) { tickets(first: $first) { totalCount } }",
                "variables": {"first": value},
            },
            headers={"Authorization": f"Bearer {world.token}"},
        )
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert [(error["message"], error["extensions"]) for error in body["errors"]] == [
            (
                f"Variable '$first' got invalid value {value!r}; {message}",
                {"code": "BAD_USER_INPUT"},
            )
        ]

    async def test_a_wrong_typed_literal_is_a_coded_error(self, factory: Factory) -> None:
        world = await factory.world()
        body = await factory.gql('{ tickets(first: "ten") { totalCount } }', token=world.token)
        assert body["data"] is None
        assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]

    @pytest.mark.parametrize(
        "fields",
        [{"status": "DONE"}, {"priority": "high"}, {"id": None}, {"bogus": 1}, {"tags": [7]}],
        ids=["unknown-enum", "lowercase-enum", "null-id", "unknown-field", "numbers-for-tags"],
    )
    async def test_a_malformed_input_object_is_a_coded_error(
        self, factory: Factory, fields: dict[str, Any]
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        before = await snapshot(factory, world, ticket)
        body = await update(factory, world, ticket, **fields)
        assert body["data"] is None
        assert error_codes(body) == ["BAD_USER_INPUT"], body
        assert await snapshot(factory, world, ticket) == before
