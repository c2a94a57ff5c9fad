"""Plain async factories: each builds one real row through the app's own services."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from app.auth import service as auth_service
from app.auth.models import AuthSession, Role, User
from app.auth.passwords import hash_password
from app.auth.principal import Principal
from app.auth.signing import AccessClaims
from app.boards.models import Board
from app.boards.service import create_board
from app.comments.models import Comment
from app.comments.service import NewComment, add_comment
from app.kit.actors import Actor, ActorKind
from app.services import Services
from app.tenants.models import Plan, Tenant
from app.tickets.models import Ticket
from app.tickets.service import NewTicket, create_ticket

PASSWORD = "correct horse battery staple"
# Hashing is deliberately slow; one hash serves every user the tests create.
PASSWORD_HASH = hash_password(PASSWORD)


@dataclass
class World:
    """A tenant with an admin (token and API key) and one board."""

    tenant: Tenant
    admin: User
    token: str
    api_key: str
    board: Board


def gid(prefix: str, value: uuid.UUID) -> str:
    return f"{prefix}_{value}"


class Factory:
    def __init__(self, services: Services, client: httpx.AsyncClient) -> None:
        self.services, self.client = services, client

    async def world(self, plan: Plan = Plan.FREE) -> World:
        tenant = await self.tenant(plan)
        admin = await self.user(tenant, Role.ADMIN)
        board = await self.board(tenant)
        return World(tenant, admin, await self.token(admin), await self.api_key(tenant), board)

    async def tenant(self, plan: Plan = Plan.FREE) -> Tenant:
        slug = f"t-{uuid.uuid4().hex[:12]}"
        async with self.services.db.transaction() as work:
            tenant = Tenant(name=f"Tenant {slug}", slug=slug, plan=plan)
            work.session.add(tenant)
        return tenant

    async def user(self, tenant: Tenant, role: Role = Role.AGENT, **overrides: Any) -> User:
        async with self.services.db.transaction() as work:
            user = User(
                tenant_id=tenant.id,
                email=overrides.pop("email", f"{uuid.uuid4().hex[:10]}@example.com"),
                name=overrides.pop("name", f"{role.value.title()} {uuid.uuid4().hex[:4]}"),
                role=role,
                password_hash=overrides.pop("password_hash", PASSWORD_HASH),
                **overrides,
            )
            work.session.add(user)
        return user

    async def token(self, user: User) -> str:
        """An access token for a fresh sign-in session, as `login` would issue."""
        async with self.services.db.transaction() as work:
            auth_session = AuthSession(id=uuid.uuid4(), tenant_id=user.tenant_id, user_id=user.id)
            work.session.add(auth_session)
        claims = AccessClaims(user.id, user.tenant_id, user.role, auth_session.id)
        return self.services.signer.issue(claims)

    async def api_key(self, tenant: Tenant, role: Role = Role.ADMIN) -> str:
        operator = Principal(tenant.id, Role.ADMIN, ActorKind.SYSTEM, tenant.id, "tests")
        async with self.services.db.transaction() as work:
            _, secret = await auth_service.create_api_key(
                work.session, operator, name=f"{role.value} key", role=role
            )
        return secret

    def _actor(self, tenant: Tenant) -> Actor:
        return Actor(ActorKind.SYSTEM, None, "tests")

    async def board(self, tenant: Tenant, name: str | None = None) -> Board:
        operator = Principal(tenant.id, Role.ADMIN, ActorKind.SYSTEM, tenant.id, "tests")
        async with self.services.db.transaction() as work:
            return await create_board(
                work.session,
                operator,
                name=name or f"Board {uuid.uuid4().hex[:6]}",
                description=None,
            )

    async def ticket(self, tenant: Tenant, board: Board, **overrides: Any) -> Ticket:
        draft = NewTicket(
            board_id=board.id, title=overrides.pop("title", "Printer jam"), **overrides
        )
        async with self.services.db.transaction() as work:
            return await create_ticket(work.session, tenant.id, self._actor(tenant), draft)

    async def comment(self, tenant: Tenant, ticket: Ticket, **overrides: Any) -> Comment:
        draft = NewComment(ticket_id=ticket.id, body=overrides.pop("body", "On it."), **overrides)
        async with self.services.db.transaction() as work:
            comment, _ = await add_comment(work.session, tenant.id, self._actor(tenant), draft)
        return comment

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        api_key: str | None = None,
    ) -> dict[str, Any]:
        """POST a GraphQL operation and return the decoded response body."""
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if api_key:
            headers["X-API-Key"] = api_key
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code in (200, 400), response.text
        return dict(response.json())


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors") or []]
