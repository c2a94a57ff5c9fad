from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, RecordMixin, TenantMixin


class Board(RecordMixin, TenantMixin, Base):
    __tablename__ = "boards"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_boards_tenant_id"),
        UniqueConstraint("tenant_id", "name", name="uq_boards_tenant_name"),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
