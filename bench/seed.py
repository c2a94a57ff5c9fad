"""One tenant with a busy board, built through the app's own services in one transaction."""

import uuid
from dataclasses import dataclass

from app.auth.models import Role
from app.auth.principal import Principal
from app.auth.service import create_user
from app.boards.service import create_board
from app.comments.service import NewComment, add_comment
from app.kit.actors import Actor, ActorKind
from app.kit.db import Database
from app.kit.ids import to_global_id
from app.tenants.service import create_tenant
from app.tickets.models import Priority, Source
from app.tickets.service import NewTicket, create_ticket

AGENTS = 3
CATEGORIES = ["Billing", "Network", "Hardware", "Access"]
BODY = (
    "Thanks for the details. I have reproduced the problem on our side and escalated it to the "
    "infrastructure team; I will update this ticket as soon as I hear back from them."
)


@dataclass(frozen=True)
class SeededBoard:
    tenant_id: uuid.UUID
    board_id: uuid.UUID
    api_key: str
    tickets: int
    comments_per_ticket: int

    @property
    def board_gid(self) -> str:
        return to_global_id("Board", self.board_id)


async def seed_board(db: Database, tickets: int, comments_per_ticket: int) -> SeededBoard:
    """Tickets assigned round-robin to agents, each with comments by its assignee."""
    async with db.transaction() as work:
        session = work.session
        made = await create_tenant(
            session, name=f"Bench {uuid.uuid4().hex[:8]}", admin_email="admin@bench.example.com"
        )
        tenant_id = made.tenant.id
        admin = Principal(tenant_id, Role.ADMIN, ActorKind.USER, made.admin.id, made.admin.name)
        board = await create_board(session, admin, name="Support", description="Benchmark board")
        agents = [
            await create_user(
                session,
                tenant_id,
                email=f"agent{n}@bench.example.com",
                name=f"Agent {n}",
                role=Role.AGENT,
                password=None,  # hashing is deliberately slow and sign-in is not measured
            )
            for n in range(AGENTS)
        ]
        for n in range(tickets):
            agent = agents[n % AGENTS]
            draft = NewTicket(
                board_id=board.id,
                title=f"Customer {n} cannot reach the billing portal",
                description="The portal answers 403 since this morning.",
                priority=list(Priority)[n % len(Priority)],
                category=CATEGORIES[n % len(CATEGORIES)],
                source=Source.EMAIL,
                requester_name=f"Customer {n}",
                requester_email=f"customer{n}@example.com",
                assignee_id=agent.id,
            )
            ticket = await create_ticket(session, tenant_id, Actor.of(admin), draft)
            author = Actor(ActorKind.USER, agent.id, agent.name)
            for _ in range(comments_per_ticket):
                await add_comment(session, tenant_id, author, NewComment(ticket.id, BODY))
    return SeededBoard(tenant_id, board.id, made.api_key_secret, tickets, comments_per_ticket)
