"""Where platforms post their signed events: the route serves this path, and connectors show
its public URL to the admins who set the platform up, so the two cannot disagree."""

from app.kit.settings import Settings

WEBHOOK_PATH = "/api/v1/webhooks/events"


def webhook_url(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + WEBHOOK_PATH
