"""Cross-tenant probes: tenant B's admin aims every root field of the schema at tenant A's ids.

Each probe is run twice:

* as the intruder (B's admin, by token and by API key): the answer must be null or NOT_FOUND
  (or, for fields that only touch the caller's own tenant, B's data alone), must never contain
  anything of A's, and A's data must read back unchanged with A's credentials afterwards;
* as the owner (A's admin): the same document must find A's object, so a probe can never pass
  only because its document is broken.

Every Query and Mutation root field must have a probe, or be listed in EXEMPT with a reason.
Domains with data of their own (connectors, widget tokens, intake forms) keep their probes in
`tests/test_isolation_<domain>.py`, which declare the root fields they probe in `COVERS`.
"""

import importlib
import json
import pkgutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from app.auth.models import Role, User
from app.boards.models import Board
from app.comments.models import Comment
from app.graphql.schema import schema
from app.tickets.models import Ticket
from tests.factories import Factory, World, error_codes, gid

CREDENTIALS = ("token", "api_key")

# Root fields that take no ids of any kind, so there is nothing of another tenant's to aim at.
EXEMPT = {
    "Mutation.login": "takes no ids: email, password and tenant slug, checked before any token",
    "Mutation.refreshToken": "takes no ids: the refresh token itself names the sign-in session",
}


@dataclass
class Side:
    """One tenant's data: two boards, two users, tickets with comments, two API keys."""

    world: World
    agent: User
    second_board: Board
    ticket: Ticket
    spare: Ticket
    comment: Comment
    note: Comment
    admin_key: str
    agent_key: str
    word: str

    @property
    def tenant_gid(self) -> str:
        return gid("ten", self.world.tenant.id)

    def markers(self) -> list[str]:
        """Strings that must never appear in an answer given to another tenant."""
        ids = [
            self.world.tenant.id,
            self.world.admin.id,
            self.agent.id,
            self.world.board.id,
            self.second_board.id,
            self.ticket.id,
            self.spare.id,
            self.comment.id,
            self.note.id,
        ]
        keys = [key.partition("_")[2] for key in (self.admin_key, self.agent_key)]
        return [str(value) for value in ids] + keys + [self.word, self.world.tenant.slug]


async def build_side(factory: Factory) -> Side:
    world = await factory.world()
    agent = await factory.user(world.tenant, Role.AGENT)
    second_board = await factory.board(world.tenant)
    word = f"zq{uuid.uuid4().hex[:12]}"
    ticket = await factory.ticket(
        world.tenant,
        world.board,
        title=f"Printer {word} jammed",
        description=f"Tray two is stuck, see {word}",
        category=f"hardware-{word}",
        tags=[word],
        assignee_id=agent.id,
        requester_email=f"{word}@example.com",
        metadata={"marker": word},
    )
    spare = await factory.ticket(world.tenant, second_board, title="Spare ticket")
    comment = await factory.comment(world.tenant, ticket, body=f"Reply about {word}")
    note = await factory.comment(world.tenant, ticket, body=f"Note about {word}", is_internal=True)
    await factory.api_key(world.tenant, Role.AGENT)
    body = await factory.gql("query { apiKeys { id role } }", token=world.token)
    keys = {key["role"]: key["id"] for key in body["data"]["apiKeys"]}
    return Side(
        world, agent, second_board, ticket, spare, comment, note, keys["ADMIN"], keys["AGENT"], word
    )


@pytest.fixture
async def sides(factory: Factory) -> tuple[Side, Side]:
    """(A, B): the victim and the intruder, built alike so either can play either part."""
    return await build_side(factory), await build_side(factory)


async def call(
    factory: Factory, document: str, variables: dict[str, Any], caller: Side, credential: str
) -> dict[str, Any]:
    if credential == "token":
        return await factory.gql(document, variables, token=caller.world.token)
    return await factory.gql(document, variables, api_key=caller.world.api_key)


# --- Probe table ---------------------------------------------------------------------------


class Intruder(Enum):
    """What the intruder must get back."""

    NULL = "null, no error"
    NOT_FOUND = "NOT_FOUND, no data"
    OWN = "success, scoped to the caller's own tenant"


class Owner(Enum):
    """What the owner gets back from the same document (the control)."""

    FOUND = "success, the target in the answer"
    CONFLICT = "CONFLICT: the name is taken in the owner's own tenant"


Variables = Callable[[Side, Side, str], dict[str, Any]]  # (victim, caller, credential)
Target = Callable[[Side], str]


@dataclass(frozen=True)
class Probe:
    field: str  # the root field covered, "Query.node" or "Mutation.updateTicket"
    label: str
    document: str
    variables: Variables
    intruder: Intruder
    owner: Owner = Owner.FOUND
    # What the owner must find; the intruder must not see it (nor any other marker of A's).
    target: Target | None = None
    notes: str = ""

    @property
    def root(self) -> str:
        return self.field.partition(".")[2]

    def __str__(self) -> str:
        return self.label


NODE = """query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Ticket { title description comments { body } }
    ... on Board { name }
    ... on Comment { body }
    ... on User { email name }
    ... on ApiKey { name prefix }
  }
}"""
TICKET = """query($id: ID!) {
  ticket(id: $id) { id title description comments { id body } assignee { id } board { id } }
}"""
BOARD = """query($id: ID!) {
  board(id: $id) { id name tickets(first: 100) { totalCount edges { node { id title } } } }
}"""
TICKETS = """query($boardId: ID, $assigneeId: ID, $search: String) {
  tickets(boardId: $boardId, assigneeId: $assigneeId, search: $search, first: 100) {
    totalCount edges { node { id title comments { id } } }
  }
}"""
BOARDS = """query($assigneeId: ID) {
  boards {
    id name
    tickets(assigneeId: $assigneeId, first: 100) { totalCount edges { node { id title } } }
  }
}"""
USERS = "query { users { id email name } }"
API_KEYS = "query { apiKeys { id name prefix } }"
VIEWER = "query { viewer { tenant { id slug name } role user { id } apiKey { id revokedAt } } }"
UPDATE_TICKET = """mutation($input: UpdateTicketInput!) {
  updateTicket(input: $input) { ticket { id title status assignee { id } } }
}"""
DELETE_TICKET = """mutation($input: DeleteTicketInput!) {
  deleteTicket(input: $input) { deletedTicketId }
}"""
ADD_COMMENT = """mutation($input: AddCommentInput!) {
  addComment(input: $input) { comment { id body } ticket { id status } }
}"""
CREATE_TICKET = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id title board { id } assignee { id } } }
}"""
REVOKE_API_KEY = """mutation($input: RevokeApiKeyInput!) {
  revokeApiKey(input: $input) { apiKey { id revokedAt } }
}"""
DEACTIVATE_USER = """mutation($input: SetUserActiveInput!) {
  deactivateUser(input: $input) { user { id isActive } }
}"""
REACTIVATE_USER = """mutation($input: SetUserActiveInput!) {
  reactivateUser(input: $input) { user { id isActive } }
}"""
SET_USER_ROLE = """mutation($input: SetUserRoleInput!) {
  setUserRole(input: $input) { user { id role } }
}"""
CREATE_BOARD = """mutation($input: CreateBoardInput!) {
  createBoard(input: $input) { board { id name } }
}"""
CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id email } }
}"""
CREATE_API_KEY = """mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { apiKey { id name } secret }
}"""


def node_probe(type_name: str, target: Target) -> Probe:
    return Probe(
        "Query.node", f"node({type_name})", NODE, lambda v, c, _: {"id": target(v)}, Intruder.NULL,
        target=target,
    )  # fmt: skip


def ticket_gid(side: Side) -> str:
    return gid("tkt", side.ticket.id)


def board_gid(side: Side) -> str:
    return gid("brd", side.world.board.id)


def agent_gid(side: Side) -> str:
    return gid("usr", side.agent.id)


PROBES: list[Probe] = [
    # Reads by id.
    node_probe("Ticket", ticket_gid),
    node_probe("Board", board_gid),
    node_probe("Comment", lambda s: gid("cmt", s.comment.id)),
    node_probe("Comment, internal note", lambda s: gid("cmt", s.note.id)),
    node_probe("User", agent_gid),
    node_probe("User, admin", lambda s: gid("usr", s.world.admin.id)),
    node_probe("ApiKey", lambda s: s.admin_key),
    Probe(
        "Query.ticket", "ticket", TICKET, lambda v, c, _: {"id": ticket_gid(v)}, Intruder.NULL,
        target=ticket_gid,
    ),
    Probe(
        "Query.board", "board", BOARD, lambda v, c, _: {"id": board_gid(v)}, Intruder.NULL,
        target=board_gid,
    ),
    # Ticket lists filtered by the victim's ids or words.
    Probe(
        "Query.tickets", "tickets(boardId)", TICKETS, lambda v, c, _: {"boardId": board_gid(v)},
        Intruder.NOT_FOUND, target=ticket_gid,
    ),
    Probe(
        "Query.tickets", "tickets(assigneeId)", TICKETS,
        lambda v, c, _: {"assigneeId": agent_gid(v)}, Intruder.OWN, target=ticket_gid,
    ),
    Probe(
        "Query.tickets", "tickets(search: word)", TICKETS, lambda v, c, _: {"search": v.word},
        Intruder.OWN, target=ticket_gid,
    ),
    Probe(
        "Query.tickets", "tickets(search: #number)", TICKETS,
        lambda v, c, _: {"search": f"#{v.ticket.number}"}, Intruder.OWN, target=ticket_gid,
        notes="the caller has a ticket with the same number; only that one may come back",
    ),
    # Lists of the caller's tenant.
    Probe("Query.tickets", "tickets", TICKETS, lambda v, c, _: {}, Intruder.OWN, target=ticket_gid),
    Probe("Query.boards", "boards", BOARDS, lambda v, c, _: {}, Intruder.OWN, target=board_gid),
    Probe(
        "Query.boards", "boards.tickets(assigneeId)", BOARDS,
        lambda v, c, _: {"assigneeId": agent_gid(v)}, Intruder.OWN, target=ticket_gid,
    ),
    Probe("Query.users", "users", USERS, lambda v, c, _: {}, Intruder.OWN, target=agent_gid),
    Probe(
        "Query.apiKeys", "apiKeys", API_KEYS, lambda v, c, _: {}, Intruder.OWN,
        target=lambda s: s.admin_key,
    ),
    Probe(
        "Query.viewer", "viewer", VIEWER, lambda v, c, _: {}, Intruder.OWN,
        target=lambda s: s.tenant_gid,
    ),
    # Writes aimed at the victim's objects.
    Probe(
        "Mutation.updateTicket", "updateTicket", UPDATE_TICKET,
        lambda v, c, _: {
            "input": {
                "id": ticket_gid(v), "title": "Taken over", "status": "RESOLVED",
                "priority": "LOW", "category": "x", "tags": [], "assigneeId": None,
            }
        },
        Intruder.NOT_FOUND, target=ticket_gid,
    ),
    Probe(
        "Mutation.updateTicket", "updateTicket(assigneeId: victim's user)", UPDATE_TICKET,
        lambda v, c, _: {"input": {"id": gid("tkt", c.spare.id), "assigneeId": agent_gid(v)}},
        Intruder.NOT_FOUND, target=agent_gid,
    ),
    Probe(
        "Mutation.deleteTicket", "deleteTicket", DELETE_TICKET,
        lambda v, c, _: {"input": {"id": ticket_gid(v)}}, Intruder.NOT_FOUND, target=ticket_gid,
    ),
    Probe(
        "Mutation.addComment", "addComment", ADD_COMMENT,
        lambda v, c, _: {"input": {"ticketId": ticket_gid(v), "body": "Injected"}},
        Intruder.NOT_FOUND, target=ticket_gid,
    ),
    Probe(
        "Mutation.addComment", "addComment(internal)", ADD_COMMENT,
        lambda v, c, _: {
            "input": {"ticketId": ticket_gid(v), "body": "Injected", "isInternal": True}
        },
        Intruder.NOT_FOUND, target=ticket_gid,
    ),
    Probe(
        "Mutation.createTicket", "createTicket(boardId: victim's board)", CREATE_TICKET,
        lambda v, c, _: {"input": {"boardId": board_gid(v), "title": "Planted"}},
        Intruder.NOT_FOUND, target=board_gid,
    ),
    Probe(
        "Mutation.createTicket", "createTicket(assigneeId: victim's user)", CREATE_TICKET,
        lambda v, c, _: {
            "input": {"boardId": board_gid(c), "title": "Planted", "assigneeId": agent_gid(v)}
        },
        Intruder.NOT_FOUND, target=agent_gid,
    ),
    Probe(
        "Mutation.revokeApiKey", "revokeApiKey", REVOKE_API_KEY,
        lambda v, c, _: {"input": {"id": v.admin_key}}, Intruder.NOT_FOUND,
        target=lambda s: s.admin_key,
    ),
    Probe(
        "Mutation.deactivateUser", "deactivateUser", DEACTIVATE_USER,
        lambda v, c, _: {"input": {"id": agent_gid(v)}}, Intruder.NOT_FOUND, target=agent_gid,
    ),
    Probe(
        "Mutation.reactivateUser", "reactivateUser", REACTIVATE_USER,
        lambda v, c, _: {"input": {"id": agent_gid(v)}}, Intruder.NOT_FOUND, target=agent_gid,
    ),
    Probe(
        "Mutation.setUserRole", "setUserRole", SET_USER_ROLE,
        lambda v, c, _: {"input": {"id": agent_gid(v), "role": "ADMIN"}}, Intruder.NOT_FOUND,
        target=agent_gid,
    ),
    # Writes that only ever touch the caller's tenant: a name taken in the victim's tenant must
    # be free in the caller's (a CONFLICT would reveal it), and nothing may land in the victim's.
    Probe(
        "Mutation.createBoard", "createBoard(name: victim's board name)", CREATE_BOARD,
        lambda v, c, cred: {
            "input": {"name": (v.world.board if cred == "token" else v.second_board).name}
        },
        Intruder.OWN, owner=Owner.CONFLICT,
    ),
    Probe(
        "Mutation.createUser", "createUser(email: victim's user email)", CREATE_USER,
        lambda v, c, cred: {
            "input": {
                "email": (v.world.admin if cred == "token" else v.agent).email,
                "name": "Double", "role": "ADMIN",
            }
        },
        Intruder.OWN, owner=Owner.CONFLICT,
    ),
    Probe(
        "Mutation.createApiKey", "createApiKey", CREATE_API_KEY,
        lambda v, c, _: {"input": {"name": "Probe key", "role": "ADMIN"}}, Intruder.OWN,
    ),
]  # fmt: skip


# --- Checks --------------------------------------------------------------------------------


def leaks(body: dict[str, Any], victim: Side) -> list[str]:
    text = json.dumps(body)
    return [marker for marker in victim.markers() if marker in text]


def check_intruder(probe: Probe, body: dict[str, Any], victim: Side) -> None:
    codes, data = error_codes(body), body.get("data") or {}
    if probe.intruder is Intruder.NULL:
        assert codes == [] and probe.root in data and data[probe.root] is None, body
    elif probe.intruder is Intruder.NOT_FOUND:
        assert codes == ["NOT_FOUND"] and data.get(probe.root) is None, body
    else:
        assert codes == [] and data.get(probe.root) is not None, body
    assert not leaks(body, victim), f"{probe} leaked {leaks(body, victim)}: {body}"


def check_owner(probe: Probe, body: dict[str, Any], victim: Side) -> None:
    codes, data = error_codes(body), body.get("data") or {}
    if probe.owner is Owner.CONFLICT:
        assert codes == ["CONFLICT"], body
        return
    assert codes == [] and data.get(probe.root) is not None, body
    if probe.target is not None:
        assert probe.target(victim) in json.dumps(body), body


SNAPSHOT = """query {
  viewer { tenant { id slug } }
  boards { id name description }
  tickets(first: 100) {
    totalCount
    edges { node {
      id number title description status priority category source tags metadata
      requester { name email } createdAt updatedAt resolvedAt board { id } assignee { id }
      comments { id body isInternal authorKind authorName createdAt }
      timeline { kind actorKind actorName changes createdAt }
    } }
  }
  users { id email name role isActive }
  apiKeys { id name role prefix createdAt revokedAt }
}"""
KEY_CHECK = "query { viewer { tenant { id } role apiKey { id revokedAt } } }"


async def snapshot(factory: Factory, side: Side) -> dict[str, Any]:
    """Everything of the side's, read with its own token; its API key must still work."""
    body = await factory.gql(SNAPSHOT, token=side.world.token)
    assert error_codes(body) == [], body
    by_key = await factory.gql(KEY_CHECK, api_key=side.world.api_key)
    assert by_key == {
        "data": {
            "viewer": {
                "tenant": {"id": side.tenant_gid},
                "role": "ADMIN",
                "apiKey": {"id": side.admin_key, "revokedAt": None},
            }
        }
    }, by_key
    return dict(body["data"])


# --- Tests ---------------------------------------------------------------------------------


def schema_root_fields() -> set[str]:
    graphql_schema = schema._schema
    assert graphql_schema.query_type is not None and graphql_schema.mutation_type is not None
    return {f"Query.{name}" for name in graphql_schema.query_type.fields} | {
        f"Mutation.{name}" for name in graphql_schema.mutation_type.fields
    }


def domain_probed_fields() -> set[str]:
    """Root fields probed by the domain isolation modules beside this one."""
    import tests

    covered: set[str] = set()
    for module in pkgutil.iter_modules(tests.__path__):
        if module.name.startswith("test_isolation_"):
            covers = importlib.import_module(f"tests.{module.name}").COVERS
            assert covers, f"{module.name} declares no COVERS"
            covered |= set(covers)
    return covered


def test_every_root_field_has_a_probe_or_an_exemption() -> None:
    fields = schema_root_fields()
    probed = {probe.field for probe in PROBES} | domain_probed_fields()
    missing = fields - probed - EXEMPT.keys()
    assert not missing, f"root fields with no cross-tenant probe (add one to PROBES): {missing}"
    assert not (probed | EXEMPT.keys()) - fields, "probes or exemptions for fields that are gone"
    assert not probed & EXEMPT.keys(), "a field is both probed and exempt"
    assert all(reason.strip() for reason in EXEMPT.values())


@pytest.mark.parametrize("probe", PROBES, ids=str)
def test_probe_document_selects_the_field_it_claims(probe: Probe) -> None:
    (operation,) = parse(probe.document).definitions
    assert isinstance(operation, OperationDefinitionNode)
    roots = {
        f"{operation.operation.value.title()}.{selection.name.value}"  # type: ignore[attr-defined]
        for selection in operation.selection_set.selections
    }
    assert roots == {probe.field}


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("probe", PROBES, ids=str)
async def test_intruder_gets_nothing_of_the_victims(
    factory: Factory, sides: tuple[Side, Side], probe: Probe, credential: str
) -> None:
    victim, intruder = sides
    before = await snapshot(factory, victim)
    body = await call(
        factory, probe.document, probe.variables(victim, intruder, credential), intruder, credential
    )
    check_intruder(probe, body, victim)
    assert await snapshot(factory, victim) == before


@pytest.mark.parametrize("probe", PROBES, ids=str)
async def test_owner_control_finds_its_own_objects(
    factory: Factory, sides: tuple[Side, Side], probe: Probe
) -> None:
    """The same document, run by the owner, reaches the object: the probe is not vacuous."""
    victim, _ = sides
    body = await call(
        factory, probe.document, probe.variables(victim, victim, "token"), victim, "token"
    )
    check_owner(probe, body, victim)


async def test_victim_is_unchanged_after_every_probe(
    factory: Factory, sides: tuple[Side, Side]
) -> None:
    victim, intruder = sides
    before = await snapshot(factory, victim)
    for credential in CREDENTIALS:
        for probe in PROBES:
            variables = probe.variables(victim, intruder, credential)
            body = await call(factory, probe.document, variables, intruder, credential)
            check_intruder(probe, body, victim)
    after = await snapshot(factory, victim)
    assert after == before
    # The same, spelled out: nothing deleted, nothing added, nothing changed, key still valid.
    tickets = {edge["node"]["id"]: edge["node"] for edge in after["tickets"]["edges"]}
    assert set(tickets) == {gid("tkt", victim.ticket.id), gid("tkt", victim.spare.id)}
    ticket = tickets[gid("tkt", victim.ticket.id)]
    assert (ticket["title"], ticket["status"]) == (victim.ticket.title, "OPEN")
    assert ticket["assignee"] == {"id": agent_gid(victim)}
    assert [c["id"] for c in ticket["comments"]] == [
        gid("cmt", victim.comment.id),
        gid("cmt", victim.note.id),
    ]
    assert tickets[gid("tkt", victim.spare.id)]["comments"] == []
    assert len(after["boards"]) == 2 and len(after["users"]) == 2
    assert [key["revokedAt"] for key in after["apiKeys"]] == [None, None]


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_search_by_another_tenant_finds_nothing(
    factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    query = "query($q: String) { tickets(search: $q) { totalCount edges { node { id } } } }"
    mine = await call(factory, query, {"q": victim.word}, victim, credential)
    assert mine["data"]["tickets"]["totalCount"] == 1
    theirs = await call(factory, query, {"q": victim.word}, intruder, credential)
    assert theirs == {"data": {"tickets": {"totalCount": 0, "edges": []}}}
