"""Live case events over GraphQL subscriptions, through the same hub, replay and resume-by-
cursor as board and ticket events."""

from collections.abc import AsyncGenerator

import strawberry

from app.cases.access import sees_csea
from app.cases.events import case_topic, queue_topic
from app.cases.service import cases_of
from app.graphql.context import Info
from app.graphql.permissions import IsAuthenticated, OverWebSocket
from app.kit.errors import NotFound
from app.kit.ids import expect_global_id
from app.realtime.stream import live_events
from app.realtime.types import LiveEventType


@strawberry.type
class CaseSubscriptions:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated, OverWebSocket],
        description="Live changes to one case; with `after`, first every later event. A case "
        "the caller may not see (another tenant's, or CSEA without clearance) is NOT_FOUND.",
    )
    async def case_events(
        self, info: Info, case_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[LiveEventType, None]:
        principal = info.context.require()
        pk = expect_global_id(case_id, "SafetyCase")
        async with info.context.services.db.read() as session:
            if await cases_of(session, principal).get(pk) is None:
                raise NotFound("Case")
        # A case never changes type, so having passed the check the case's topic stays safe.
        hub, owner = info.context.services.hub, info.context.live
        async for event in live_events(hub, principal, case_topic(pk), after, owner=owner):
            yield event

    @strawberry.subscription(
        permission_classes=[IsAuthenticated, OverWebSocket],
        description="Live changes to every case the caller may see (CSEA cases only for "
        "safeguarding leads and administrators); `after` replays first.",
    )
    async def case_queue_events(
        self, info: Info, after: str | None = None
    ) -> AsyncGenerator[LiveEventType, None]:
        principal = info.context.require()
        topic = queue_topic(sees_csea(principal.role))
        hub, owner = info.context.services.hub, info.context.live
        async for event in live_events(hub, principal, topic, after, owner=owner):
            yield event
