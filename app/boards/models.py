import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, RecordMixin


class Board(RecordMixin, Base):
    __tablename__ = "boards"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_boards_tenant_id"),
        UniqueConstraint("tenant_id", "name", name="uq_boards_tenant_name"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
