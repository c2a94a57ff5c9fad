"""Operation limits, GET refusal, production hardening and masking of unexpected errors."""

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql.language import Lexer, Source, TokenKind

from app.kit.settings import Settings
from app.services import Services
from app.tickets.repository import TicketRepository
from app.web.app import create_app
from tests.factories import Factory, World, error_codes, gid

INTROSPECTION = "{ __schema { types { name } } }"
MISSPELT = "{ boardz { id } }"


def ticket_chain(levels: int) -> str:
    """`ticket { comments { ticket { ... { id } } } }` with exactly `levels` nested fields."""
    names = ["ticket(id: $id)"] + ["comments" if i % 2 else "ticket" for i in range(1, levels - 1)]
    opening = " { ".join(names)
    return f"query($id: ID!) {{ {opening} {{ id{' }' * (levels - 1)} }}"


def refused_before_execution(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert body.get("data") is None, body
    assert body["errors"], body
    return list(body["errors"])


async def world_with_comment(factory: Factory) -> tuple[World, str]:
    world = await factory.world()
    ticket = await factory.ticket(world.tenant, world.board)
    await factory.comment(world.tenant, ticket)
    return world, gid("tkt", ticket.id)


class TestDepthLimit:
    async def test_an_operation_deeper_than_the_limit_is_refused(
        self, factory: Factory, settings: Settings
    ) -> None:
        world, ticket_id = await world_with_comment(factory)
        # Strawberry counts the root field as depth 0, so the limit allows max_depth + 1 levels.
        query = ticket_chain(settings.graphql_max_depth + 2)
        body = await factory.gql(query, {"id": ticket_id}, token=world.token)
        [error] = refused_before_execution(body)
        assert (
            f"exceeds maximum operation depth of {settings.graphql_max_depth}" in error["message"]
        )
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

    async def test_an_operation_at_the_limit_runs(
        self, factory: Factory, settings: Settings
    ) -> None:
        world, ticket_id = await world_with_comment(factory)
        body = await factory.gql(
            ticket_chain(settings.graphql_max_depth + 1), {"id": ticket_id}, token=world.token
        )
        assert "errors" not in body, body
        assert body["data"]["ticket"]["comments"][0]["ticket"]["comments"]

    async def test_depth_hidden_in_fragments_is_counted(
        self, factory: Factory, settings: Settings
    ) -> None:
        world, ticket_id = await world_with_comment(factory)
        query = """
        query($id: ID!) { ticket(id: $id) { ...A } }
        fragment A on Ticket { comments { ticket { ...B } } }
        fragment B on Ticket { comments { ticket { ...C } } }
        fragment C on Ticket { comments { ticket { ...D } } }
        fragment D on Ticket { comments { ticket { ...E } } }
        fragment E on Ticket { comments { ticket { comments { id } } } }
        """
        body = await factory.gql(query, {"id": ticket_id}, token=world.token)
        [error] = refused_before_execution(body)
        assert "exceeds maximum operation depth" in error["message"]

    async def test_a_normal_board_query_at_depth_7_passes(self, factory: Factory) -> None:
        world, _ = await world_with_comment(factory)
        # Strawberry counts the root field as depth 0: `name` sits at depth 7.
        query = """
        query($id: ID!) {
          board(id: $id) {
            tickets(first: 10) {
              edges { node { comments { ticket { assignee { name } } } } }
            }
          }
        }"""
        body = await factory.gql(query, {"id": gid("brd", world.board.id)}, token=world.token)
        assert "errors" not in body, body
        [edge] = body["data"]["board"]["tickets"]["edges"]
        assert edge["node"]["comments"] == [{"ticket": {"assignee": None}}]


def aliased(count: int, field: str = "__typename") -> str:
    return " ".join(f"a{i}: {field}" for i in range(count))


class TestAliasLimit:
    async def test_more_aliases_than_the_limit_are_refused(
        self, factory: Factory, settings: Settings
    ) -> None:
        body = await factory.gql(f"{{ {aliased(settings.graphql_max_aliases + 1)} }}")
        [error] = refused_before_execution(body)
        limit = settings.graphql_max_aliases
        assert error["message"] == f"{limit + 1} aliases found. Allowed: {limit}"
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

    async def test_aliases_up_to_the_limit_run(self, factory: Factory, settings: Settings) -> None:
        body = await factory.gql(f"{{ {aliased(settings.graphql_max_aliases)} }}")
        assert body == {"data": {f"a{i}": "Query" for i in range(settings.graphql_max_aliases)}}

    async def test_aliases_are_counted_after_fragment_expansion(
        self, factory: Factory, settings: Settings
    ) -> None:
        per_fragment = 8
        spreads = settings.graphql_max_aliases // per_fragment + 1
        assert per_fragment < settings.graphql_max_aliases < per_fragment * spreads
        query = f"""
        query {{ {" ".join(["...F"] * spreads)} }}
        fragment F on Query {{ {aliased(per_fragment)} }}
        """
        [error] = refused_before_execution(await factory.gql(query))
        assert error["message"].startswith(f"{per_fragment * spreads} aliases found")

    async def test_aliases_in_nested_fragments_are_counted(
        self, factory: Factory, settings: Settings
    ) -> None:
        world = await factory.world()
        # G holds one alias and spreads F (7 aliases) twice; spread 4 times that is 60 aliases,
        # though only 8 are written in the document.
        query = f"""
        query {{ viewer {{ ...G ...G ...G ...G }} }}
        fragment G on Viewer {{ tenant {{ ...F }} again: tenant {{ ...F }} }}
        fragment F on Tenant {{ {aliased(7, "name")} }}
        """
        [error] = refused_before_execution(await factory.gql(query, token=world.token))
        assert error["message"].startswith("60 aliases found")


def token_count(document: str) -> int:
    lexer = Lexer(Source(document))
    count = 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def create_with_tokens(world: World, tokens: int) -> str:
    """A createTicket mutation of exactly `tokens` tokens, padded with a metadata list."""

    def document(padding: int) -> str:
        return f"""mutation {{
          createTicket(input: {{boardId: "{gid("brd", world.board.id)}", title: "Tokens",
                               metadata: {{pad: [{" 0" * padding}]}}}}) {{ ticket {{ metadata }} }}
        }}"""

    padding = tokens - token_count(document(0))
    assert padding > 0 and token_count(document(padding)) == tokens
    return document(padding)


class TestTokenLimit:
    async def test_more_tokens_than_the_limit_are_refused(
        self, factory: Factory, settings: Settings
    ) -> None:
        world = await factory.world()
        limit = settings.graphql_max_tokens
        body = await factory.gql(create_with_tokens(world, limit + 1), token=world.token)
        [error] = refused_before_execution(body)
        assert error["message"] == (
            f"Syntax Error: Document contains more than {limit} tokens. Parsing aborted."
        )
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        count = await factory.gql("{ tickets { totalCount } }", token=world.token)
        assert count["data"]["tickets"]["totalCount"] == 0

    async def test_a_document_of_exactly_the_limit_runs(
        self, factory: Factory, settings: Settings
    ) -> None:
        world = await factory.world()
        body = await factory.gql(
            create_with_tokens(world, settings.graphql_max_tokens), token=world.token
        )
        assert "errors" not in body, body
        metadata = body["data"]["createTicket"]["ticket"]["metadata"]
        assert metadata["pad"] and set(metadata["pad"]) == {0}

    async def test_a_syntax_error_is_coded(self, factory: Factory) -> None:
        [error] = refused_before_execution(await factory.gql("{ tickets { "))
        assert error["message"] == "Syntax Error: Expected Name, found <EOF>."
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


class TestGetRequests:
    @pytest.mark.parametrize("query", ["{__typename}", "query { __typename }"])
    async def test_a_query_over_get_is_not_executed(self, factory: Factory, query: str) -> None:
        response = await factory.client.get(
            "/graphql", params={"query": query}, headers={"Accept": "application/json"}
        )
        assert 400 <= response.status_code < 500
        assert "Query" not in response.text

    async def test_a_mutation_over_get_is_not_executed(self, factory: Factory) -> None:
        world = await factory.world()
        mutation = 'mutation { createBoard(input: {name: "Via GET"}) { board { id } } }'
        response = await factory.client.get(
            "/graphql",
            params={"query": mutation},
            headers={"Accept": "application/json", "Authorization": f"Bearer {world.token}"},
        )
        assert 400 <= response.status_code < 500
        boards = await factory.gql("{ boards { name } }", token=world.token)
        assert [board["name"] for board in boards["data"]["boards"]] == [world.board.name]


@pytest.fixture(scope="module")
async def production(services: Services, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(env="production", home=settings.home), services)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        yield client


async def post(client: httpx.AsyncClient, query: str, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code in (200, 400), response.text
    return dict(response.json())


class TestProductionHardening:
    async def test_introspection_is_refused(self, production: httpx.AsyncClient) -> None:
        errors = refused_before_execution(await post(production, INTROSPECTION))
        assert errors[0]["message"] == (
            "GraphQL introspection has been disabled, "
            "but the requested query contained the field '__schema'."
        )
        assert {error["extensions"]["code"] for error in errors} == {"GRAPHQL_VALIDATION_FAILED"}

    async def test_type_introspection_is_refused(self, production: httpx.AsyncClient) -> None:
        body = await post(production, '{ __type(name: "Ticket") { fields { name } } }')
        refused_before_execution(body)
        assert "fields" not in str(body.get("data"))

    async def test_a_misspelt_field_gets_no_suggestion(self, production: httpx.AsyncClient) -> None:
        [error] = refused_before_execution(await post(production, MISSPELT))
        assert error["message"] == "Cannot query field 'boardz' on type 'Query'."
        assert "Did you mean" not in error["message"]

    async def test_a_misspelt_argument_gets_no_suggestion(
        self, production: httpx.AsyncClient
    ) -> None:
        body = await post(production, '{ ticket(idd: "x") { id } }')
        messages = " ".join(error["message"] for error in refused_before_execution(body))
        assert "idd" in messages and "Did you mean" not in messages

    async def test_production_serves_no_graphiql(self, production: httpx.AsyncClient) -> None:
        response = await production.get("/graphql", headers={"Accept": "text/html"})
        assert response.status_code == 404
        assert "graphiql" not in response.text.lower()

    async def test_production_still_runs_normal_operations(
        self, factory: Factory, production: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        body = await post(production, "{ boards { name } }", token=world.token)
        assert body == {"data": {"boards": [{"name": world.board.name}]}}


class TestDevelopmentHelpfulness:
    async def test_introspection_is_allowed(self, factory: Factory) -> None:
        body = await factory.gql(INTROSPECTION)
        assert "errors" not in body, body
        assert "Ticket" in {t["name"] for t in body["data"]["__schema"]["types"]}

    async def test_a_misspelt_field_gets_a_suggestion(self, factory: Factory) -> None:
        [error] = refused_before_execution(await factory.gql(MISSPELT))
        assert "Did you mean 'board' or 'boards'?" in error["message"]

    async def test_graphiql_is_served(self, factory: Factory) -> None:
        response = await factory.client.get("/graphql", headers={"Accept": "text/html"})
        assert response.status_code == 200 and "graphiql" in response.text.lower()


SECRET = "secret internals"


def explode(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(f"{SECRET}: password=hunter2 at db.internal:5432")


class TestUnexpectedErrors:
    async def test_a_failing_resolver_is_masked(
        self,
        factory: Factory,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        world = await factory.world()
        monkeypatch.setattr(TicketRepository, "page", explode)
        with caplog.at_level(logging.ERROR, logger="haven.graphql"):
            response = await factory.client.post(
                "/graphql",
                json={"query": "{ tickets { totalCount edges { node { id } } } }"},
                headers={"Authorization": f"Bearer {world.token}"},
            )
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert body["errors"] == [
            {
                "message": "Unexpected error.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["tickets"],
                "extensions": {"code": "INTERNAL_ERROR"},
            }
        ]
        assert SECRET not in response.text and "hunter2" not in response.text
        # Operators still get the details in the log.
        assert any(
            SECRET in str(record.exc_info[1]) for record in caplog.records if record.exc_info
        )

    async def test_a_failing_nested_field_is_masked_and_the_rest_is_returned(
        self, factory: Factory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        monkeypatch.setattr(TicketRepository, "timelines", explode)
        response = await factory.client.post(
            "/graphql",
            json={
                "query": """query($id: ID!) {
                              viewer { role } ticket(id: $id) { title timeline { kind } } }""",
                "variables": {"id": gid("tkt", ticket.id)},
            },
            headers={"Authorization": f"Bearer {world.token}"},
        )
        assert response.status_code == 200
        body = response.json()
        assert body["data"] == {"viewer": {"role": "ADMIN"}, "ticket": None}
        assert [(e["message"], e["path"]) for e in body["errors"]] == [
            ("Unexpected error.", ["ticket", "timeline"])
        ]
        assert error_codes(body) == ["INTERNAL_ERROR"]
        assert SECRET not in response.text

    async def test_a_failing_mutation_is_masked_and_rolled_back(
        self, factory: Factory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board)
        monkeypatch.setattr("app.tickets.service._record_diff", explode)
        response = await factory.client.post(
            "/graphql",
            json={
                "query": """mutation($input: UpdateTicketInput!) {
                              updateTicket(input: $input) { ticket { title } } }""",
                "variables": {"input": {"id": gid("tkt", ticket.id), "title": "Changed"}},
            },
            headers={"Authorization": f"Bearer {world.token}"},
        )
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None and error_codes(body) == ["INTERNAL_ERROR"]
        assert body["errors"][0]["message"] == "Unexpected error."
        assert SECRET not in response.text
        monkeypatch.undo()
        read = await factory.gql(
            "query($id: ID!) { ticket(id: $id) { title } }",
            {"id": gid("tkt", ticket.id)},
            token=world.token,
        )
        assert read["data"]["ticket"]["title"] == "Printer jam"

    async def test_expected_errors_keep_their_message(self, factory: Factory) -> None:
        body = await factory.gql("{ tickets { totalCount } }")
        assert error_codes(body) == ["UNAUTHENTICATED"]
        assert body["errors"][0]["message"] == "Sign in or send an API key"
