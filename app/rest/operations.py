"""The REST contract written once: a table of operations, each naming its route, handler,
request and response models; the served routes and the OpenAPI document are both read from it.

Why a table of our own rather than FastAPI or spectree: Haven is a Starlette app whose rate
limit, body limit and database-unavailable answers are pure ASGI middlewares around every
route. A mounted FastAPI app would bring a second application with its own error handling,
validation messages and 422 shapes, all of which would have to be bent back into the seeds'
envelope; spectree would decorate each handler again. A table over plain Starlette routes keeps
one app, one set of exception handlers (`app.rest.errors`), and pydantic models that validate
input, serialize output and describe both in the document.
"""

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.kit.errors import HavenError
from app.kit.unavailable import DatabaseUnavailable
from app.rest.envelope import bounded_body, error_response, invalid, json_object, parse_object
from app.rest.types import Body

logger = logging.getLogger("haven.rest")

Handler = Callable[[Request], Awaitable[Response]]
Schema = dict[str, Any]
REF_TEMPLATE = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Reply:
    """One documented answer: its description and body model (None for no JSON body)."""

    description: str
    # A Body, or a root model where an answer takes one of several shapes (with `example`).
    model: type[BaseModel] | None = None
    example: Any = None
    links: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Schema] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: Handler
    operation_id: str
    tag: str
    summary: str
    security: list[Schema]
    replies: dict[int, Reply]
    errors: tuple[int, ...] = ()
    parameters: list[Schema] = field(default_factory=list)
    body: type[BaseModel] | None = None
    body_example: Any = None
    # Named examples of the body, shown instead of the one example where a body has forms.
    body_examples: dict[str, Any] = field(default_factory=dict)
    # Other media types the body may come as, with the same fields (an HTML form's post).
    body_also: tuple[str, ...] = ()
    # False where leaving the body out means "the defaults".
    body_required: bool = True
    description: str | None = None
    # Answers described by hand: ones no model expresses, like a workflow's own refusal codes.
    extra: dict[str, Schema] = field(default_factory=dict)


def guarded(handler: Handler) -> Handler:
    """Mask what nobody expected as a logged 500; expected failures (HavenError) go on to the
    exception handlers registered on the app, and an unreachable database to its 503."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except (HavenError, DatabaseUnavailable):
            raise
        except Exception:
            # The route's template, not the path: paths carry ids and, for portal links, tokens.
            route = getattr(request.scope.get("route"), "path", "?")
            logger.exception("unexpected error in %s %s", request.method, route)
            return error_response(500, "INTERNAL_ERROR", "Unexpected error")

    return wrapped


def routes(operations: Iterable[Operation]) -> list[BaseRoute]:
    return [Route(op.path, guarded(op.handler), methods=[op.method]) for op in operations]


class JSONBody(Response):
    """A response model, serialized in its declared form (ids prefixed, times to the ms)."""

    media_type = "application/json"

    def __init__(self, body: BaseModel, status_code: int = 200) -> None:
        content = json.dumps(body.model_dump(mode="json"), separators=(",", ":"))
        super().__init__(content, status_code=status_code)


# Messages for the ways a body field can be wrong, by pydantic's error type; a model may name
# its own in `MESSAGES` ({"field": "...", "field.missing": "..."}).
_TYPE_WORDS = {"string_type": "a string", "bool_type": "a boolean", "int_type": "a whole number"}


def _message(model: type[BaseModel], error: Any) -> str:
    name = str(error["loc"][0]) if error["loc"] else "body"
    own: dict[str, str] = getattr(model, "MESSAGES", {})
    if error["type"] == "missing":
        return own.get(f"{name}.missing", f"{name} is required")
    if name in own:
        return own[name]
    return f"{name} must be {_TYPE_WORDS.get(error['type'], 'valid')}"


def parse(model: type[Any], data: dict[str, Any]) -> Any:
    """`data` as `model`, or VALIDATION_ERROR naming the first wrong field."""
    try:
        return model.model_validate(data, strict=True)
    except ValidationError as error:
        raise invalid(_message(model, error.errors()[0])) from None


async def read_body(request: Request, model: type[Any]) -> Any:
    """The request body as `model`: a bounded JSON object, then its fields."""
    return parse(model, await json_object(request))


async def read_optional_body(request: Request, model: type[Any]) -> Any:
    """As `read_body`, where no body at all means the model's defaults."""
    raw = await bounded_body(request)
    return parse(model, parse_object(raw)) if raw.strip() else model()


# --- the document ----------------------------------------------------------------------------


def _models(operations: Iterable[Operation]) -> list[tuple[type[BaseModel], Any]]:
    found: list[tuple[type[BaseModel], Any]] = []
    for op in operations:
        if op.body is not None:
            found.append((op.body, "validation"))
        found += [(reply.model, "serialization") for reply in op.replies.values() if reply.model]
    return list(dict.fromkeys(found))


class _Document(GenerateJsonSchema):
    """Schemas as the document writes them: no generated titles, no `default: null` on
    fields a caller may leave out."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> Schema:
        if schema.get("default", ...) is None:
            # Left out means "not given": the field's own schema says what Haven then assumes.
            inner: Schema = self.generate_inner(schema["schema"])
            return inner
        return super().default_schema(schema)


def components(
    operations: Iterable[Operation], extra: Iterable[type[BaseModel]] = ()
) -> dict[str, Schema]:
    """JSON Schemas of every model the operations (and `extra`) use, keyed by model name."""
    models = _models(operations) + [(model, "serialization") for model in extra]
    if not models:
        return {}
    _, definitions = models_json_schema(
        models, ref_template=REF_TEMPLATE, schema_generator=_Document
    )
    schemas: dict[str, Schema] = definitions.get("$defs", {})
    for schema in schemas.values():
        schema.pop("title", None)
    return schemas


def _ref(model: type[BaseModel]) -> Schema:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _reply(reply: Reply) -> Schema:
    answer: Schema = {"description": reply.description}
    if reply.model is not None:
        media: Schema = {"schema": _ref(reply.model)}
        own = reply.model.example() if issubclass(reply.model, Body) else None
        example = reply.example if reply.example is not None else own
        if example is not None:
            media["example"] = example
        answer["content"] = {"application/json": media}
    if reply.links:
        answer["links"] = reply.links
    if reply.headers:
        answer["headers"] = reply.headers
    return answer


def _operation(op: Operation) -> Schema:
    spec: Schema = {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": op.summary,
        "security": op.security,
    }
    if op.description is not None:
        spec["description"] = op.description
    if op.parameters:
        spec["parameters"] = op.parameters
    if op.body is not None:
        media: Schema = {"schema": _ref(op.body)}
        if op.body_examples:
            media["examples"] = {name: {"value": value} for name, value in op.body_examples.items()}
        elif op.body_example is not None:
            media["example"] = op.body_example
        content = {"application/json": media}
        content.update({kind: {"schema": _ref(op.body)} for kind in op.body_also})
        spec["requestBody"] = {"required": op.body_required, "content": content}
    responses: Schema = {str(status): _reply(reply) for status, reply in op.replies.items()}
    responses.update(op.extra)
    responses.update(
        {
            str(status): {"$ref": f"#/components/responses/Error{status}"}
            for status in (*op.errors, 500)
        }
    )
    spec["responses"] = responses
    return spec


def paths(operations: Iterable[Operation]) -> dict[str, Schema]:
    found: dict[str, Schema] = {}
    for op in operations:
        found.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return found
