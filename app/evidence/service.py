"""Preserving evidence on safety cases and every access to it, each recorded in the chain of
custody (who, what, when, why, from where) and in the tenant's audit chain.

These functions own their transactions, unlike most services: an access that fails must still
be on record (a tamper found on download, a refused attempt at hidden evidence), so the record
is committed on its own before the failure reaches the caller.

Who may do what:
- CSEA evidence exists only for admins and safeguarding leads (`sees_csea`); to anyone else it,
  like its case, reads as missing. Their attempt accessed nothing, so it is not a custody entry,
  but it is an audit entry: a refused attempt at the most sensitive material is worth knowing.
- Viewers may list evidence and read its metadata, but not download it: the content itself can
  be harmful material, for the people who work cases, while the record of what exists is what
  oversight (a viewer's role) needs.
- Legal holds are a legal decision: admins and safeguarding leads only."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.access import require_write, sees_csea
from app.cases.models import CaseType, SafetyCase
from app.cases.timeline import CaseNote
from app.evidence.entries import CustodyLog
from app.evidence.inputs import (
    DESCRIPTION_MAX,
    Evidence,
    Hidden,
    Listing,
    Origin,
    Upload,
    canonical_json,
    clean_content_type,
    clean_description,
    clean_reason,
    clean_type,
    evidence_gid,
)
from app.evidence.models import (
    CustodyAction,
    CustodyEntry,
    EvidenceItem,
    EvidenceSource,
    EvidenceType,
)
from app.evidence.repository import EvidenceRepository, held_elsewhere
from app.journal import service as journal
from app.journal.change import Change, Subject, Timeline
from app.kit import validation
from app.kit.actors import Actor
from app.kit.db import Database
from app.kit.errors import Forbidden, NotFound
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.kit.pagination import Page
from app.storage.store import EvidenceMissing, EvidenceStore, EvidenceTampered

T = TypeVar("T")
SUBJECT = "EvidenceItem"


class Custody:
    """One caller's access to the tenant's evidence, from one place."""

    def __init__(self, db: Database, principal: Principal, origin: Origin) -> None:
        self.db, self.principal, self.origin = db, principal, origin
        self.actor = Actor.of(principal)

    # Looking things up as the caller may see them.

    async def _case(self, session: AsyncSession, case_id: uuid.UUID) -> SafetyCase:
        case = await EvidenceRepository(session, self.principal.tenant_id).case(case_id)
        if case is None:
            raise NotFound("Safety case")
        if case.case_type == CaseType.CSEA and not sees_csea(self.principal.role):
            raise Hidden("Safety case", "SafetyCase", to_global_id("SafetyCase", case.id))
        return case

    async def _item(self, session: AsyncSession, evidence_id: uuid.UUID) -> EvidenceItem:
        item = await EvidenceRepository(session, self.principal.tenant_id).get(evidence_id)
        if item is None:
            raise NotFound("Evidence")
        case = await EvidenceRepository(session, self.principal.tenant_id).case(item.case_id)
        hidden = case is not None and case.case_type == CaseType.CSEA
        if hidden and not sees_csea(self.principal.role):
            raise Hidden("Evidence", SUBJECT, evidence_gid(item.id))
        return item

    async def _run(self, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`action` in one transaction; a hidden object's refusal is then audited on its own."""
        try:
            async with self.db.transaction() as work:
                return await action(work.session)
        except Hidden as hidden:
            await self._refused(hidden)
            raise NotFound(hidden.message.removesuffix(" not found")) from None

    async def _refused(self, hidden: Hidden) -> None:
        change = Change(
            self.principal.tenant_id,
            self.actor,
            "evidence.access_refused",
            [Subject(hidden.subject_type, hidden.subject_id)],
            {"why": "csea", "user_agent": self.origin.user_agent},
            ip=self.origin.ip,
        )
        async with self.db.transaction() as work:
            await journal.record(work.session, change)

    # Recording.

    async def _log(
        self,
        session: AsyncSession,
        case_id: uuid.UUID,
        items: list[EvidenceItem | None],
        action: CustodyAction,
        reason: str | None,
        details: dict[str, Any] | None = None,
        notes: Sequence[Timeline] = (),
    ) -> None:
        """One change: a custody entry per item (and any `notes`), and the same per item in the
        audit chain, all appended at once."""
        case_gid = to_global_id("SafetyCase", case_id)
        change = Change(
            self.principal.tenant_id,
            self.actor,
            f"evidence.{action.value}",
            [
                Subject(SUBJECT, evidence_gid(item.id)) if item else Subject("SafetyCase", case_gid)
                for item in items
            ],
            {"case_id": case_gid, "user_agent": self.origin.user_agent, **(details or {})},
            reason,
            self.origin.ip,
            timeline=[*notes, CustodyLog(case_id, items, action, self.origin.user_agent)],
        )
        await journal.record(session, change)

    async def _evidence(self, session: AsyncSession, items: list[EvidenceItem]) -> list[Evidence]:
        holds = await EvidenceRepository(session, self.principal.tenant_id).holds(items)
        return [Evidence(item, holds[item.id]) for item in items]

    # Preserving.

    async def _preserve(
        self,
        session: AsyncSession,
        store: EvidenceStore,
        case: SafetyCase,
        fields: dict[str, Any],
        content: bytes,
        reason: str | None,
    ) -> Evidence:
        # The bytes are stored before the row is written. Should the transaction then fail, the
        # stored object stays behind unreferenced: harmless, as it is addressed by its own hash
        # and a later preservation of the same bytes reuses it.
        stored = await store.put(content, content_type=fields["content_type"])
        item = EvidenceItem(
            tenant_id=self.principal.tenant_id,
            case_id=case.id,
            size=stored.size,
            sha256=stored.sha256,
            storage_key=stored.key,
            version_id=stored.version_id,
            retention_mode=stored.retention_mode,
            retain_until=stored.retain_until,
            legal_hold=stored.legal_hold,
            **self.actor.as_columns("preserved_by"),
            preserved_at=utcnow(),
            **fields,
        )
        session.add(item)
        await session.flush()
        # The case's own timeline shows the preservation too, as the API document's does.
        note = CaseNote(
            case, "evidence_preserved", {"evidence_id": evidence_gid(item.id), "type": item.type}
        )
        await self._log(
            session,
            case.id,
            [item],
            CustodyAction.PRESERVED,
            reason,
            {"sha256": stored.sha256},
            [note],
        )
        return Evidence(item, item.legal_hold)

    async def preserve_upload(self, store: EvidenceStore, upload: Upload) -> Evidence:
        require_write(self.principal)
        fields = {
            "type": clean_type(upload.type),
            "description": clean_description(upload.description),
            "content_type": clean_content_type(upload.content_type),
            "source": EvidenceSource.UPLOAD,
        }
        reason = clean_reason(upload.reason)

        async def action(session: AsyncSession) -> Evidence:
            case = await self._case(session, upload.case_id)
            return await self._preserve(session, store, case, fields, upload.content, reason)

        return await self._run(action)

    async def preserve_webhook_event(
        self, store: EvidenceStore, case_id: uuid.UUID, event_id: str, reason: str | None
    ) -> Evidence:
        """The platform event as received, kept as canonical JSON."""
        require_write(self.principal)
        validation.text(event_id, "eventId")
        cleaned = clean_reason(reason)

        async def action(session: AsyncSession) -> Evidence:
            case = await self._case(session, case_id)
            receipt = await EvidenceRepository(session, self.principal.tenant_id).receipt(event_id)
            if receipt is None:
                raise NotFound("Webhook event")
            fields = {
                "type": EvidenceType.WEBHOOK_PAYLOAD,
                "description": f"Webhook event {receipt.event_id} ({receipt.event_type}) "
                f"from {receipt.source}"[:DESCRIPTION_MAX],
                "content_type": "application/json",
                "source": EvidenceSource.WEBHOOK_EVENT,
                "source_event_id": receipt.event_id,
            }
            content = canonical_json(receipt.body)
            return await self._preserve(session, store, case, fields, content, cleaned)

        return await self._run(action)

    # Reading.

    async def listing(
        self, case_id: uuid.UUID, first: int, after: str | None, reason: str | None = None
    ) -> Listing:
        """One page of a case's evidence; each item listed is a custody entry (and an empty
        page one entry for the case), so every look at what exists is on record."""
        cleaned = clean_reason(reason, required=False)

        async def action(session: AsyncSession) -> Listing:
            case = await self._case(session, case_id)
            items = EvidenceRepository(session, self.principal.tenant_id)
            page = await items.page(case.id, first, after)
            total = await items.count(case.id)
            rows = [item for item, _ in page.items]
            listed: list[EvidenceItem | None] = list(rows) or [None]
            await self._log(session, case.id, listed, CustodyAction.LISTED, cleaned)
            evidence = await self._evidence(session, rows)
            cursors = [cursor for _, cursor in page.items]
            paired = list(zip(evidence, cursors, strict=True))
            return Listing(Page(paired, page.has_next_page), total)

        return await self._run(action)

    async def view(self, evidence_id: uuid.UUID, reason: str | None) -> Evidence:
        cleaned = clean_reason(reason)

        async def action(session: AsyncSession) -> Evidence:
            item = await self._item(session, evidence_id)
            await self._log(session, item.case_id, [item], CustodyAction.VIEWED, cleaned)
            return (await self._evidence(session, [item]))[0]

        return await self._run(action)

    async def download(
        self, store: EvidenceStore, evidence_id: uuid.UUID, reason: str | None
    ) -> tuple[EvidenceItem, bytes]:
        """The item's bytes, verified against its recorded SHA-256. The download is recorded
        before the bytes are handed over; a failed check is recorded as `tamper_detected`
        (committed) and then reported as EVIDENCE_TAMPERED."""
        cleaned = clean_reason(reason)

        async def find(session: AsyncSession) -> EvidenceItem:
            item = await self._item(session, evidence_id)
            if not self.principal.can_write:
                raise Forbidden("Viewers cannot download evidence content")
            return item

        item = await self._run(find)
        try:
            content = await store.get(item.storage_key, item.sha256)
        except (EvidenceTampered, EvidenceMissing) as failed:
            # Recorded evidence whose bytes are gone is as much an integrity incident as
            # changed bytes: both are on record before the caller hears of them.
            async with self.db.transaction() as work:
                await self._log(
                    work.session,
                    item.case_id,
                    [item],
                    CustodyAction.TAMPER_DETECTED,
                    cleaned,
                    {"expected": item.sha256, "actual": failed.details.get("actual")},
                )
            raise
        async with self.db.transaction() as work:
            await self._log(work.session, item.case_id, [item], CustodyAction.DOWNLOADED, cleaned)
        return item, content

    async def set_legal_hold(
        self, store: EvidenceStore, evidence_id: uuid.UUID, on: bool, reason: str | None
    ) -> Evidence:
        """Put an item under legal hold or release it. The record never changes: the change is a
        custody entry, applied to the stored object; releasing leaves the object held while
        another item with the same bytes is still held."""
        cleaned = clean_reason(reason)
        if not sees_csea(self.principal.role):
            raise Forbidden("Only administrators and safeguarding leads can set legal holds")

        async def action(session: AsyncSession) -> Evidence:
            item = await self._item(session, evidence_id)
            current = (await self._evidence(session, [item]))[0]
            if current.legal_hold == on:
                return current
            if on:
                await store.set_legal_hold(item.storage_key, True)
            elif not await held_elsewhere(session, item):
                await store.set_legal_hold(item.storage_key, False)
            change = CustodyAction.LEGAL_HOLD_ON if on else CustodyAction.LEGAL_HOLD_OFF
            await self._log(session, item.case_id, [item], change, cleaned)
            return Evidence(item, on)

        return await self._run(action)

    async def custody_of(self, evidence_id: uuid.UUID) -> list[CustodyEntry]:
        """An item's chain of custody, for admins and safeguarding leads."""
        if not sees_csea(self.principal.role):
            raise Forbidden("Only administrators and safeguarding leads can read custody logs")
        async with self.db.read() as session:
            item = await self._item(session, evidence_id)
            return await EvidenceRepository(session, self.principal.tenant_id).custody(item.id)
