"""Administrators manage the team through the API: deactivating, reactivating and re-roling a
user takes effect at once for every credential the user holds, is audited, and never leaves a
tenant without an active administrator."""

from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.auth.models import Role, User
from app.services import Services
from tests.factories import PASSWORD, Factory, World, error_codes, gid

DEACTIVATE = """mutation($id: ID!) { deactivateUser(input: {id: $id}) { user { id isActive } } }"""
REACTIVATE = """mutation($id: ID!) { reactivateUser(input: {id: $id}) { user { id isActive } } }"""
SET_ROLE = """mutation($id: ID!, $role: Role!) {
  setUserRole(input: {id: $id, role: $role}) { user { id role } } }"""
LOGIN = """mutation($e: String!, $p: String!) {
  login(input: {email: $e, password: $p}) { accessToken refreshToken } }"""
REFRESH = """mutation($r: String!) { refreshToken(input: {refreshToken: $r}) { accessToken } }"""
WHO = "query { viewer { role } }"


async def sign_in(factory: Factory, user: User) -> dict[str, Any]:
    body = await factory.gql(LOGIN, {"e": user.email, "p": PASSWORD})
    assert "errors" not in body, body
    return dict(body["data"]["login"])


async def audited(services: Services, world: World, action: str) -> list[AuditEntry]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(AuditEntry).where(
                AuditEntry.tenant_id == world.tenant.id, AuditEntry.action == action
            )
        )
        return list(rows)


class TestDeactivateUser:
    async def test_ends_every_credential_of_the_user_and_is_audited(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        tokens = await sign_in(factory, agent)
        body = await factory.gql(DEACTIVATE, {"id": gid("usr", agent.id)}, token=world.token)
        assert body["data"]["deactivateUser"]["user"]["isActive"] is False
        who = await factory.gql(WHO, token=tokens["accessToken"])
        assert error_codes(who) == ["UNAUTHENTICATED"]
        refreshed = await factory.gql(REFRESH, {"r": tokens["refreshToken"]})
        assert error_codes(refreshed) == ["UNAUTHENTICATED"]
        login = await factory.gql(LOGIN, {"e": agent.email, "p": PASSWORD})
        assert error_codes(login) == ["UNAUTHENTICATED"]
        (entry,) = await audited(services, world, "user.deactivated")
        assert (entry.subject_type, entry.subject_id) == ("User", str(agent.id))
        assert entry.actor_id == world.admin.id

    async def test_reactivation_lets_them_sign_in_but_not_resume_old_sign_ins(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        old = await sign_in(factory, agent)
        await factory.gql(DEACTIVATE, {"id": gid("usr", agent.id)}, token=world.token)
        body = await factory.gql(REACTIVATE, {"id": gid("usr", agent.id)}, token=world.token)
        assert body["data"]["reactivateUser"]["user"]["isActive"] is True
        assert error_codes(await factory.gql(WHO, token=old["accessToken"])) == ["UNAUTHENTICATED"]
        fresh = await sign_in(factory, agent)
        assert (await factory.gql(WHO, token=fresh["accessToken"]))["data"]["viewer"] == {
            "role": "AGENT"
        }
        assert len(await audited(services, world, "user.reactivated")) == 1

    async def test_the_last_active_admin_cannot_be_deactivated(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        body = await factory.gql(
            DEACTIVATE, {"id": gid("usr", world.admin.id)}, api_key=world.api_key
        )
        assert error_codes(body) == ["LAST_ADMIN"]
        assert (await factory.gql(WHO, token=world.token))["data"]["viewer"] == {"role": "ADMIN"}
        assert await audited(services, world, "user.deactivated") == []


class TestSetUserRole:
    async def test_tokens_with_the_old_role_stop_and_the_change_is_audited(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        lead = await factory.user(world.tenant, Role.SAFEGUARDING_LEAD)
        token = await factory.token(lead)
        body = await factory.gql(
            SET_ROLE, {"id": gid("usr", lead.id), "role": "AGENT"}, token=world.token
        )
        assert body["data"]["setUserRole"]["user"]["role"] == "AGENT"
        assert error_codes(await factory.gql(WHO, token=token)) == ["UNAUTHENTICATED"]
        fresh = await sign_in(factory, lead)
        assert (await factory.gql(WHO, token=fresh["accessToken"]))["data"]["viewer"] == {
            "role": "AGENT"
        }
        (entry,) = await audited(services, world, "user.role_changed")
        assert entry.details == {"old": "safeguarding_lead", "new": "agent"}

    async def test_demoting_the_last_admin_is_refused_but_another_may_go(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        alone = await factory.gql(
            SET_ROLE, {"id": gid("usr", world.admin.id), "role": "AGENT"}, api_key=world.api_key
        )
        assert error_codes(alone) == ["LAST_ADMIN"]
        second = await factory.user(world.tenant, Role.ADMIN)
        body = await factory.gql(
            SET_ROLE, {"id": gid("usr", world.admin.id), "role": "AGENT"}, api_key=world.api_key
        )
        assert body["data"]["setUserRole"]["user"]["role"] == "AGENT"
        again = await factory.gql(
            SET_ROLE, {"id": gid("usr", second.id), "role": "VIEWER"}, api_key=world.api_key
        )
        assert error_codes(again) == ["LAST_ADMIN"]

    async def test_agents_cannot_change_roles(self, factory: Factory) -> None:
        world = await factory.world()
        agent = await factory.user(world.tenant, Role.AGENT)
        body = await factory.gql(
            SET_ROLE,
            {"id": gid("usr", agent.id), "role": "ADMIN"},
            token=await factory.token(agent),
        )
        assert error_codes(body) == ["FORBIDDEN"]
