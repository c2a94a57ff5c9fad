"""Reusable parts of the REST document: JSON Schemas, shared responses and security schemes."""

from typing import Any

from app.comments.models import AuthorKind
from app.kit import validation
from app.kit.pagination import MAX_PAGE
from app.rest.envelope import MAX_BODY_BYTES
from app.rest.inputs import PRIORITIES, SOURCES
from app.tickets.models import Priority, Source, TicketStatus

Schema = dict[str, Any]

ERROR_CODES = [
    "VALIDATION_ERROR",
    "UNAUTHORIZED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "RATE_LIMITED",
    "PAYLOAD_TOO_LARGE",
    "INTERNAL_ERROR",
]
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


ERROR_SCHEMAS: dict[str, Schema] = {
    "ErrorBody": closed(
        {"code": {"type": "string", "enum": ERROR_CODES}, "message": STRING},
    ),
    "Error": {
        **closed({"error": ref("ErrorBody")}),
        "description": "The envelope every failure is answered with",
        "example": {"error": {"code": "VALIDATION_ERROR", "message": "Subject is required"}},
    },
}

V1_SCHEMAS: dict[str, Schema] = {
    "Health": closed({"status": {"const": "ok"}, "service": STRING, "version": STRING}),
    "V1TicketCreate": {
        "type": "object",
        "required": ["subject", "body"],
        "properties": {
            "subject": {
                "type": "string",
                "minLength": 1,
                "description": f"Ticket subject line, 1 to {validation.TITLE_MAX} characters "
                "once trimmed",
            },
            "body": {
                "type": "string",
                "minLength": 1,
                "description": "Full description (Markdown), at most 64 KB",
            },
            "sender_email": {"type": ["string", "null"], "description": "Submitter's email"},
            "sender_name": {
                "type": ["string", "null"],
                "description": f"Submitter's name, at most {validation.NAME_MAX} characters",
            },
            "priority": {"enum": [*PRIORITIES, None], "default": "p3_medium"},
            "source": {"enum": [*SOURCES, None], "default": "api"},
            "tags": {
                "type": ["array", "null"],
                "items": STRING,
                "description": f"At most {validation.TAGS_MAX} tags of up to "
                f"{validation.TAG_MAX} characters",
            },
            "metadata": {"anyOf": [METADATA, {"type": "null"}]},
        },
    },
    "V1TicketCreated": closed(
        {"ticket_id": global_id("tkt", "ticket"), "ticket_number": {"type": "integer"}}
    ),
    "V1Message": closed(
        {
            "id": global_id("cmt", "message"),
            "author_type": {"enum": values(AuthorKind)},
            "body": STRING,
            "created_at": TIMESTAMP,
        }
    ),
    "V1Ticket": closed(
        {
            "ticket_id": global_id("tkt", "ticket"),
            "ticket_number": {"type": "integer"},
            "subject": STRING,
            "status": {"enum": values(TicketStatus)},
            "priority": {"enum": list(PRIORITIES)},
            "category": {"type": ["string", "null"]},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "messages": {
                "type": "array",
                "items": ref("V1Message"),
                "description": "Non-internal messages, oldest first",
            },
        }
    ),
    "V1MessageCreate": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "body": {"type": "string", "minLength": 1, "description": "Message text"},
            "contact_email": {"type": ["string", "null"]},
        },
    },
    "V1MessageCreated": closed({"message_id": global_id("cmt", "message")}),
}

API_TICKET_SCHEMAS: dict[str, Schema] = {
    "Pagination": closed(
        {
            "cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page",
            },
            "has_more": {"type": "boolean"},
            "total": {"type": "integer", "minimum": 0},
        }
    ),
    "TicketSummary": closed(
        {
            "id": global_id("tkt", "ticket"),
            "tenant_id": global_id("ten", "tenant"),
            "status": {"enum": values(TicketStatus)},
            "priority": {"enum": values(Priority)},
            "category": {"type": ["string", "null"]},
            "subject": STRING,
            "source": {"enum": values(Source)},
            "ai_confidence": {"type": ["number", "null"]},
            "assigned_to": nullable(global_id("usr", "assignee")),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    ),
    "TicketPage": closed(
        {"data": {"type": "array", "items": ref("TicketSummary")}, "pagination": ref("Pagination")}
    ),
    "TimelineEvent": closed(
        {
            "id": {"type": "string", "pattern": "^evt_"},
            "type": STRING,
            "actor": {"type": "string", "description": "`system` or the person's name"},
            "timestamp": TIMESTAMP,
            "details": OBJECT,
        }
    ),
    "TicketDetail": closed(
        {
            "id": global_id("tkt", "ticket"),
            "tenant_id": global_id("ten", "tenant"),
            "status": {"enum": values(TicketStatus)},
            "priority": {"enum": values(Priority)},
            "category": {"type": ["string", "null"]},
            "subject": STRING,
            "source": {"enum": values(Source)},
            "event_id": {
                "type": ["string", "null"],
                "description": "The platform's event id, on tickets opened by a webhook",
            },
            "ai_classification": {"type": ["object", "null"]},
            "assigned_to": nullable(global_id("usr", "assignee")),
            "safety_case_id": {"type": ["string", "null"]},
            "timeline": {"type": "array", "items": ref("TimelineEvent")},
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        }
    ),
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
