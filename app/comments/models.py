import uuid
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, same_tenant


class AuthorKind(StrEnum):
    AGENT = "agent"
    CONTACT = "contact"
    SYSTEM = "system"


class Comment(RecordMixin, TenantMixin, Base):
    __tablename__ = "comments"
    __table_args__ = (
        same_tenant("ticket_id", "tickets", ondelete="CASCADE"),
        check_in("author_kind", AuthorKind),
        Index("ix_comments_ticket_created", "ticket_id", "created_at"),
    )

    ticket_id: Mapped[uuid.UUID]
    body: Mapped[str] = mapped_column(Text)
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    author_kind: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str | None] = mapped_column(String(200))
    author_email: Mapped[str | None] = mapped_column(String(320))
