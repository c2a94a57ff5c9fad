from enum import StrEnum

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin


class Plan(StrEnum):
    FREE = "free"
    PRO = "pro"
    BUSINESS = "business"
    ENTERPRISE = "enterprise"


class Tenant(RecordMixin, Base):
    __tablename__ = "tenants"
    __table_args__ = (check_in("plan", Plan),)

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    plan: Mapped[str] = mapped_column(String(20), default=Plan.FREE)
    # Last ticket number handed out; bumped under a row lock so numbers never repeat.
    ticket_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Last event number; taken under the same row lock, so events commit in `seq` order and a
    # subscriber reading `seq > cursor` can never skip one that commits late.
    event_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
