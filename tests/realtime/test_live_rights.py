"""An open socket follows its principal's current rights: revocation, deactivation, a role
change, a revoked sign-in and token expiry end it (4401) before another event or operation gets
through, in every process; a fresh token in a `ping` keeps it open."""

import asyncio
import uuid
from contextlib import suppress
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from websockets.exceptions import ConnectionClosed

from app.auth import service as auth_service
from app.auth.models import ApiKey, AuthSession, Role, User
from app.auth.signing import AccessClaims, TokenSigner
from app.cases.models import CaseType
from app.realtime.hub import EventHub
from app.services import Services
from app.tickets.models import Priority
from tests.cases.helpers import open_case
from tests.cases.test_case_subscriptions import ONE, QUEUE
from tests.factories import PASSWORD, Factory, World, gid
from tests.realtime.conftest import Closed, GraphQLWS, subscribed
from tests.realtime.test_subscriptions import BOARD_EVENTS, Api

CLOSED_WITHIN = 5.0  # seconds: "promptly"
SET_PRIORITY = """mutation($c: ID!, $p: Priority!) {
  setCasePriority(input: {id: $c, priority: $p, reason: "escalated"}) { case { id } } }"""
CSEA_LIST = "query { cases(first: 20) { edges { node { caseType subject } } } }"


async def admin_gql(http: httpx.AsyncClient, world: World, query: str, **variables: Any) -> Any:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"X-API-Key": world.api_key},
    )
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return body["data"]


async def key_id(services: Services, secret: str) -> uuid.UUID:
    async with services.db.read() as session:
        key = await auth_service.repository.api_key_by_hash(session, auth_service.digest(secret))
    assert key is not None
    return key.id


async def short_token(services: Services, user: User, seconds: int) -> str:
    """A real access token for a new sign-in that expires after `seconds`."""
    async with services.db.transaction() as work:
        sign_in = AuthSession(id=uuid.uuid4(), tenant_id=user.tenant_id, user_id=user.id)
        work.session.add(sign_in)
    signer = services.signer
    short = TokenSigner(
        [signer.signing_key],
        issuer=services.settings.jwt_issuer,
        audience=services.settings.jwt_audience,
        ttl=seconds,
    )
    return short.issue(AccessClaims(user.id, user.tenant_id, user.role, sign_in.id))


async def closed_code(ws: GraphQLWS) -> int | None:
    closed = await ws.closed(CLOSED_WITHIN)
    return closed.code


def leaked(messages: list[dict[str, Any]], needle: str) -> bool:
    return any(needle in str(message) for message in messages)


async def drain(ws: GraphQLWS) -> list[dict[str, Any]]:
    """Everything the server sends until it closes the socket."""
    seen: list[dict[str, Any]] = []
    try:
        while True:
            raw = await asyncio.wait_for(ws.socket.recv(), CLOSED_WITHIN)
            seen.append({"raw": raw})
    except Exception:
        return [*seen, *(m for queue in ws.inbox.values() for m in queue)]


class TestRevokedKey:
    async def test_its_socket_closes_and_a_mutation_sent_after_never_runs(
        self, live_server: str, http: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        admin_key = await factory.api_key(world.tenant, Role.ADMIN)
        async with GraphQLWS.open(live_server, {"apiKey": admin_key}) as ws:
            await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", world.board.id)})
            await subscribed(services.hub, world.tenant.id, 1)
            revoked = gid("key", await key_id(services, admin_key))
            await admin_gql(
                http,
                world,
                "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }",
                id=revoked,
            )
            await ws.subscribe(
                'mutation { createApiKey(input: {name: "escalated", role: ADMIN}) { secret } }'
            )
            assert await closed_code(ws) == 4401
        async with services.db.read() as session:
            made = await session.scalar(
                select(func.count()).where(
                    ApiKey.tenant_id == world.tenant.id, ApiKey.name == "escalated"
                )
            )
        assert made == 0

    async def test_no_event_committed_after_revocation_reaches_it(
        self, live_server: str, http: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        watcher = await factory.api_key(world.tenant, Role.AGENT)
        api = Api(http, api_key=world.api_key)
        async with GraphQLWS.open(live_server, {"apiKey": watcher}) as ws:
            op = await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", world.board.id)})
            await subscribed(services.hub, world.tenant.id, 1)
            await api.create(world.board.id, "Before revocation")
            before = await ws.event(op)
            assert before["ticket"]["title"] == "Before revocation"
            async with services.db.transaction() as work:
                operator = auth_service.Principal(
                    world.tenant.id, Role.ADMIN, auth_service.ActorKind.SYSTEM, world.tenant.id, "t"
                )
                await auth_service.revoke_api_key(
                    work.session, operator, await key_id(services, watcher)
                )
            await api.create(world.board.id, "After revocation")
            seen = await drain(ws)
        assert not leaked(seen, "After revocation")


class TestDeactivatedUser:
    async def test_gets_no_csea_events_and_is_disconnected(
        self, live_server: str, http: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        lead = await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
        async with GraphQLWS.open(live_server, {"token": await factory.token(lead)}) as ws:
            await ws.subscribe(QUEUE)
            await subscribed(services.hub, world.tenant.id, 1)
            await admin_gql(
                http,
                world,
                "mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { isActive } } }",
                id=gid("usr", lead.id),
            )
            await open_case(services, world.admin, CaseType.CSEA, subject="After deactivation")
            seen = await drain(ws)
            assert not leaked(seen, "After deactivation")
        assert ws.socket.close_code == 4401

    async def test_cannot_post_comments_over_an_open_socket(
        self, live_server: str, http: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        ticket = await factory.ticket(world.tenant, world.board)
        async with GraphQLWS.open(live_server, {"token": await factory.token(agent)}) as ws:
            await admin_gql(
                http,
                world,
                "mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { isActive } } }",
                id=gid("usr", agent.id),
            )
            await ws.subscribe(
                'mutation($t: ID!) { addComment(input: {ticketId: $t, body: "still here"}) '
                "{ comment { id } } }",
                {"t": gid("tkt", ticket.id)},
            )
            seen = await drain(ws)
        assert not any("comment" in str(message) and "next" in str(message) for message in seen)
        comments = await factory.gql(
            "query($t: ID!) { ticket(id: $t) { comments { edges { node { body } } } } }",
            {"t": gid("tkt", ticket.id)},
            api_key=world.api_key,
        )
        assert "still here" not in str(comments)


class TestDemotedLead:
    async def test_loses_csea_events_and_queries_at_once(
        self, live_server: str, http: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        lead = await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
        csea = await open_case(services, world.admin, CaseType.CSEA, subject="Hash match 7")
        async with GraphQLWS.open(live_server, {"token": await factory.token(lead)}) as ws:
            await ws.subscribe(ONE, {"case": gid("cas", csea.id)})
            await ws.subscribe(QUEUE)
            await subscribed(services.hub, world.tenant.id, 2)
            await admin_gql(
                http,
                world,
                "mutation($id: ID!) { setUserRole(input: {id: $id, role: AGENT}) "
                "{ user { role } } }",
                id=gid("usr", lead.id),
            )
            await admin_gql(http, world, SET_PRIORITY, c=gid("cas", csea.id), p=Priority.LOW.name)
            with suppress(ConnectionClosed):  # it may be closed already: as good
                await ws.subscribe(CSEA_LIST)
            seen = await drain(ws)
        assert not leaked(seen, "CASE_PRIORITY_CHANGED")
        assert not leaked(seen, "Hash match 7")
        assert ws.socket.close_code == 4401


class TestRevokedSignIn:
    async def test_reusing_a_refresh_token_closes_that_sign_ins_sockets(
        self, live_server: str, http: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        """Reuse means the refresh token was copied: the whole sign-in ends, live ones too."""
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        login = await http.post(
            "/graphql",
            json={
                "query": "mutation($e: String!, $p: String!) { login(input: {email: $e, "
                "password: $p}) { accessToken refreshToken } }",
                "variables": {"e": agent.email, "p": PASSWORD},
            },
        )
        tokens = login.json()["data"]["login"]
        refresh = {
            "query": "mutation($r: String!) { refreshToken(input: {refreshToken: $r}) "
            "{ accessToken } }",
            "variables": {"r": tokens["refreshToken"]},
        }
        async with GraphQLWS.open(live_server, {"token": tokens["accessToken"]}) as ws:
            await ws.subscribe(BOARD_EVENTS, {"board": gid("brd", world.board.id)})
            await subscribed(services.hub, world.tenant.id, 1)
            assert "errors" not in (await http.post("/graphql", json=refresh)).json()
            reused = (await http.post("/graphql", json=refresh)).json()
            assert reused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert await closed_code(ws) == 4401


class TestExpiry:
    async def test_an_expired_token_ends_the_socket_and_its_mutations(
        self, live_server: str, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        async with GraphQLWS.open(
            live_server, {"token": await short_token(services, agent, 2)}
        ) as ws:
            closed = await ws.closed(6)
            assert (closed.code, closed.reason) == (4401, "Token expired")

    async def test_a_fresh_token_in_a_ping_keeps_it_open(
        self, live_server: str, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        admin = await factory.user(world.tenant, Role.ADMIN)
        async with GraphQLWS.open(
            live_server, {"token": await short_token(services, admin, 2)}
        ) as ws:
            await ws.ping({"token": await short_token(services, admin, 60)})
            await asyncio.sleep(3)
            op = await ws.subscribe(
                'mutation { createBoard(input: {name: "Renewed"}) { board { name } } }'
            )
            message = await ws.receive(op)
            assert message["type"] == "next" and "errors" not in message["payload"], message

    async def test_another_persons_token_in_a_ping_is_refused(
        self, live_server: str, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        other = await factory.user(world.tenant, Role.ADMIN)
        async with GraphQLWS.open(live_server, {"token": await factory.token(agent)}) as ws:
            await ws.ping({"token": await factory.token(other)})
            closed = await ws.closed(CLOSED_WITHIN)
            assert closed.code == 4403


class TestAcrossProcesses:
    async def test_an_access_change_reaches_another_hub_through_the_event_log(
        self, factory: Factory, services: Services
    ) -> None:
        """A second hub on the same database, told nothing but what it polls from the events
        table, still suspends the connection the change names."""
        from broadcaster import Broadcast

        world = await factory.world()
        secret = await factory.api_key(world.tenant, Role.AGENT)
        other = EventHub(services.db, Broadcast("memory://"), poll_seconds=0.2)
        await other.start()
        try:
            async with services.db.transaction() as work:
                principal = await auth_service.principal_from_api_key(work.session, secret)

            class Watch:
                tenant_id = world.tenant.id
                subjects = principal.subjects
                suspended = False

                def suspend(self) -> None:
                    self.suspended = True

            watch = Watch()
            await other.watch(watch)
            operator = auth_service.Principal(
                world.tenant.id, Role.ADMIN, auth_service.ActorKind.SYSTEM, world.tenant.id, "t"
            )
            async with services.db.transaction() as work:
                await auth_service.revoke_api_key(work.session, operator, principal.actor_id)
            for _ in range(100):
                if watch.suspended:
                    break
                await asyncio.sleep(0.05)
            assert watch.suspended
        finally:
            await other.stop()


__all__ = ["Closed"]


@pytest.mark.parametrize(
    "accept", ["application/json", "multipart/mixed;subscriptionSpec=1.0", "text/event-stream"]
)
async def test_subscriptions_over_http_are_refused_with_a_code(
    client: httpx.AsyncClient, factory: Factory, accept: str
) -> None:
    """Only a socket has its rights followed; a streamed HTTP response would escape that."""
    world = await factory.world()
    response = await client.post(
        "/graphql",
        json={"query": BOARD_EVENTS, "variables": {"board": gid("brd", world.board.id)}},
        headers={"X-API-Key": world.api_key, "Accept": accept},
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "WebSocket" in error["message"]
