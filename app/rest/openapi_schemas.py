"""Reusable parts of the REST document: JSON Schemas, shared responses and security schemes."""

from typing import Any

from app.kit import validation
from app.kit.ids import PREFIXES
from app.kit.pagination import MAX_PAGE
from app.kit.validation import MAX_BODY_BYTES

Schema = dict[str, Any]

# The status each code is sent with, and what it means wherever it is sent.
ERROR_STATUSES = {
    400: ("VALIDATION_ERROR", "Missing or invalid request fields, or a malformed body"),
    401: ("UNAUTHORIZED", "Missing, invalid or revoked credentials"),
    403: ("FORBIDDEN", "The credentials may not do this"),
    404: ("NOT_FOUND", "The resource does not exist or belongs to another tenant"),
    409: ("CONFLICT", "Duplicate or conflicting operation"),
    413: ("PAYLOAD_TOO_LARGE", f"The request body is over {MAX_BODY_BYTES // 1024 // 1024} MB"),
    429: ("RATE_LIMITED", "Rate limit exceeded; retry after Retry-After seconds"),
    500: ("INTERNAL_ERROR", "Unexpected server error (details are logged, never shown)"),
}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def closed(properties: dict[str, Schema], *, optional: tuple[str, ...] = ()) -> Schema:
    """An object with exactly these properties, all required but the optional ones."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def values(enum: Any) -> list[str]:
    return [member.value for member in enum]


STRING: Schema = {"type": "string"}
TIMESTAMP: Schema = {"type": "string", "format": "date-time"}
OBJECT: Schema = {"type": "object"}
METADATA: Schema = {
    "type": "object",
    "description": f"Arbitrary JSON object, at most {validation.METADATA_MAX_BYTES // 1024} KB",
}


def global_id(prefix: str, what: str) -> Schema:
    return {
        "type": "string",
        "pattern": f"^{prefix}_[0-9a-f-]{{36}}$",
        "description": f"Global id of the {what}",
    }


API_KEY: list[Schema] = [{"ApiKeyBearer": []}, {"ApiKeyHeader": []}]
TOKEN_OR_KEY: list[Schema] = [{"BearerJWT": []}, {"ApiKeyBearer": []}, {"ApiKeyHeader": []}]


def choice_parameter(name: str, enum: Any, description: str) -> Schema:
    """An optional query filter taking one of `enum`'s values."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", "enum": values(enum)},
    }


def id_parameter(
    name: str, type_name: str, what: str, example: str, *, where: str = "path"
) -> Schema:
    """A required parameter naming a record by its global id (`cas_<uuid>`) or its bare UUID,
    as `app.rest.params.path_pk` reads it."""
    prefix = PREFIXES[type_name]
    return {
        "name": name,
        "in": where,
        "required": True,
        "description": f"The {what}'s global id (`{prefix}_<uuid>`) or its bare UUID",
        "schema": STRING,
        "example": example,
    }


LIMIT_PARAMETER: Schema = {
    "name": "limit",
    "in": "query",
    "required": False,
    "description": f"Results per page (1-{MAX_PAGE}, default 25)",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 25},
}
CURSOR_PARAMETER: Schema = {
    "name": "cursor",
    "in": "query",
    "required": False,
    "description": "The `pagination.cursor` of the previous page; omit for the first page",
    "schema": STRING,
}


def links(response: Schema, targets: dict[str, str], pointer: str, parameter: str) -> Schema:
    """The response with links to operations (`{name: operationId}`) taking `parameter` from
    the body at `pointer`: how a client goes on from what it was given."""
    value = f"$response.body#{pointer}"
    return {
        **response,
        "links": {
            name: {"operationId": operation_id, "parameters": {parameter: value}}
            for name, operation_id in targets.items()
        },
    }


def error_response(status: int) -> Schema:
    code, description = ERROR_STATUSES[status]
    response: Schema = {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "allOf": [
                        ref("Error"),
                        {"properties": {"error": {"properties": {"code": {"const": code}}}}},
                    ]
                }
            }
        },
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds until the budget refills",
                "schema": {"type": "integer", "minimum": 0},
            }
        }
    return response


def shared_responses() -> dict[str, Schema]:
    return {f"Error{status}": error_response(status) for status in ERROR_STATUSES}


def errors(*statuses: int) -> dict[str, Schema]:
    """References to the shared error responses, plus the 500 every endpoint may send."""
    return {
        str(status): {"$ref": f"#/components/responses/Error{status}"}
        for status in (*statuses, 500)
    }


def refusal(description: str, codes: list[str], example: dict[str, str]) -> Schema:
    """An answer in the envelope whose codes are a workflow's own (INSUFFICIENT_EVIDENCE,
    EVIDENCE_TAMPERED), beyond the shared codes of `ErrorBody`."""
    schema = closed({"error": closed({"code": {"enum": codes}, "message": STRING})})
    media = {"schema": schema, "example": {"error": example}}
    return {"description": description, "content": {"application/json": media}}


SECURITY_SCHEMES: dict[str, Schema] = {
    "ApiKeyBearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "hv_ API key",
        "description": "A tenant API key: `Authorization: Bearer hv_...`",
    },
    "ApiKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "A tenant API key in its own header",
    },
    "BearerJWT": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An RS256 access token from sign-in (GraphQL `login`); an API key is "
        "accepted in its place",
    },
    "WidgetToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Widget-Token",
        "description": "The report widget's embed token; it names the tenant",
    },
}
