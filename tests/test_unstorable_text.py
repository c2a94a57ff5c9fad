"""Text PostgreSQL cannot hold (NUL, unpaired surrogates) is the caller's mistake, answered
with VALIDATION_ERROR wherever it enters, and nothing is written."""

import json
from typing import Any

import httpx
import pytest

from tests.factories import Factory, World, error_codes

CREATE_TICKET = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id } }
}"""
SEARCH = "query($q: String) { tickets(search: $q) { totalCount } }"


async def gql(
    client: httpx.AsyncClient, world: World, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    # json.dumps escapes a lone surrogate as \ud800, as a browser's JSON.stringify does.
    content = json.dumps({"query": query, "variables": variables})
    headers = {"Authorization": f"Bearer {world.token}", "Content-Type": "application/json"}
    response = await client.post("/graphql", content=content, headers=headers)
    return dict(response.json())


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"], ids=["NUL", "surrogate"])
async def test_graphql_input_with_unstorable_text_is_refused(
    client: httpx.AsyncClient, factory: Factory, bad: str
) -> None:
    world = await factory.world()
    board = f"brd_{world.board.id}"
    for field, value in (
        ("title", bad), ("description", bad), ("category", bad), ("tags", [bad]),
    ):  # fmt: skip
        fields = {"boardId": board, "title": "Fine", field: value}
        body = await gql(client, world, CREATE_TICKET, {"input": fields})
        assert error_codes(body) == ["VALIDATION_ERROR"], body
    listed = await factory.gql("query { tickets { totalCount } }", token=world.token)
    assert listed["data"]["tickets"]["totalCount"] == 0


async def test_a_search_with_nul_reaching_the_database_is_a_validation_error(
    factory: Factory,
) -> None:
    world = await factory.world()
    body = await factory.gql(SEARCH, {"q": "printer\x00"}, token=world.token)
    assert error_codes(body) == ["VALIDATION_ERROR"], body
    assert "NUL" in body["errors"][0]["message"]
