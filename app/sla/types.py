import uuid
from datetime import date, datetime, time

import strawberry
from sqlalchemy import select
from strawberry.dataloader import DataLoader

from app.graphql.context import Context
from app.kit.db import Database
from app.kit.models import utcnow
from app.sla.clocks import STOPPED
from app.sla.models import TicketSla, TicketSlaPolicy
from app.sla.policy import policy_of
from app.tickets.enums import Priority, TicketStatus
from app.tickets.models import Ticket

LOADER_KEY = "haven.ticket_sla_loader"


@strawberry.type(name="TicketSla", description="A ticket's response and resolution deadlines.")
class TicketSlaType:
    first_response_due_at: datetime = strawberry.field(
        description="When a first public reply is due."
    )
    resolution_due_at: datetime = strawberry.field(description="When resolution is due.")
    first_responded_at: datetime | None = strawberry.field(description="The first public reply.")
    first_response_breached: bool = strawberry.field(
        description="The first reply came, or is, late."
    )
    resolution_breached: bool = strawberry.field(description="Resolution came, or is, late.")
    paused: bool = strawberry.field(
        description="The clocks stand still: waiting on the requester, resolved or closed."
    )

    @strawberry.field(description="Either target was missed.")
    def breached(self) -> bool:
        return self.first_response_breached or self.resolution_breached

    @classmethod
    def of(cls, sla: TicketSla, status: str) -> "TicketSlaType":
        """Whether a target is missed is judged when it was met, else when the clocks
        stopped, else now."""
        now = utcnow()
        stopped = sla.stopped_at if TicketStatus(status) in STOPPED else None
        first_end = sla.first_responded_at or stopped or now
        return cls(
            first_response_due_at=sla.first_response_due_at,
            resolution_due_at=sla.resolution_due_at,
            first_responded_at=sla.first_responded_at,
            first_response_breached=first_end > sla.first_response_due_at,
            resolution_breached=(stopped or now) > sla.resolution_due_at,
            paused=stopped is not None,
        )


async def _slas(db: Database, tenant_id: uuid.UUID, ids: list[uuid.UUID]) -> list[TicketSla | None]:
    async with db.read() as session:
        rows = await session.scalars(
            select(TicketSla).where(TicketSla.tenant_id == tenant_id, TicketSla.ticket_id.in_(ids))
        )
        found = {row.ticket_id: row for row in rows}
    return [found.get(pk) for pk in ids]


def sla_loader(context: Context) -> DataLoader[uuid.UUID, TicketSla | None]:
    """One loader per request, kept on the request's context beside its other loaders."""
    kept = vars(context)
    if LOADER_KEY not in kept:
        tenant_id = context.require().tenant_id
        kept[LOADER_KEY] = DataLoader(lambda ids: _slas(context.services.db, tenant_id, list(ids)))
    loader: DataLoader[uuid.UUID, TicketSla | None] = kept[LOADER_KEY]
    return loader


async def ticket_sla(
    context: Context, ticket: Ticket | uuid.UUID, status: str
) -> TicketSlaType | None:
    pk = ticket if isinstance(ticket, uuid.UUID) else ticket.id
    sla = await sla_loader(context).load(pk)
    return TicketSlaType.of(sla, status) if sla is not None else None


@strawberry.type(
    name="TicketSlaTarget", description="Targets for one priority, in working minutes."
)
class TicketSlaTargetType:
    priority: Priority = strawberry.field(description="The priority they apply to.")
    first_response_minutes: int = strawberry.field(description="To the first public reply.")
    resolution_minutes: int = strawberry.field(description="To resolution.")


@strawberry.type(name="TicketSlaPolicy", description="A tenant's ticket targets and calendar.")
class TicketSlaPolicyType:
    targets: list[TicketSlaTargetType] = strawberry.field(description="One per priority.")
    time_zone: str = strawberry.field(description="IANA time zone of the working hours.")
    always_open: bool = strawberry.field(description="Clocks run round the clock (24x7).")
    work_days: list[int] = strawberry.field(description="ISO weekdays worked: 1 is Monday.")
    day_start: time = strawberry.field(description="When a working day starts, local time.")
    day_end: time = strawberry.field(description="When it ends, local time.")
    holidays: list[date] = strawberry.field(description="Dates not worked.")

    @classmethod
    def from_row(cls, row: TicketSlaPolicy) -> "TicketSlaPolicyType":
        policy = policy_of(row)
        return cls(
            targets=[
                TicketSlaTargetType(
                    priority=priority,
                    first_response_minutes=targets.first_response,
                    resolution_minutes=targets.resolution,
                )
                for priority, targets in policy.targets.items()
            ],
            time_zone=row.time_zone,
            always_open=row.always_open,
            work_days=[day + 1 for day in row.work_days],
            day_start=row.day_start,
            day_end=row.day_end,
            holidays=list(row.holidays),
        )


@strawberry.input(description="Targets for one priority, in working minutes.")
class TicketSlaTargetInput:
    priority: Priority
    first_response_minutes: int
    resolution_minutes: int


@strawberry.input(description="What to change; fields left out stay as they are.")
class UpdateTicketSlaPolicyInput:
    targets: list[TicketSlaTargetInput] | None = None
    time_zone: str | None = None
    always_open: bool | None = None
    work_days: list[int] | None = strawberry.field(default=None, description="1 is Monday.")
    day_start: time | None = None
    day_end: time | None = None
    holidays: list[date] | None = None


@strawberry.type
class UpdateTicketSlaPolicyPayload:
    policy: TicketSlaPolicyType = strawberry.field(description="The policy as it is now.")
