import uuid
from datetime import datetime
from typing import Any

import strawberry

from app.auth.models import ApiKey, Role, User
from app.graphql.context import Info
from app.graphql.relay import Node
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.tenants.types import TenantType

strawberry.enum(Role, name="Role", description="What a user or API key may do.")


@strawberry.type(name="User", description="A member of the tenant's team.")
class UserType(Node):
    name: str = strawberry.field(description="Display name.")
    email: str = strawberry.field(description="Sign-in and notification address.")
    role: Role = strawberry.field(description="What this user may do.")
    is_active: bool = strawberry.field(description="Whether the user can sign in.")

    @classmethod
    def from_row(cls, row: User) -> "UserType":
        return from_attributes(
            cls, row, id=strawberry.ID(to_global_id("User", row.id)), role=Role(row.role)
        )


def user_or_load(info: Info, user_id: uuid.UUID | None, prefetched: Any) -> UserType | None:
    """The user from a page's prefetched people when there, else an awaitable loader result."""
    if user_id is None:
        return None
    if prefetched is not None and user_id in prefetched.users:
        return UserType.from_row(prefetched.users[user_id])
    return _load_user(info, user_id)  # type: ignore[return-value]


async def _load_user(info: Info, user_id: uuid.UUID) -> UserType | None:
    user = await info.context.loaders.user.load(user_id)
    return UserType.from_row(user) if user else None


@strawberry.type(name="ApiKey", description="A revocable key for server-to-server calls.")
class ApiKeyType(Node):
    name: str = strawberry.field(description="What the key is for.")
    role: Role = strawberry.field(description="What calls with this key may do.")
    prefix: str = strawberry.field(description="The first characters, to tell keys apart.")
    created_at: datetime = strawberry.field(description="When the key was created.")
    last_used_at: datetime | None = strawberry.field(
        description="Last use, recorded at most once a minute."
    )
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")

    @classmethod
    def from_row(cls, row: ApiKey) -> "ApiKeyType":
        return from_attributes(
            cls, row, id=strawberry.ID(to_global_id("ApiKey", row.id)), role=Role(row.role)
        )


@strawberry.type(description="The caller: a signed-in user or an API key.")
class Viewer:
    tenant: TenantType = strawberry.field(description="The caller's tenant.")
    role: Role = strawberry.field(description="The caller's role.")
    user: UserType | None = strawberry.field(description="The user, when signed in as one.")
    api_key: ApiKeyType | None = strawberry.field(description="The key, when calling with one.")


@strawberry.type(description="Tokens from signing in or refreshing.")
class AuthPayload:
    access_token: str = strawberry.field(description="RS256 JWT for `Authorization: Bearer`.")
    refresh_token: str = strawberry.field(description="Single-use; exchange before it expires.")
    token_type: str = strawberry.field(description="Always `Bearer`.")
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    user: UserType = strawberry.field(description="The signed-in user.")


@strawberry.input
class LoginInput:
    email: str = strawberry.field(description="Account email.")
    password: str = strawberry.field(description="Account password.")
    tenant: str | None = strawberry.field(
        default=None, description="Tenant slug; needed only when the email is in several."
    )


@strawberry.input
class RefreshTokenInput:
    refresh_token: str = strawberry.field(description="The refresh token last issued.")


@strawberry.input
class CreateApiKeyInput:
    name: str = strawberry.field(description="What the key is for.")
    role: Role = strawberry.field(default=Role.AGENT, description="What the key may do.")


@strawberry.type(description="A new API key; `secret` is shown only here.")
class CreateApiKeyPayload:
    api_key: ApiKeyType = strawberry.field(description="The key's record.")
    secret: str = strawberry.field(description="The key itself. Store it now; it is not kept.")


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID = strawberry.field(description="Global id of the key.")


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKeyType = strawberry.field(description="The revoked key.")


@strawberry.input
class CreateUserInput:
    email: str = strawberry.field(description="Sign-in address, unique in the tenant.")
    name: str = strawberry.field(description="Display name.")
    role: Role = strawberry.field(description="What the user may do.")
    password: str | None = strawberry.field(
        default=None, description="Initial password (10+ characters); omit for no password sign-in."
    )


@strawberry.type
class CreateUserPayload:
    user: UserType = strawberry.field(description="The new user.")


@strawberry.input
class SetUserActiveInput:
    id: strawberry.ID = strawberry.field(description="Global id of the user.")


@strawberry.input
class SetUserRoleInput:
    id: strawberry.ID = strawberry.field(description="Global id of the user.")
    role: Role = strawberry.field(description="What the user may do from now on.")


@strawberry.type
class UserPayload:
    user: UserType = strawberry.field(description="The user as changed.")
