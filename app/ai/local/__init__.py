"""Haven's own AI provider: offline, deterministic, classical methods (see `provider`)."""

from app.ai.local.provider import LocalProvider

__all__ = ["LocalProvider"]
