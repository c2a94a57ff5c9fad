"""Rate limiting as pure ASGI middleware: HTTP requests are charged before the app sees them;
WebSockets, lifespan and streamed responses go through untouched (BaseHTTPMiddleware would
buffer and wrap them)."""

from collections import deque

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.authentication import authentication_of
from app.ratelimit.cost import request_cost
from app.ratelimit.identity import Callers
from app.ratelimit.limiter import Decision, Policy
from app.ratelimit.policy import (
    Kind,
    anonymous_policy,
    cost_policy,
    kind_of,
    public_policy,
    request_policy,
    webhook_policy,
)
from app.services import Services

WINDOW_SECONDS = 60


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.settings = services.settings
        self.limiter = services.limiter
        self.callers = Callers(services, self.settings.rate_limit_identity_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Preflights carry no credentials and do nothing; browsers send one before a widget's
        # first report, which must not cost the reporter part of their budget.
        if (
            scope["type"] != "http"
            or not self.settings.rate_limiting
            or scope["method"] == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        kind = kind_of(scope["path"])
        if kind is Kind.EXEMPT:
            await self.app(scope, receive, send)
            return
        charges, receive = await self.charges(kind, scope, receive)
        decisions: list[Decision] = []
        for policy, identity, cost in charges:
            decision = await self.limiter.charge(policy, identity, cost)
            if decision is None:
                continue
            decisions.append(decision)
            if not decision.allowed:
                await refuse(decision, decisions, scope, receive, send)
                return
        if not decisions:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in rate_limit_headers(decisions).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def charges(
        self, kind: Kind, scope: Scope, receive: Receive
    ) -> tuple[list[tuple[Policy, str, int]], Receive]:
        """(budget, whose, units) to take for this request, and the `receive` to hand on."""
        address = f"ip:{scope['client'][0]}" if scope.get("client") else "ip:unknown"
        if kind is Kind.PUBLIC:
            return [(public_policy(self.settings), address, 1)], receive
        if kind is Kind.WEBHOOK:
            caller = await self.callers.of_webhook(Headers(scope=scope))
            identity = caller.identity if caller else address
            return [(webhook_policy(self.settings), identity, 1)], receive
        principal = authentication_of(scope).principal
        if principal is None:
            # No or refused credentials (sign-in, a wrong key): limited per address, so that
            # passwords and keys cannot be guessed at speed; the app then answers as usual.
            return [(anonymous_policy(self.settings), address, 1)], receive
        caller = await self.callers.of(principal)
        charges = [(request_policy(self.settings, caller.plan), caller.identity, 1)]
        if scope["path"] == "/graphql" and scope["method"] == "POST":
            # Charged by the body whatever Content-Type claims: Strawberry runs any media type
            # containing `application/json` (`x-application/json` too), so going by the label
            # let a heavy query through for 1. A JSON body under a type it refuses pays its
            # cost anyway, which only a misbehaving client does; multipart (uploads are off)
            # does not parse as JSON and costs 1.
            budget = cost_policy(self.settings, caller.plan)
            body, receive = await buffered(receive)
            cost = request_cost(body, self.settings.graphql_max_tokens, budget.amount + 1)
            charges.append((budget, caller.identity, cost))
        return charges, receive


async def buffered(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole body, and a `receive` that plays it back to the app as it arrived."""
    messages: deque[Message] = deque()
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")

    async def replay() -> Message:
        return messages.popleft() if messages else await receive()

    return body, replay


def rate_limit_headers(decisions: list[Decision]) -> dict[str, str]:
    """IETF draft RateLimit fields for the budget closest to running out (or the one that did);
    RateLimit-Policy lists every budget the request was charged against, that one first."""
    binding = next((d for d in decisions if not d.allowed), None) or max(
        decisions, key=lambda d: d.used_fraction
    )
    ordered = [binding, *(d for d in decisions if d is not binding)]
    return {
        "RateLimit-Policy": ", ".join(policy_item(d.policy) for d in ordered),
        "RateLimit": (
            f"limit={binding.policy.amount}, remaining={binding.remaining}, reset={binding.reset}"
        ),
    }


def policy_item(policy: Policy) -> str:
    item = f"{policy.amount};w={WINDOW_SECONDS}"
    return f'{item};comment="{policy.name}"' if policy.name == "cost" else item


async def refuse(
    decision: Decision, decisions: list[Decision], scope: Scope, receive: Receive, send: Send
) -> None:
    unit = "query cost" if decision.policy.name == "cost" else "requests"
    headers = {"Retry-After": str(decision.reset), **rate_limit_headers(decisions)}
    origin = Headers(scope=scope).get("origin")
    if origin and kind_of(scope["path"]) is Kind.PUBLIC:
        # A widget's page must be able to read the 429 (the answer holds nothing of anyone's).
        headers |= {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    response = JSONResponse(
        {
            "error": {
                "code": "RATE_LIMITED",
                "message": (
                    f"Rate limit of {decision.policy.amount} {unit} per minute exceeded; "
                    f"retry in {decision.reset} s"
                ),
            }
        },
        status_code=429,
        headers=headers,
    )
    await response(scope, receive, send)
