"""JSON in, JSON out: bounded request bodies and the `{"error": {code, message}}` envelope."""

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from app.kit.errors import HavenError
from app.kit.validation import MAX_BODY_BYTES, storable

# GraphQL and REST share HavenError codes; these few read differently in the REST contract.
REST_CODES = {"UNAUTHENTICATED": "UNAUTHORIZED", "BAD_REQUEST": "VALIDATION_ERROR"}


class ApiError(HavenError):
    """A failure only the REST layer has (the body itself), with its own status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.rest_code = status, code


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def from_haven(error: HavenError) -> JSONResponse:
    """The envelope of an expected failure, its code as the REST contract names it."""
    if isinstance(error, ApiError):
        return error_response(error.status, error.rest_code, error.message)
    return error_response(error.http_status, REST_CODES.get(error.code, error.code), error.message)


def invalid(message: str) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message)


def _too_large() -> ApiError:
    return ApiError(413, "PAYLOAD_TOO_LARGE", "Request body must be at most 1 MB")


async def bounded_body(request: Request) -> bytes:
    # Content-Length refuses honest large bodies before reading; counting while streaming
    # catches chunked bodies and lying headers.
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise invalid("Content-Length must be a number")
        if int(declared) > MAX_BODY_BYTES:
            raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; PostgreSQL's jsonb would refuse them later, as a 500.
    raise ValueError(name)


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or VALIDATION_ERROR saying what is wrong with it."""
    return parse_object(await bounded_body(request))


def parse_object(raw: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise invalid("Request body must be valid JSON") from None
    if not isinstance(parsed, dict):
        raise invalid("Request body must be a JSON object")
    # NUL and unpaired surrogates: json.loads lets both through, as escapes (`\u0000`, `\ud800`)
    # or, for surrogates, raw.
    if not storable(parsed):
        raise invalid("Request body must not contain NUL characters or unpaired surrogates")
    return parsed
