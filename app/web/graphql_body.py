"""Reading a GraphQL request's JSON, and refusing what cannot be read.

A refusal has the shape of a GraphQL error with a stable code (`BAD_REQUEST`, or
`PAYLOAD_TOO_LARGE` for the body bound), so a client handles it like any other error rather
than meeting Strawberry's plain-text reasons."""

import json
from collections.abc import Iterable
from itertools import chain, compress
from typing import Any

from cross_web import HTTPException
from starlette.responses import JSONResponse

# Real operations nest a handful of levels (the body, `variables`, an input, a JSON value in
# it). The decoder and graphql-core both recurse, so a few thousand levels would end in a
# RecursionError (a 500); the bound keeps every depth that gets through far from that.
MAX_JSON_DEPTH = 100
CONTAINERS = frozenset({dict, list})
# The codes of refusals by HTTP status; Strawberry's own (a body that is not JSON, a content
# type it does not take, GraphiQL where it is off) come with a status and a reason only.
CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
}


class BodyRefused(HTTPException):
    """A body that is not an operation Haven will read: answered 400 BAD_REQUEST."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)


class TooDeep(json.JSONDecodeError):
    """JSON nested deeper than MAX_JSON_DEPTH. A JSONDecodeError, so that every reader of
    JSON (Strawberry's WebSocket loop, which closes with 4400, too) refuses it as unreadable."""

    def __init__(self) -> None:
        super().__init__(f"Nested more than {MAX_JSON_DEPTH} levels deep", "", 0)


def refusal(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """`{"errors": [{"message", "extensions": {"code"}}]}` with the status's code."""
    error = {"message": message, "extensions": {"code": CODES.get(status, "BAD_REQUEST")}}
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers)


def read_body(data: str | bytes) -> object:
    """The JSON of an HTTP request (its body, or a GET's `variables`), or BodyRefused saying
    what is wrong with it: not UTF-8, not JSON, or nested too deep."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise BodyRefused("Request body must be valid UTF-8") from None
    try:
        return decode(text)
    except TooDeep:
        message = f"Request body must not be nested more than {MAX_JSON_DEPTH} levels deep"
        raise BodyRefused(message) from None
    except json.JSONDecodeError:
        raise BodyRefused("Unable to parse request body as JSON") from None


def decode(text: str | bytes) -> object:
    """JSON nested at most MAX_JSON_DEPTH levels deep; TooDeep when deeper."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep() from None
    if nested_deeper(value, MAX_JSON_DEPTH):
        raise TooDeep()
    return value


def nested_deeper(value: object, limit: int) -> bool:
    """Whether objects and arrays in `value` nest more than `limit` levels (the outermost is
    level 1). Level by level, with the per-item work in C: a megabyte of `[],[],...` costs
    less than parsing it did, and depth costs no stack."""
    level = containers([value])
    for _ in range(limit):
        if not level:
            return False
        level = containers(chain.from_iterable(c.values() if type(c) is dict else c for c in level))
    return bool(level)


def containers(items: Iterable[Any]) -> list[Any]:
    """The objects and arrays among `items` (json.loads makes no subclasses of either)."""
    listed = list(items)
    return list(compress(listed, map(CONTAINERS.__contains__, map(type, listed))))
