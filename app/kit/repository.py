"""One base for tenant-scoped repositories.

Every read starts from the readable statement: the tenant's rows of the model, narrowed by the
repository's visibility rules (CSEA cases exist only for those cleared to see them). Lookups by
id and pages go through it, so no query of a subclass can forget the tenant or a rule."""

import uuid
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped

from app.kit.pagination import Ordering, Page, paginate


class TenantOwned(Protocol):
    tenant_id: Mapped[uuid.UUID]


class TenantRecord(TenantOwned, Protocol):
    id: Mapped[uuid.UUID]


OwnedT = TypeVar("OwnedT", bound=TenantOwned)
RecordT = TypeVar("RecordT", bound=TenantRecord)


class TenantScoped(Generic[OwnedT]):
    """Rows of `model` in one tenant, as one caller may read them."""

    model: type[OwnedT]

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    def base_statement(self) -> Select[Any]:
        return select(self.model).where(self.in_tenant(self.model))

    def readable_statement(self) -> Select[Any]:
        """The tenant's rows this caller may read; every read of `model` starts here."""
        return self.visible(self.base_statement())

    def visible(self, statement: Select[Any]) -> Select[Any]:
        """Narrow `statement` to what the caller may see. By default: all of the tenant."""
        return statement

    def in_tenant(self, owner: Any) -> ColumnElement[bool]:
        """The tenant condition for any tenant-owned table or alias, for joins and the
        related tables a repository reads alongside its model."""
        condition: ColumnElement[bool] = owner.tenant_id == self.tenant_id
        return condition

    def tenant_rows(self, model: type[Any], *where: Any) -> Select[Any]:
        """The tenant's rows of a related model (not narrowed by `visible`)."""
        return select(model).where(self.in_tenant(model), *where)

    async def paginate(
        self,
        statement: Select[Any],
        ordering: Ordering,
        first: int,
        after: str | None,
        *,
        field: str = "after",
    ) -> Page[OwnedT]:
        """One page of `statement` (built on the readable statement) through the keyset
        paginator, with its cursor format."""
        return await paginate(self.session, statement, ordering, first, after, field=field)

    async def count_rows(self, statement: Select[Any]) -> int:
        """How many rows `statement` (built on the readable statement) finds, on all pages."""
        counted = statement.with_only_columns(func.count(), maintain_column_froms=True)
        return int(await self.session.scalar(counted) or 0)


class TenantRepository(TenantScoped[RecordT]):
    """A tenant-scoped repository of rows with a UUID `id`."""

    async def get(self, pk: uuid.UUID, *, for_update: bool = False) -> RecordT | None:
        statement = self.readable_statement().where(self.model.id == pk)
        if for_update:
            statement = statement.with_for_update()
        row: RecordT | None = await self.session.scalar(statement)
        return row

    async def by_ids(self, pks: list[uuid.UUID]) -> list[RecordT]:
        statement = self.readable_statement().where(self.model.id.in_(pks))
        return list(await self.session.scalars(statement))
