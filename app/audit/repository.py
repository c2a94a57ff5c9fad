"""Every query on the audit chain, scoped to one tenant."""

import uuid
from collections.abc import AsyncIterator

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.hashing import GENESIS
from app.audit.models import AuditEntry, AuditHead
from app.kit.errors import ValidationFailed
from app.kit.pagination import Page, decode_cursor, encode_cursor

WALK_PAGE = 1000


def _cursor_seq(cursor: str) -> int:
    values = decode_cursor(cursor)
    if len(values) != 1 or type(values[0]) is not int or not 0 < values[0] < 2**63:
        raise ValidationFailed("Malformed cursor", field="after")
    return values[0]


class AuditRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    async def lock_head(self) -> AuditHead:
        """The chain head, created on first use and locked until the transaction ends, so
        entries of one tenant are numbered in commit order with no gaps."""
        head = await self._locked_head()
        if head is None:
            # Of two first writers, one inserts; the other waits for it, then locks its row.
            await self.session.execute(
                insert(AuditHead)
                .values(tenant_id=self.tenant_id, seq=0, hash=GENESIS)
                .on_conflict_do_nothing(index_elements=[AuditHead.tenant_id])
            )
            head = await self._locked_head()
        assert head is not None, "inserted above or by a transaction that has committed"
        return head

    async def _locked_head(self) -> AuditHead | None:
        return await self.session.scalar(
            select(AuditHead)
            .where(AuditHead.tenant_id == self.tenant_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def append(self, head: AuditHead, entries: list[AuditEntry]) -> None:
        """Add the entries, with the head (locked by `lock_head`) already moved on to the last."""
        self.session.add_all(entries)
        await self.session.flush()

    async def head(self) -> AuditHead | None:
        return await self.session.scalar(
            select(AuditHead)
            .where(AuditHead.tenant_id == self.tenant_id)
            .execution_options(populate_existing=True)
        )

    async def walk(self) -> AsyncIterator[AuditEntry]:
        """Every entry in `seq` order, fetched a page at a time. The entries are built apart
        from the session, so a long chain never piles up in it and the caller's own objects
        are left alone."""
        table = AuditEntry.__table__
        after = 0
        while True:
            rows = (
                await self.session.execute(
                    select(table)
                    .where(table.c.tenant_id == self.tenant_id, table.c.seq > after)
                    .order_by(table.c.seq)
                    .limit(WALK_PAGE)
                )
            ).all()
            for row in rows:
                yield AuditEntry(**row._asdict())
            if len(rows) < WALK_PAGE:
                return
            after = rows[-1].seq

    def _filtered(self, subject_type: str | None, subject_id: str | None) -> Select[AuditEntry]:
        query = select(AuditEntry).where(AuditEntry.tenant_id == self.tenant_id)
        if subject_type is not None:
            query = query.where(AuditEntry.subject_type == subject_type)
        if subject_id is not None:
            query = query.where(AuditEntry.subject_id == subject_id)
        return query

    async def page(
        self, subject_type: str | None, subject_id: str | None, first: int, after: str | None
    ) -> Page[AuditEntry]:
        """Newest first."""
        query = self._filtered(subject_type, subject_id)
        if after is not None:
            query = query.where(AuditEntry.seq < _cursor_seq(after))
        rows = list(
            await self.session.scalars(query.order_by(AuditEntry.seq.desc()).limit(first + 1))
        )
        items = [(row, encode_cursor([row.seq])) for row in rows[:first]]
        return Page(items=items, has_next_page=len(rows) > first)

    async def count(self, subject_type: str | None, subject_id: str | None) -> int:
        query = self._filtered(subject_type, subject_id).with_only_columns(
            func.count(AuditEntry.seq)
        )
        return int(await self.session.scalar(query) or 0)
