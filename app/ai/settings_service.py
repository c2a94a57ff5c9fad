"""Changing a tenant's AI settings: administrators only, checked, journaled."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.ai.contract import Tone
from app.ai.models import AISettings
from app.ai.tenant_settings import settings_of
from app.auth.principal import Principal
from app.journal import service as journal
from app.journal.change import Change, Subject, auditable
from app.kit import validation
from app.kit.actors import Actor
from app.kit.errors import Forbidden, ValidationFailed
from app.kit.ids import to_global_id
from app.tickets.service import CATEGORY_MAX

CATEGORIES_MAX = 50
DESCRIPTION_MAX, PROMPT_MAX, SIGNATURE_MAX = 500, 4000, 200


@dataclass
class SettingsChanges:
    """None leaves a setting as it is."""

    categories: list[tuple[str, str]] | None = None
    apply_threshold: float | None = None
    draft_tone: Tone | None = None
    draft_prompt: str | None = None
    signature: str | None = None
    external_csea: bool | None = None


def _categories(given: list[tuple[str, str]]) -> list[dict[str, str]]:
    if len(given) > CATEGORIES_MAX:
        raise ValidationFailed(f"categories: at most {CATEGORIES_MAX}", field="categories")
    found: list[dict[str, str]] = []
    for name, description in given:
        cleaned = validation.name(name, "categories.name", CATEGORY_MAX)
        if not cleaned:
            raise ValidationFailed("categories.name must not be empty", field="categories")
        if any(row["name"] == cleaned for row in found):
            raise ValidationFailed(f"category {cleaned!r} is listed twice", field="categories")
        text = validation.name(description, "categories.description", DESCRIPTION_MAX) or ""
        found.append({"name": cleaned, "description": text})
    return found


def _checked(changes: SettingsChanges) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if changes.categories is not None:
        values["categories"] = _categories(changes.categories)
    if changes.apply_threshold is not None:
        if not 0 <= changes.apply_threshold <= 1:
            raise ValidationFailed("applyThreshold must be from 0 to 1", field="applyThreshold")
        values["apply_threshold"] = changes.apply_threshold
    if changes.draft_tone is not None:
        values["draft_tone"] = changes.draft_tone.value
    if changes.draft_prompt is not None:
        values["draft_prompt"] = (
            validation.name(changes.draft_prompt, "draftPrompt", PROMPT_MAX) or ""
        )
    if changes.signature is not None:
        values["signature"] = validation.name(changes.signature, "signature", SIGNATURE_MAX) or ""
    if changes.external_csea is not None:
        values["external_csea"] = changes.external_csea
    return values


async def update_settings(
    session: AsyncSession, principal: Principal, changes: SettingsChanges
) -> AISettings:
    if not principal.is_admin:
        raise Forbidden("Only administrators can change AI settings")
    values = _checked(changes)
    current = await settings_of(session, principal.tenant_id)
    if current not in session:
        session.add(current)
    diff = {
        key: {"old": auditable(getattr(current, key)), "new": auditable(value)}
        for key, value in values.items()
        if getattr(current, key) != value
    }
    for key, value in values.items():
        setattr(current, key, value)
    await session.flush()
    if diff:
        await journal.record(
            session,
            Change(
                tenant_id=principal.tenant_id,
                actor=Actor.of(principal),
                action="ai_settings.updated",
                subjects=[Subject("Tenant", to_global_id("Tenant", principal.tenant_id))],
                details=diff,
            ),
        )
    return current
