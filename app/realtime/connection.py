"""A live connection's principal, kept current for as long as the socket is open.

A socket authenticates once, at `connection_init`, but rights change while it stays open: a
key is revoked, a user deactivated or re-roled, a sign-in revoked, a token expires. So:
- every operation re-authenticates with the connection's credentials (the checks HTTP makes);
- access changes arrive through the hub in event order; the connection is suspended at once
  (its subscriptions get nothing more and end with a resync), then re-checked, and closed with
  4401 when its credentials no longer hold;
- a token's expiry closes the socket, unless the client sends a fresh token in a `ping`."""

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress

from app.auth.authentication import Credentials, authenticate
from app.auth.principal import Principal
from app.kit.errors import Forbidden, HavenError, Unauthenticated
from app.kit.models import utcnow
from app.realtime.hub import EventHub
from app.services import Services
from app.tenants.models import Plan

logger = logging.getLogger("haven.realtime")

Close = Callable[[int, str], Awaitable[None]]
UNAUTHORIZED = 4401
FORBIDDEN = 4403


class LiveConnection:
    def __init__(
        self,
        services: Services,
        found: Credentials,
        principal: Principal,
        plan: Plan,
        close: Close,
    ) -> None:
        self.services, self.found, self.principal, self.plan = services, found, principal, plan
        self._close = close
        self.suspended = False
        self.closed = False
        self._expiry: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def hub(self) -> EventHub:
        return self.services.hub

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.principal.tenant_id

    @property
    def subjects(self) -> frozenset[tuple[str, uuid.UUID]]:
        return self.principal.subjects

    async def start(self) -> None:
        await self.hub.watch(self)
        self._schedule_expiry()

    def stop(self) -> None:
        self.closed = True
        self.hub.unwatch(self)
        if self._expiry is not None:
            self._expiry.cancel()
        for task in self._tasks:
            task.cancel()

    async def current(self) -> Principal:
        """The principal as it is now, by the same checks as an HTTP request; a failure ends
        the connection (4401) and is raised to the caller."""
        try:
            principal = await authenticate(self.services, self.found)
        except HavenError as error:
            await self.close(UNAUTHORIZED, error.message)
            raise
        assert principal is not None
        self.principal = principal
        return principal

    async def reauthenticate(self, found: Credentials) -> None:
        """Take fresh credentials (a renewed token) for the same person, resetting expiry."""
        principal = await authenticate(self.services, found)
        assert principal is not None
        if not principal.same_person(self.principal):
            raise Forbidden("A connection cannot change who it belongs to")
        self.found, self.principal = found, principal
        self._schedule_expiry()

    def suspend(self) -> None:
        """An access change names this connection: deliver nothing more until re-checked."""
        self.suspended = True
        self.hub.end_subscriptions(self)
        self._spawn(self._recheck())

    async def _recheck(self) -> None:
        try:
            await self.current()
        except HavenError:
            return  # closed by current()
        except Exception:
            logger.exception("re-checking a live connection failed; closing it")
            await self.close(1011, "Could not re-check access")
            return
        self.suspended = False

    def _schedule_expiry(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
        expires = self.principal.expires_at
        if expires is None:
            return
        delay = max(0.0, (expires - utcnow()).total_seconds())
        loop = asyncio.get_running_loop()
        self._expiry = loop.call_later(
            delay, lambda: self._spawn(self.close(UNAUTHORIZED, "Token expired"))
        )

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = self.suspended = True
        self.hub.end_subscriptions(self)
        with suppress(Exception):  # the socket may already be gone
            await self._close(code, reason[:120])


def close_code(error: HavenError) -> int:
    return UNAUTHORIZED if isinstance(error, Unauthenticated) else FORBIDDEN
