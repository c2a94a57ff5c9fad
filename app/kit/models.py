import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, ForeignKeyConstraint, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class RecordMixin:
    """A UUID primary key and a creation time, shared by every table."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Stamped by the app, not `now()`: rows written in one transaction then keep the order
    # they were made in (a status change before the comment that followed it).
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), nullable=False
    )


class TenantMixin:
    """The tenant a row belongs to; deleting the tenant deletes the row. (Evidence and its
    custody log declare their own tenant column: nothing may delete them.)"""

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))


class UpdatedMixin:
    """When a row last changed, stamped by the app on every update."""

    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), onupdate=utcnow
    )


def same_tenant(
    column: str, table: str, *, name: str | None = None, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """`column` names a row of `table` in the row's own tenant: the database itself refuses a
    reference across tenants."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{table}.tenant_id", f"{table}.id"],
        name=name,
        ondelete=ondelete,
    )
