"""`python -m bench outbound`: outbound webhooks to a receiver on this machine.

Tickets are created one transaction each while a worker sends their `ticket_created`
deliveries to a local receiver (uvicorn on loopback, allowed as an operator would allow an
internal system). Figures: deliveries a second, end to end, and the delay from a ticket's
commit to its delivery arriving (p50, p99)."""

import asyncio
import dataclasses
import statistics
import time
import uuid

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.auth.models import Role
from app.auth.principal import Principal
from app.boards.service import create_board
from app.jobs.worker import Worker
from app.kit.actors import Actor, ActorKind
from app.kit.destinations import Allowed
from app.kit.outbound import Outbound
from app.outbound_webhooks.service import create_endpoint
from app.outbound_webhooks.tasks import register_outbound_webhooks
from app.services import Services
from app.tenants.service import create_tenant
from app.tickets.models import Source
from app.tickets.service import NewTicket, create_ticket
from bench import report
from bench.environment import Environment, run_async
from bench.server import HOST, free_port

TICKETS = 500
# Tickets committed concurrently, as several API processes would.
WRITERS = 8


class Arrivals:
    def __init__(self, expected: int) -> None:
        self.at: dict[str, float] = {}
        self.expected, self.all_in = expected, asyncio.Event()

    async def receive(self, request: Request) -> Response:
        body = await request.json()
        self.at.setdefault(body["data"]["subject"], time.perf_counter())
        if len(self.at) >= self.expected:
            self.all_in.set()
        return Response("ok")


def run(env: Environment) -> None:
    run_async(_run(env))


async def _run(env: Environment) -> None:
    report.section(
        "outbound: webhook deliveries to a local receiver",
        {"tickets": f"{TICKETS}, from {WRITERS} writers", "endpoint": "standard, signed"},
    )
    arrivals, port = Arrivals(TICKETS), free_port()
    receiver = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/hook", arrivals.receive, methods=["POST"])]),
            host=HOST, port=port, log_level="warning", lifespan="off",
        )
    )  # fmt: skip
    serving = asyncio.create_task(receiver.serve())
    outbound = Outbound(allowed=Allowed.of([HOST]))
    services = dataclasses.replace(env.services(), outbound=outbound)
    tenant_id, board_id = await _tenant(services, f"http://{HOST}:{port}/hook")
    worker = Worker(services, jobs=(register_outbound_webhooks,))
    worker.start()
    try:
        committed = await _write(services, tenant_id, board_id)
        await asyncio.wait_for(arrivals.all_in.wait(), timeout=300)
    finally:
        await worker.close()
        receiver.should_exit = True
        await serving
        await services.close()
    _figures(committed, arrivals.at)


async def _tenant(services: Services, url: str) -> tuple[uuid.UUID, uuid.UUID]:
    async with services.db.transaction() as work:
        made = await create_tenant(
            work.session, name="Bench outbound", admin_email="admin@bench.example.com"
        )
        admin = Principal(made.tenant.id, Role.ADMIN, ActorKind.USER, made.admin.id, "Admin")
        board = await create_board(work.session, admin, name="Support", description=None)
        await create_endpoint(
            work.session,
            made.tenant.id,
            services.sealer,
            services.outbound.allowed,
            {"url": url, "events": ["ticket_created"]},
            actor=Actor.of(admin),
        )
    return made.tenant.id, board.id


async def _write(services: Services, tenant_id: uuid.UUID, board_id: uuid.UUID) -> dict[str, float]:
    committed: dict[str, float] = {}
    actor = Actor(ActorKind.SYSTEM, None, "bench")

    async def writer(offset: int) -> None:
        for n in range(offset, TICKETS, WRITERS):
            title = f"Ticket {n}"
            draft = NewTicket(board_id=board_id, title=title, source=Source.API)
            async with services.db.transaction() as work:
                await create_ticket(work.session, tenant_id, actor, draft)
            committed[title] = time.perf_counter()

    await asyncio.gather(*(writer(offset) for offset in range(WRITERS)))
    return committed


def _figures(committed: dict[str, float], arrived: dict[str, float]) -> None:
    delays = sorted((arrived[t] - committed[t]) * 1000 for t in committed if t in arrived)
    span = max(arrived.values()) - min(committed.values())
    cuts = statistics.quantiles(delays, n=100, method="inclusive")
    report.figure("delivered", f"{len(delays)}/{len(committed)}")
    report.figure("deliveries per second", f"{len(delays) / span:.0f}")
    report.figure("commit to delivery p50", f"{cuts[49]:.1f} ms")
    report.figure("commit to delivery p99", f"{cuts[98]:.1f} ms")
