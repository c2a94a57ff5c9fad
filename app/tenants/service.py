"""Creating tenants with their first admin and API key."""

import re
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth_service
from app.auth.models import ApiKey, Role, User
from app.auth.principal import Principal
from app.kit import validation
from app.kit.actors import ActorKind
from app.kit.db import add_unique
from app.kit.errors import ValidationFailed
from app.tenants.models import Plan, Tenant


@dataclass(frozen=True)
class NewTenant:
    tenant: Tenant
    admin: User
    admin_password: str
    api_key: ApiKey
    api_key_secret: str


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    if not slug:
        raise ValidationFailed("name must contain letters or digits", field="name")
    return slug


async def create_tenant(
    session: AsyncSession,
    *,
    name: str,
    admin_email: str,
    plan: Plan = Plan.FREE,
    slug: str | None = None,
    admin_password: str | None = None,
) -> NewTenant:
    """A tenant, its first admin (with a generated password unless given) and an admin API key."""
    label = validation.name(name)
    if not label:
        raise ValidationFailed("name is required", field="name")
    tenant = Tenant(name=label, slug=slugify(slug or label), plan=plan)
    await add_unique(session, tenant, f"A tenant with slug '{tenant.slug}' already exists")
    password = admin_password or secrets.token_urlsafe(12)
    admin = await auth_service.create_user(
        session,
        tenant.id,
        email=admin_email,
        name="Administrator",
        role=Role.ADMIN,
        password=password,
    )
    principal = Principal(tenant.id, Role.ADMIN, ActorKind.USER, admin.id, admin.name)
    key, secret = await auth_service.create_api_key(
        session, principal, name="Initial admin key", role=Role.ADMIN
    )
    return NewTenant(tenant, admin, password, key, secret)
