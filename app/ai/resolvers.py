"""AI queries and mutations: the tenant's AI settings, and reply drafts."""

import strawberry

from app.ai import drafting, procedures
from app.ai.quota import calls_left
from app.ai.settings_service import SettingsChanges, update_settings
from app.ai.tenant_settings import settings_of
from app.ai.types import (
    AISettingsPayload,
    AISettingsType,
    ApproveDraftInput,
    DraftPayload,
    DraftReplyInput,
    DraftType,
    RejectDraftInput,
    TicketToSopInput,
    UpdateAISettingsInput,
)
from app.graphql.context import Info
from app.graphql.permissions import CanWrite, IsAdmin, IsAuthenticated
from app.kit.ids import expect_global_id
from app.knowledge.types import KnowledgeArticlePayload, KnowledgeArticleType


def _provider(info: Info) -> str:
    ai = info.context.services.ai
    return (ai.external or ai.local).name


@strawberry.type
class AIQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="How AI triage and drafting work for this tenant.",
    )
    async def ai_settings(self, info: Info) -> AISettingsType:
        principal = info.context.require()
        async with info.context.services.db.read() as session:
            row = await settings_of(session, principal.tenant_id)
            left = await calls_left(session, principal.tenant_id)
        return AISettingsType.of(row, _provider(info), left)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="A ticket's AI drafts, newest first, with what became of them.",
    )
    async def ticket_drafts(self, info: Info, ticket_id: strawberry.ID) -> list[DraftType]:
        principal = info.context.require()
        pk = expect_global_id(ticket_id, "Ticket")
        async with info.context.services.db.read() as session:
            rows = await drafting.drafts_of(session, principal, pk)
        return [DraftType.of(row) for row in rows]


@strawberry.type
class AIMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Change the tenant's AI settings (administrators; VALIDATION_ERROR).",
    )
    async def update_ai_settings(
        self, info: Info, input: UpdateAISettingsInput
    ) -> AISettingsPayload:
        principal = info.context.require()
        changes = SettingsChanges(
            categories=(
                [(c.name, c.description) for c in input.categories]
                if input.categories is not None
                else None
            ),
            apply_threshold=input.apply_threshold,
            draft_tone=input.draft_tone,
            draft_prompt=input.draft_prompt,
            signature=input.signature,
            external_csea=input.external_csea,
        )
        async with info.context.services.db.transaction() as work:
            row = await update_settings(work.session, principal, changes)
            left = await calls_left(work.session, principal.tenant_id)
        return AISettingsPayload(settings=AISettingsType.of(row, _provider(info), left))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Draft a reply with AI (422 UNPROCESSABLE when the ticket is closed or "
        "has a draft awaiting approval; AI_QUOTA_EXCEEDED).",
    )
    async def draft_reply(self, info: Info, input: DraftReplyInput) -> DraftPayload:
        principal = info.context.require()
        ask = drafting.DraftAsk(input.tone, input.instructions)
        ticket_id = expect_global_id(input.ticket_id, "Ticket")
        draft = await drafting.create_draft(info.context.services, principal, ticket_id, ask)
        return DraftPayload(draft=DraftType.of(draft))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Approve a draft: send it (or `edits`) and resolve the ticket. A person "
        "only; CONFLICT when already decided.",
    )
    async def approve_draft(self, info: Info, input: ApproveDraftInput) -> DraftPayload:
        principal = info.context.require()
        draft_id = expect_global_id(input.draft_id, "Draft")
        async with info.context.services.db.transaction() as work:
            draft, _ = await drafting.approve_draft(
                work.session, principal, None, draft_id, input.edits
            )
        return DraftPayload(draft=DraftType.of(draft))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Turn a resolved ticket into a procedure, saved as a draft knowledge "
        "article (UNPROCESSABLE unless resolved or closed; AI_QUOTA_EXCEEDED).",
    )
    async def ticket_to_sop(self, info: Info, input: TicketToSopInput) -> KnowledgeArticlePayload:
        principal = info.context.require()
        pk = expect_global_id(input.ticket_id, "Ticket")
        article = await procedures.ticket_to_sop(info.context.services, principal, pk)
        return KnowledgeArticlePayload(article=KnowledgeArticleType.from_row(article))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Reject a draft; nothing is sent. A person only; CONFLICT when decided.",
    )
    async def reject_draft(self, info: Info, input: RejectDraftInput) -> DraftPayload:
        principal = info.context.require()
        draft_id = expect_global_id(input.draft_id, "Draft")
        async with info.context.services.db.transaction() as work:
            draft = await drafting.reject_draft(
                work.session, principal, None, draft_id, input.reason
            )
        return DraftPayload(draft=DraftType.of(draft))
