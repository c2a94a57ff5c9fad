import strawberry

from app.auth import service, team
from app.auth.models import Role
from app.auth.repository import ApiKeyRepository, UserRepository
from app.auth.types import (
    ApiKeyType,
    AuthPayload,
    CreateApiKeyInput,
    CreateApiKeyPayload,
    CreateUserInput,
    CreateUserPayload,
    LoginInput,
    RefreshTokenInput,
    RevokeApiKeyInput,
    RevokeApiKeyPayload,
    SetUserActiveInput,
    SetUserRoleInput,
    UserPayload,
    UserType,
    Viewer,
)
from app.graphql.context import Info
from app.graphql.permissions import IsAdmin, IsAuthenticated, Public
from app.graphql.reads import every_row
from app.kit.errors import Unauthenticated
from app.kit.ids import expect_global_id
from app.tenants import repository as tenants
from app.tenants.types import TenantType


def _auth_payload(pair: service.TokenPair) -> AuthPayload:
    return AuthPayload(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type="Bearer",
        expires_in=pair.expires_in,
        user=UserType.from_row(pair.user),
    )


@strawberry.type
class AuthQueries:
    @strawberry.field(permission_classes=[IsAuthenticated], description="Who is calling.")
    async def viewer(self, info: Info) -> Viewer:
        principal = info.context.require()
        async with info.context.services.db.read() as session:
            tenant = await tenants.get(session, principal.tenant_id)
            user = principal.user_id and await UserRepository(session, principal.tenant_id).get(
                principal.user_id
            )
            key = None
            if principal.user_id is None:
                key = await ApiKeyRepository(session, principal.tenant_id).get(principal.actor_id)
        assert tenant is not None
        return Viewer(
            tenant=TenantType.from_row(tenant),
            role=principal.role,
            user=UserType.from_row(user) if user else None,
            api_key=ApiKeyType.from_row(key) if key else None,
        )

    @strawberry.field(permission_classes=[IsAuthenticated], description="The tenant's team.")
    async def users(self, info: Info) -> list[UserType]:
        return await every_row(info, UserRepository, UserType.from_row)

    @strawberry.field(permission_classes=[IsAdmin], description="The tenant's API keys.")
    async def api_keys(self, info: Info) -> list[ApiKeyType]:
        return await every_row(info, ApiKeyRepository, ApiKeyType.from_row)


@strawberry.type
class AuthMutations:
    @strawberry.mutation(
        permission_classes=[Public], description="Sign in with email and password."
    )
    async def login(self, info: Info, input: LoginInput) -> AuthPayload:
        services = info.context.services
        async with services.db.transaction() as work:
            pair = await service.login(
                work.session,
                services.signer,
                email=input.email,
                password=input.password,
                tenant_slug=input.tenant,
                refresh_ttl=services.settings.refresh_token_seconds,
            )
        return _auth_payload(pair)

    @strawberry.mutation(
        permission_classes=[Public],
        description="Exchange a refresh token for new tokens. Reusing one signs the session out.",
    )
    async def refresh_token(self, info: Info, input: RefreshTokenInput) -> AuthPayload:
        services = info.context.services
        async with services.db.transaction() as work:
            pair = await service.refresh(
                work.session,
                services.signer,
                refresh_token=input.refresh_token,
                refresh_ttl=services.settings.refresh_token_seconds,
            )
        # Reuse is refused only after the transaction revoking the family has committed.
        if pair is None:
            raise Unauthenticated("Refresh token reused; the session has been revoked")
        return _auth_payload(pair)

    @strawberry.mutation(permission_classes=[IsAdmin], description="Create an API key.")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            key, secret = await service.create_api_key(
                work.session, principal, name=input.name, role=Role(input.role)
            )
        return CreateApiKeyPayload(api_key=ApiKeyType.from_row(key), secret=secret)

    @strawberry.mutation(permission_classes=[IsAdmin], description="Revoke an API key at once.")
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            key = await service.revoke_api_key(
                work.session, principal, expect_global_id(input.id, "ApiKey")
            )
        return RevokeApiKeyPayload(api_key=ApiKeyType.from_row(key))

    @strawberry.mutation(permission_classes=[IsAdmin], description="Add a team member.")
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            user = await service.create_user(
                work.session,
                principal.tenant_id,
                email=input.email,
                name=input.name,
                role=Role(input.role),
                password=input.password,
            )
        return CreateUserPayload(user=UserType.from_row(user))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Deactivate a user: their sign-ins, tokens and open live connections end at "
        "once. Refused (LAST_ADMIN) for the tenant's last active administrator.",
    )
    async def deactivate_user(self, info: Info, input: SetUserActiveInput) -> UserPayload:
        return await _set_active(info, input.id, active=False)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Let a deactivated user sign in again (earlier sign-ins stay ended).",
    )
    async def reactivate_user(self, info: Info, input: SetUserActiveInput) -> UserPayload:
        return await _set_active(info, input.id, active=True)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Change a user's role. Their tokens carrying the old role stop working and "
        "their open live connections close; they sign in again with the new role.",
    )
    async def set_user_role(self, info: Info, input: SetUserRoleInput) -> UserPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            user = await team.set_role(
                work.session, principal, expect_global_id(input.id, "User"), Role(input.role)
            )
        return UserPayload(user=UserType.from_row(user))


async def _set_active(info: Info, user_id: strawberry.ID, *, active: bool) -> UserPayload:
    principal = info.context.require()
    async with info.context.services.db.transaction() as work:
        user = await team.set_active(
            work.session, principal, expect_global_id(user_id, "User"), active=active
        )
    return UserPayload(user=UserType.from_row(user))
