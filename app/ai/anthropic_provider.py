"""Claude through Anthropic's Messages API.

Every answer is one forced tool call, checked against the tool's model (app/ai/prompts.py);
an answer that does not fit is a retryable failure naming what was wrong. The SDK retries
429 (waiting as `retry-after` asks), 529 and 5xx, backing off, up to `ai_max_retries` times;
what still fails, and every refusal, becomes an `AIFailed` in words an operator can act on.

Calls leave through Haven's one outbound client. The SDK speaks `httpx2`, not `httpx`, so a
small transport hands each of its requests to that client and its answer back."""

import json
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import anthropic
import httpx
import httpx2
from anthropic.types import Message as Reply
from anthropic.types import TextBlockParam, ToolParam
from pydantic import ValidationError

from app.ai import prompts
from app.ai.contract import (
    AIFailed,
    Draft,
    DraftRequest,
    Made,
    Sop,
    SopRequest,
    Triage,
    TriageRequest,
    Usage,
)
from app.kit.outbound import Outbound
from app.kit.settings import Settings

DEFAULT_BASE_URL = "https://api.anthropic.com"
# Room for the longest answer each tool asks for: an answer cut off mid-call is unusable.
MAX_TOKENS = {prompts.TRIAGE_TOOL: 1500, prompts.DRAFT_TOOL: 3000, prompts.SOP_TOOL: 2500}
# What an operator should check when the API refuses a call for good.
HINTS = {
    401: "check HAVEN_ANTHROPIC_API_KEY",
    403: "the API key is not allowed this model or feature",
    404: "check HAVEN_AI_MODEL and HAVEN_ANTHROPIC_BASE_URL",
}

# Answers that end this way would end the same way if asked again.
FINAL_STOPS = {
    "refusal": "Claude declined to answer for this ticket; it needs a person",
    "model_context_window_exceeded": "the ticket and its context do not fit the model's window",
}

Checked = TypeVar("Checked", bound=prompts.Answer)


class OutboundTransport(httpx2.AsyncBaseTransport):
    """Sends the SDK's requests with Haven's outbound client: its pool, its User-Agent, its
    refusal to follow redirects."""

    # The SDK names itself in User-Agent, where Haven's client puts Haven's name; host and
    # length are set again by the client that sends.
    DROPPED = frozenset({b"user-agent", b"host", b"content-length"})

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        headers = [
            (key, value) for key, value in request.headers.raw if key.lower() not in self.DROPPED
        ]
        outgoing = self.client.build_request(
            request.method,
            str(request.url),
            headers=headers,
            content=await request.aread(),
            extensions=dict(request.extensions),
        )
        try:
            response = await self.client.send(outgoing, stream=True)
        except httpx.HTTPError as error:
            raise _mirrored(error) from error
        return httpx2.Response(
            response.status_code, headers=response.headers.raw, stream=_Body(response)
        )


class _Body(httpx2.AsyncByteStream):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self.response.aiter_raw():
                yield part
        except httpx.HTTPError as error:
            raise _mirrored(error) from error

    async def aclose(self) -> None:
        await self.response.aclose()


def _mirrored(error: httpx.HTTPError) -> httpx2.TransportError:
    """The failure as the SDK's HTTP library names it, so the SDK tells a timeout from the rest."""
    if isinstance(error, httpx.TimeoutException):
        return httpx2.TimeoutException(str(error))
    return httpx2.TransportError(str(error) or type(error).__name__)


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, settings: Settings, outbound: Outbound) -> None:
        assert settings.anthropic_api_key, "checked by Settings and by the provider choice"
        self.model = settings.ai_model
        self._key = settings.anthropic_api_key
        self._seconds = settings.ai_timeout_seconds
        self._retries = settings.ai_max_retries
        self._client = anthropic.AsyncAnthropic(
            api_key=settings.anthropic_api_key,
            base_url=settings.anthropic_base_url or DEFAULT_BASE_URL,
            timeout=settings.ai_timeout_seconds,
            max_retries=settings.ai_max_retries,
            http_client=httpx2.AsyncClient(
                transport=OutboundTransport(outbound.client), follow_redirects=False
            ),
        )

    async def triage(self, request: TriageRequest) -> Triage:
        if not request.categories:
            raise AIFailed("the tenant has no ticket categories to triage into", retryable=False)
        names = tuple(category.name for category in request.categories)
        reply = await self._ask(
            prompts.TRIAGE,
            prompts.triage_system(request.categories),
            prompts.triage_message(request.ticket),
        )
        found = _checked(prompts.TriageAnswer, reply, prompts.TRIAGE_TOOL, categories=names)
        return Triage(
            priority=found.priority.value,
            category=found.category,
            sentiment=found.sentiment,
            summary=found.summary,
            suggested_reply=found.suggested_reply,
            risks=tuple(dict.fromkeys(found.risks)),
            confidence=found.confidence,
            made=self._made(reply),
        )

    async def draft(self, request: DraftRequest) -> Draft:
        reply = await self._ask(
            prompts.DRAFT,
            prompts.draft_system(request.tenant_prompt, request.signature, request.articles),
            prompts.draft_message(
                request.ticket, request.messages, request.tone, request.instructions
            ),
        )
        given = tuple(article.id for article in request.articles)
        found = _checked(prompts.DraftAnswer, reply, prompts.DRAFT_TOOL, articles=given)
        return Draft(
            content=found.content,
            confidence=found.confidence,
            articles_used=tuple(dict.fromkeys(found.articles_used)),
            made=self._made(reply),
        )

    async def sop(self, request: SopRequest) -> Sop:
        reply = await self._ask(
            prompts.SOP,
            prompts.sop_system(),
            prompts.sop_message(request.ticket, request.messages),
        )
        found = _checked(prompts.SopAnswer, reply, prompts.SOP_TOOL)
        return Sop(
            title=found.title,
            applies_when=found.applies_when,
            steps=tuple(found.steps),
            escalation=found.escalation,
            made=self._made(reply),
        )

    async def _ask(self, tool: ToolParam, system: list[TextBlockParam], user: str) -> Reply:
        try:
            return await self._client.messages.create(
                model=self.model,
                max_tokens=MAX_TOKENS[tool["name"]],
                system=system,
                messages=[{"role": "user", "content": user}],
                tools=[tool],
                tool_choice={"type": "tool", "name": tool["name"]},
            )
        except anthropic.APIError as error:
            raise AIFailed(self._described(error), retryable=_retryable(error)) from None

    def _described(self, error: anthropic.APIError) -> str:
        if isinstance(error, anthropic.APITimeoutError):
            said = f"no answer from the Messages API within {self._seconds:g}s"
        elif isinstance(error, anthropic.APIConnectionError):
            said = f"could not reach the Messages API: {error.__cause__ or error.message}"
        elif isinstance(error, anthropic.APIStatusError):
            kind, message = _error_of(error.body)
            said = f"the Messages API answered {error.status_code} {kind}: {message}"
            hint = HINTS.get(error.status_code)
            if hint:
                said += f"; {hint}"
        else:
            said = f"the Messages API's answer could not be read: {error.message}"
        tries = self._retries + 1
        if _retryable(error):
            said += f" (tried {tries} times)" if tries > 1 else " (tried once)"
        return said.replace(self._key, "[key]")

    @staticmethod
    def _made(reply: Reply) -> Made:
        usage = reply.usage
        return Made(
            provider="anthropic",
            model=reply.model,
            usage=Usage(
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cache_read_tokens=usage.cache_read_input_tokens or 0,
                cache_write_tokens=usage.cache_creation_input_tokens or 0,
            ),
        )


def _retryable(error: anthropic.APIError) -> bool:
    if isinstance(error, anthropic.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return True


def _error_of(body: object) -> tuple[str, str]:
    """The error's type and message from Anthropic's error body, whatever came instead."""
    inner = body.get("error") if isinstance(body, dict) else None
    if isinstance(inner, dict):
        return str(inner.get("type", "error")), str(inner.get("message", "no details"))
    return "error", str(body)[:200] if body else "no details"


def _checked(answer: type[Checked], reply: Reply, tool: str, **context: Any) -> Checked:
    """The forced tool call's input, checked; anything else is a retryable failure saying
    what was wrong, since another attempt may well fit."""
    if reply.stop_reason in FINAL_STOPS:
        raise AIFailed(f"{FINAL_STOPS[reply.stop_reason]} ({tool})", retryable=False)
    if reply.stop_reason == "max_tokens":
        raise AIFailed(
            f"Claude's {tool} answer was cut off at {MAX_TOKENS[tool]} tokens", retryable=True
        )
    called = [block for block in reply.content if block.type == "tool_use" and block.name == tool]
    if not called:
        said = " ".join(block.text for block in reply.content if block.type == "text")
        raise AIFailed(
            f"Claude answered without calling {tool}: {said[:200] or 'no text'}", retryable=True
        )
    try:
        return answer.model_validate_json(json.dumps(called[0].input), strict=True, context=context)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'input'}: "
            f"{problem['msg'].removeprefix('Value error, ')}"
            for problem in error.errors()[:5]
        )
        raise AIFailed(f"Claude's {tool} answer does not fit: {problems}", retryable=True) from None
