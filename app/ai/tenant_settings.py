"""A tenant's AI settings, with the defaults for a tenant that has chosen none."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.ai.categories import DEFAULT_CATEGORIES
from app.ai.contract import Category, Tone
from app.ai.models import DEFAULT_APPLY_THRESHOLD, AISettings


async def settings_of(session: AsyncSession, tenant_id: uuid.UUID) -> AISettings:
    """The stored settings, or the defaults (not added to the session)."""
    found = await session.get(AISettings, tenant_id)
    if found is not None:
        return found
    return AISettings(
        tenant_id=tenant_id,
        categories=[],
        apply_threshold=DEFAULT_APPLY_THRESHOLD,
        draft_tone=Tone.PROFESSIONAL,
        draft_prompt="",
        signature="",
        external_csea=False,
    )


def categories_of(settings: AISettings) -> tuple[Category, ...]:
    if not settings.categories:
        return DEFAULT_CATEGORIES
    return tuple(Category(row["name"], row.get("description", "")) for row in settings.categories)
