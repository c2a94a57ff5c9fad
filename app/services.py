"""The long-lived parts a running Haven process shares across requests."""

from dataclasses import dataclass

from app.auth.signing import TokenSigner
from app.kit.db import Database
from app.kit.settings import Settings


@dataclass
class Services:
    settings: Settings
    db: Database
    signer: TokenSigner

    @classmethod
    def start(cls, settings: Settings) -> "Services":
        return cls(settings, Database.from_settings(settings), TokenSigner.from_settings(settings))

    async def close(self) -> None:
        await self.db.close()
