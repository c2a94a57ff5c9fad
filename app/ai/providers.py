"""Which AI providers a Haven process has: always the local one, and Anthropic's when it is
chosen (`HAVEN_AI_PROVIDER=anthropic`) or a key is set under the default `auto`."""

from app.ai.anthropic_provider import AnthropicProvider
from app.ai.assistant import Assistant
from app.ai.local import LocalProvider
from app.kit.db import Database
from app.kit.outbound import Outbound
from app.kit.settings import Settings


def make_assistant(settings: Settings, db: Database, outbound: Outbound) -> Assistant:
    wanted = settings.ai_provider == "anthropic" or (
        settings.ai_provider == "auto" and bool(settings.anthropic_api_key)
    )
    external = AnthropicProvider(settings, outbound) if wanted else None
    return Assistant(db, LocalProvider(), external)
