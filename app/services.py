"""The long-lived parts a running Haven process shares across requests."""

from dataclasses import dataclass

from app.ai.assistant import Assistant
from app.ai.providers import make_assistant
from app.auth.signing import TokenSigner
from app.kit.db import Database
from app.kit.destinations import Allowed
from app.kit.outbound import Outbound
from app.kit.sealing import Sealer
from app.kit.settings import Settings
from app.knowledge.embedders import Embedder, make_embedder
from app.ratelimit.limiter import Limiter, make_storage
from app.realtime.broker import make_broadcast
from app.realtime.hub import EventHub
from app.storage.factory import evidence_store
from app.storage.store import EvidenceStore


@dataclass
class Services:
    settings: Settings
    db: Database
    signer: TokenSigner
    hub: EventHub
    sealer: Sealer
    # Shared by the rate-limit middleware and handlers with budgets of their own (per form).
    limiter: Limiter
    # One store for every request: the S3 client keeps its connection pool.
    evidence: EvidenceStore
    # The one client for calls to other services, and what embeds knowledge for search.
    outbound: Outbound
    embedder: Embedder
    # Triage, drafts and procedures: the local provider, and an external one when configured.
    ai: Assistant

    @classmethod
    def start(cls, settings: Settings) -> "Services":
        return cls.assemble(settings, Database.from_settings(settings))

    @classmethod
    def assemble(cls, settings: Settings, db: Database) -> "Services":
        external = settings.database_url and db.url
        hub = EventHub(db, make_broadcast(settings.redis_url, external or None))
        limiter = Limiter(make_storage(settings.redis_url))
        outbound = Outbound(
            allowed=Allowed.of(settings.outbound_allow), https_only=settings.production
        )
        return cls(
            settings,
            db,
            TokenSigner.from_settings(settings),
            hub,
            Sealer.from_settings(settings),
            limiter,
            evidence_store(settings),
            outbound,
            make_embedder(settings, outbound),
            make_assistant(settings, db, outbound),
        )

    async def open(self) -> None:
        """Start live fan-out: committed events reach the hub, and through it subscribers."""
        await self.hub.start()
        self.db.event_listeners.append(self.hub.announce)

    async def shut_live(self) -> None:
        if self.hub.announce in self.db.event_listeners:
            self.db.event_listeners.remove(self.hub.announce)
        if self.hub.started:
            await self.hub.stop()

    async def close(self) -> None:
        await self.shut_live()
        await self.outbound.close()
        await self.db.close()
