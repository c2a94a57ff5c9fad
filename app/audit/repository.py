"""Every query on the audit chain, scoped to one tenant."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert

from app.audit.hashing import GENESIS
from app.audit.models import AuditEntry, AuditHead
from app.kit.pagination import Key, Ordering, Page
from app.kit.repository import TenantScoped

WALK_PAGE = 1000


@dataclass(frozen=True)
class Subjects:
    """Which entries to list: about one kind of subject, one subject, or (None) any."""

    type: str | None = None
    id: str | None = None


NEWEST = Ordering("audit", [Key(AuditEntry.seq, int)], descending=True)


class AuditRepository(TenantScoped[AuditEntry]):
    """The audit chain of one tenant."""

    model = AuditEntry

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
            self.tenant_rows(AuditHead).with_for_update().execution_options(populate_existing=True)
        )

    async def append(self, head: AuditHead, entries: list[AuditEntry]) -> None:
        """Add the entries, with the head (locked by `lock_head`) already moved on to the last."""
        self.session.add_all(entries)
        await self.session.flush()

    async def head(self) -> AuditHead | None:
        return await self.session.scalar(
            self.tenant_rows(AuditHead).execution_options(populate_existing=True)
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
                    .where(self.in_tenant(table.c), table.c.seq > after)
                    .order_by(table.c.seq)
                    .limit(WALK_PAGE)
                )
            ).all()
            for row in rows:
                yield AuditEntry(**row._asdict())
            if len(rows) < WALK_PAGE:
                return
            after = rows[-1].seq

    def _filtered(self, where: Subjects) -> Select[Any]:
        query = self.readable_statement()
        if where.type is not None:
            query = query.where(AuditEntry.subject_type == where.type)
        if where.id is not None:
            query = query.where(AuditEntry.subject_id == where.id)
        return query

    async def page(self, where: Subjects, first: int, after: str | None) -> Page[AuditEntry]:
        """Newest first."""
        return await self.paginate(self._filtered(where), NEWEST, first, after)

    async def count(self, where: Subjects) -> int:
        return await self.count_rows(self._filtered(where))
