"""A local stand-in speaking Anthropic's Messages API (`POST /v1/messages`), scriptable per
test: a queue of replies (a forced tool's answer, rate limits, overloads, server errors,
malformed or text-only answers, slow answers, refusals), then well-formed answers built from
the forced tool's own schema. It records every request it got, headers and body.

Like the real API it checks the key and the version header, and counts tokens with prompt
caching: the prefix up to the last `cache_control` breakpoint is written on first sight and
read on every later request that starts with the same prefix."""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

KEY = "sk-ant-stand-in-key"


@dataclass(frozen=True)
class Reply:
    """One scripted reply: an error status (with Anthropic's error type), or a 200 calling the
    forced tool with an input built from its schema, `tool_input` overriding fields of it, or
    text only."""

    status: int = 200
    error: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    tool_input: dict[str, Any] = field(default_factory=dict)
    text_only: bool = False
    stop_reason: str = ""
    delay: float = 0.0


def answer(**tool_input: Any) -> Reply:
    return Reply(tool_input=tool_input)


def rate_limited(seconds: float) -> Reply:
    return Reply(429, "rate_limit_error", {"retry-after": f"{seconds:g}"})


def overloaded() -> Reply:
    return Reply(529, "overloaded_error")


def server_error() -> Reply:
    return Reply(500, "api_error")


def refused(status: int, error: str) -> Reply:
    return Reply(status, error)


def text_only() -> Reply:
    return Reply(text_only=True)


def declined() -> Reply:
    """What a model's safety refusal looks like: no tool call, stop reason `refusal`."""
    return Reply(text_only=True, stop_reason="refusal")


def slow(seconds: float) -> Reply:
    return Reply(delay=seconds)


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def user_text(self) -> str:
        return str(self.body["messages"][0]["content"])


@dataclass
class StandIn:
    replies: list[Reply] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    # What each successful reply reported, for tests to compare with what the provider kept.
    usages: list[dict[str, int]] = field(default_factory=list)
    # The model named in answers; unset, the one asked for.
    model: str | None = None
    cached: set[str] = field(default_factory=set)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/messages", self._messages, methods=["POST"])])

    async def _messages(self, request: Request) -> Response:
        body = await request.json()
        self.received.append(Received(dict(request.headers), body))
        if key_of(request) != KEY:
            return failure(401, "authentication_error", "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return failure(400, "invalid_request_error", "anthropic-version header is required")
        reply = self.replies.pop(0) if self.replies else Reply()
        await asyncio.sleep(reply.delay)
        if reply.status != 200:
            return failure(reply.status, reply.error, f"stand-in {reply.error}", reply.headers)
        return JSONResponse(self._message(body, reply))

    def _message(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        number = len(self.received)
        tool = next(tool for tool in body["tools"] if tool["name"] == body["tool_choice"]["name"])
        if reply.text_only:
            content: list[dict[str, Any]] = [{"type": "text", "text": "I would rather not."}]
        else:
            made = {**example_of(tool["input_schema"]), **reply.tool_input}
            content = [
                {"type": "tool_use", "id": f"toolu_{number}", "name": tool["name"], "input": made}
            ]
        usage = self._usage(body, content)
        self.usages.append(usage)
        return {
            "id": f"msg_stand_in_{number}",
            "type": "message",
            "role": "assistant",
            "model": self.model or body["model"],
            "content": content,
            "stop_reason": reply.stop_reason or ("end_turn" if reply.text_only else "tool_use"),
            "stop_sequence": None,
            "usage": usage,
        }

    def _usage(self, body: dict[str, Any], content: list[dict[str, Any]]) -> dict[str, int]:
        # Cache order as the API has it: tools, then system, then messages.
        parts = [json.dumps(tool) for tool in body["tools"]]
        parts += [json.dumps(block) for block in body.get("system", [])]
        marked = [index for index, part in enumerate(parts) if '"cache_control"' in part]
        prefix = "".join(parts[: marked[-1] + 1]) if marked else ""
        total = tokens("".join(parts)) + tokens(json.dumps(body["messages"]))
        cached = tokens(prefix)
        seen = prefix in self.cached
        self.cached.add(prefix)
        return {
            "input_tokens": total - cached,
            "output_tokens": tokens(json.dumps(content)),
            "cache_creation_input_tokens": 0 if seen else cached,
            "cache_read_input_tokens": cached if seen else 0,
        }


def key_of(request: Request) -> str | None:
    """The API key as `x-api-key` or, as recent SDKs send it, a bearer token."""
    bearer = request.headers.get("authorization", "")
    return request.headers.get("x-api-key") or bearer.removeprefix("Bearer ") or None


def tokens(text: str) -> int:
    return len(text.split())


def failure(
    status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return JSONResponse(body, status, headers=headers)


def example_of(schema: dict[str, Any]) -> Any:
    """A value fitting `schema`, as a model following the tool's schema would give."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: example_of(part) for name, part in schema["properties"].items()}
    if kind == "array":
        return [example_of(schema["items"])] * schema.get("minItems", 0)
    if kind == "number":
        return (schema.get("minimum", 0) + schema.get("maximum", 1)) / 2
    if kind == "integer":
        return schema.get("minimum", 0)
    if kind == "boolean":
        return True
    return "stand-in text"
