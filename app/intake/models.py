import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, RecordMixin, TenantMixin, UpdatedMixin, same_tenant

# The categories of the published intake form, offered when a form names none.
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
DEFAULT_CATEGORIES = ["Hardware", "Software", "Network", "Access", "Account", "General"]


class IntakeForm(RecordMixin, UpdatedMixin, Base):
    """A public form that files tickets into one tenant, reached by its slug alone."""

    __tablename__ = "intake_forms"
    __table_args__ = (
        # The public URL carries no tenant, so a slug names one form across all tenants.
        UniqueConstraint("slug", name="uq_intake_forms_slug"),
        UniqueConstraint("tenant_id", "id", name="uq_intake_forms_tenant_id"),
        CheckConstraint(f"slug ~ '{SLUG_PATTERN}'", name="slug_format"),
        same_tenant(
            "board_id", "boards", name="fk_intake_forms_board", ondelete="SET NULL (board_id)"
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str | None] = mapped_column(Text)
    # None: the tenant's default board, looked up when a ticket is filed.
    board_id: Mapped[uuid.UUID | None]
    categories: Mapped[list[str]] = mapped_column(ARRAY(String(100)))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class StatusLink(RecordMixin, TenantMixin, Base):
    """A requester's private link to one ticket. Only the token's SHA-256 is kept, so the
    table alone opens nothing."""

    __tablename__ = "ticket_status_links"
    __table_args__ = (
        same_tenant(
            "ticket_id", "tickets", name="fk_ticket_status_links_ticket", ondelete="CASCADE"
        ),
    )

    ticket_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
