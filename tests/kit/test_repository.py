"""The tenant-scoped repository base: every read starts from the caller's readable rows."""

import uuid
from datetime import datetime

from app.boards.models import Board
from app.boards.repository import BoardRepository
from app.cases.models import CaseType
from app.cases.repository import CaseFilter, CaseRepository
from app.kit.pagination import Key, Ordering
from app.services import Services
from app.tickets.models import TimelineEntry
from app.tickets.repository import TicketRepository
from tests.cases.helpers import open_case
from tests.factories import Factory

SAME_INSTANT = datetime.fromisoformat("2024-05-01T12:00:00+00:00")
BOARDS = Ordering("boards", [Key(Board.created_at, datetime), Key(Board.id, uuid.UUID)])


class TestTenantRepository:
    async def test_get_and_by_ids_never_reach_another_tenant(
        self, factory: Factory, services: Services
    ) -> None:
        world, other = await factory.world(), await factory.world()
        async with services.db.read() as session:
            boards = BoardRepository(session, world.tenant.id)
            assert await boards.get(other.board.id) is None
            assert (await boards.get(world.board.id)) is not None
            found = await boards.by_ids([world.board.id, other.board.id, uuid.uuid4()])
        assert [board.id for board in found] == [world.board.id]

    async def test_related_rows_are_scoped_to_the_tenant_too(
        self, factory: Factory, services: Services
    ) -> None:
        world, other = await factory.world(), await factory.world()
        theirs = await factory.ticket(other.tenant, other.board)
        ours = await factory.ticket(world.tenant, world.board)
        async with services.db.read() as session:
            tickets = TicketRepository(session, world.tenant.id)
            timeline = await tickets.timelines([theirs.id, ours.id])
        assert timeline and {entry.ticket_id for entry in timeline} == {ours.id}
        assert all(isinstance(entry, TimelineEntry) for entry in timeline)

    async def test_the_visibility_hook_narrows_every_read(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        plain = await open_case(services, world.admin, CaseType.HARASSMENT)
        csea = await open_case(services, world.admin, CaseType.CSEA)
        async with services.db.read() as session:
            for sees_csea, expected in ((False, {plain.id}), (True, {plain.id, csea.id})):
                cases = CaseRepository(session, world.tenant.id, sees_csea=sees_csea)
                page = await cases.page(CaseFilter(), 10, None)
                assert {case.id for case, _ in page.items} == expected
                assert {c.id for c in await cases.by_ids([plain.id, csea.id])} == expected
                assert (await cases.get(csea.id) is not None) is sees_csea
                assert await cases.count(CaseFilter()) == len(expected)

    async def test_paginate_breaks_ties_by_id_and_visits_each_row_once(
        self, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        for _ in range(4):
            await factory.board(world.tenant)
        other = await factory.world()
        async with services.db.transaction() as work:
            for board in await BoardRepository(work.session, world.tenant.id).all():
                board.created_at = SAME_INSTANT
        seen: list[uuid.UUID] = []
        after = None
        async with services.db.read() as session:
            boards = BoardRepository(session, world.tenant.id)
            for _ in range(4):
                page = await boards.paginate(boards.readable_statement(), BOARDS, 2, after)
                seen += [board.id for board, _ in page.items]
                if not page.has_next_page:
                    break
                after = page.items[-1][1]
        assert len(seen) == 5 and seen == sorted(seen)
        assert other.board.id not in seen
