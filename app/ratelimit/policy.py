"""Which budgets a request is charged against, by its path and the caller's plan."""

from enum import Enum

from app.kit.settings import Settings
from app.ratelimit.limiter import Policy
from app.tenants.models import Plan
from app.webhooks.address import WEBHOOK_PATH

# Requests per minute per API key or signed-in user.
PLAN_LIMITS = {Plan.FREE: 60, Plan.PRO: 300, Plan.BUSINESS: 600, Plan.ENTERPRISE: 1200}

# Probes, signing keys and the board page's own files cost nothing to serve and must never fail.
# `/metrics` answers only to its long random token, which no budget could help anyone guess.
EXEMPT_PATHS = frozenset({"/health", "/ready", "/metrics", "/.well-known/jwks.json"})
EXEMPT_PREFIXES = ("/board/", "/static/")
WEBHOOK_PATHS = (WEBHOOK_PATH,)
# Anyone may post here without credentials, so the client's address is what gets limited.
PUBLIC_PATHS = ("/api/v1/reports", "/functions/v1/public-ticket-submit")


class Kind(Enum):
    EXEMPT = "exempt"
    WEBHOOK = "webhook"
    PUBLIC = "public"
    PLAN = "plan"


def _under(path: str, bases: tuple[str, ...]) -> bool:
    return any(path == base or path.startswith(f"{base}/") for base in bases)


def kind_of(path: str) -> Kind:
    if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
        return Kind.EXEMPT
    if _under(path, WEBHOOK_PATHS):
        return Kind.WEBHOOK
    if _under(path, PUBLIC_PATHS):
        return Kind.PUBLIC
    return Kind.PLAN


def webhook_policy(settings: Settings) -> Policy:
    return Policy("webhooks", settings.rate_limit_webhooks_per_minute)


def anonymous_policy(settings: Settings) -> Policy:
    return Policy("anonymous", settings.rate_limit_anonymous_per_minute)


def public_policy(settings: Settings) -> Policy:
    return Policy("public", settings.rate_limit_public_per_minute)


def request_policy(settings: Settings, plan: Plan) -> Policy:
    amount = settings.rate_limits_per_minute.get(plan.value, PLAN_LIMITS[plan])
    return Policy("requests", amount)


def cost_policy(settings: Settings, plan: Plan) -> Policy:
    per_minute = request_policy(settings, plan).amount * settings.rate_limit_cost_factor
    return Policy("cost", per_minute)
