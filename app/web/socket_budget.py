"""Budgets for operations over a WebSocket: the same per-minute limits and query-cost budget
as HTTP, charged per operation, so a socket is no way around them. Sign-in attempts also take
from the per-address budget for requests without valid credentials, wherever they arrive: a
socket authenticated as one user must not become a fast password-guessing channel."""

from typing import Any

from graphql import FieldNode, GraphQLError, parse, visit
from graphql.language import Visitor

from app.auth.principal import Principal
from app.ratelimit.cost import operation_cost
from app.ratelimit.identity import identity_of
from app.ratelimit.limiter import Decision, Policy
from app.ratelimit.policy import anonymous_policy, cost_policy, request_policy
from app.services import Services
from app.tenants.models import Plan

SIGN_IN_FIELDS = frozenset({"login", "refreshToken"})


class _SignInFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value in SIGN_IN_FIELDS:
            self.found = True


def signs_in(query: str, max_tokens: int) -> bool:
    """Whether the document asks for a sign-in field anywhere (fragments included); a document
    that does not parse is refused by the executor before it can sign anyone in."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return False
    finder = _SignInFinder()
    visit(document, finder)
    return finder.found


async def refusal(
    services: Services, principal: Principal, plan: Plan, address: str, payload: dict[str, Any]
) -> Decision | None:
    """The decision that refuses this operation, or None when every budget allows it."""
    settings = services.settings
    if not settings.rate_limiting:
        return None
    identity = identity_of(principal)
    budget = cost_policy(settings, plan)
    cost = operation_cost(payload, settings.graphql_max_tokens, budget.amount + 1)
    charges: list[tuple[Policy, str, int]] = [
        (request_policy(settings, plan), identity, 1),
        (budget, identity, cost),
    ]
    query = payload.get("query")
    if isinstance(query, str) and signs_in(query, settings.graphql_max_tokens):
        charges.append((anonymous_policy(settings), address, 1))
    for policy, who, units in charges:
        decision = await services.limiter.charge(policy, who, units)
        if decision is not None and not decision.allowed:
            return decision
    return None


def refusal_error(decision: Decision) -> dict[str, Any]:
    """The GraphQL error a refused socket operation gets, as HTTP's 429 says it."""
    unit = "query cost" if decision.policy.name == "cost" else "requests"
    return {
        "message": (
            f"Rate limit of {decision.policy.amount} {unit} per minute exceeded; "
            f"retry in {decision.reset} s"
        ),
        "extensions": {"code": "RATE_LIMITED", "retryAfter": decision.reset},
    }
