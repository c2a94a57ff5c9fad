"""Connector management: the platforms that send events and receive actions."""

from app.connectors.mapping import MAX_FIELD_MAPPINGS, SOURCE, TARGETS, TRANSFORMS
from app.connectors.models import ActionType, ConnectorStatus, ConnectorType, HttpMethod
from app.connectors.rest import MAX_GRACE_SECONDS
from app.connectors.service import DEFAULT_GRACE, MAX_HEADERS, NAME_MAX
from app.rest import openapi_examples as examples
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    STRING,
    TIMESTAMP,
    TOKEN_OR_KEY,
    Schema,
    closed,
    errors,
    global_id,
    links,
    ref,
    values,
)
from app.rest.openapi_tickets import json_body, ok
from app.webhooks.events import EVENT_TYPES

CONNECTOR_ID_SCHEMA = global_id("con", "connector")
CONNECTOR_HEAD: dict[str, Schema] = {
    "id": CONNECTOR_ID_SCHEMA,
    "name": STRING,
    "type": {"enum": values(ConnectorType)},
    "status": {"enum": values(ConnectorStatus)},
}


def _config(secret_field: str, description: str) -> Schema:
    # Haven's own fields first; whatever settings the admin stored follow.
    return {
        "type": "object",
        "required": ["webhook_url", secret_field],
        "properties": {
            "webhook_url": {"type": "string", "description": "Where the platform posts events"},
            secret_field: {"type": "string", "description": description},
        },
    }


ONCE = "Shown only in this response; store it securely"

CONNECTOR_SCHEMAS: dict[str, Schema] = {
    "Connector": closed(
        {
            **CONNECTOR_HEAD,
            "config": _config("signing_secret_last4", "Last four characters of the secret"),
            "inbound_mappings_count": {"type": "integer", "minimum": 0},
            "outbound_actions_count": {"type": "integer", "minimum": 0},
            "last_event_at": {"type": ["string", "null"], "format": "date-time"},
            "created_at": TIMESTAMP,
        }
    ),
    "ConnectorPage": closed(
        {"data": {"type": "array", "items": ref("Connector")}, "pagination": ref("Pagination")}
    ),
    "ConnectorCreate": {
        "type": "object",
        "required": ["name", "type"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX},
            "type": {"type": "string", "enum": values(ConnectorType)},
            "config": {
                "type": ["object", "null"],
                "description": "Type-specific settings, at most 16 KB of JSON; never credentials "
                "(keys naming a secret, password, token or private key are refused)",
            },
        },
    },
    "ConnectorCreated": closed(
        {**CONNECTOR_HEAD, "config": _config("signing_secret", ONCE), "created_at": TIMESTAMP}
    ),
    "SecretRotation": {
        "type": "object",
        "properties": {
            "grace_seconds": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_GRACE_SECONDS,
                "default": int(DEFAULT_GRACE.total_seconds()),
                "description": "How long the current secret keeps verifying",
            }
        },
    },
    "ConnectorRotated": closed(
        {
            **CONNECTOR_HEAD,
            "config": _config("signing_secret", ONCE),
            "created_at": TIMESTAMP,
            "secret_rotated_at": TIMESTAMP,
            "previous_secret_expires_at": TIMESTAMP,
        }
    ),
    "FieldMapping": {
        "type": "object",
        "required": ["source", "target"],
        "additionalProperties": False,
        "properties": {
            "source": {
                "type": "string",
                "pattern": SOURCE.pattern,
                "description": "Dotted path into the event, such as payload.reason",
            },
            "target": {
                "type": "string",
                "description": f"One of {', '.join(TARGETS)}, or metadata.<key>",
            },
            "transform": {
                "type": "string",
                "description": f"One of {', '.join(TRANSFORMS)}; truncate takes `:<length>`",
            },
        },
    },
    "MappingCreate": {
        "type": "object",
        "required": ["event_type", "field_mappings"],
        "properties": {
            "event_type": {"type": "string", "enum": list(EVENT_TYPES)},
            "field_mappings": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_FIELD_MAPPINGS,
                "items": ref("FieldMapping"),
                "description": "Each target at most once",
            },
        },
    },
    "Mapping": closed(
        {
            "id": global_id("map", "mapping"),
            "connector_id": CONNECTOR_ID_SCHEMA,
            "event_type": {"enum": list(EVENT_TYPES)},
            "field_mappings": {"type": "array", "items": ref("FieldMapping")},
            "created_at": TIMESTAMP,
        }
    ),
    "ActionCreate": {
        "type": "object",
        "required": ["action_type", "endpoint", "method", "payload_template"],
        "properties": {
            "action_type": {"type": "string", "enum": values(ActionType)},
            "endpoint": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2000,
                "description": "Public http(s) URL with {{name}} placeholders; private, "
                "loopback and link-local addresses are refused",
            },
            "method": {"type": "string", "enum": values(HttpMethod)},
            "headers": {
                "type": ["object", "null"],
                "maxProperties": MAX_HEADERS,
                "additionalProperties": {"type": "string", "maxLength": 2000},
            },
            "payload_template": {
                "type": "string",
                "minLength": 1,
                "description": "JSON with {{name}} placeholders, at most 16 KB",
            },
        },
    },
    "Action": closed(
        {
            "id": global_id("act", "action"),
            "connector_id": CONNECTOR_ID_SCHEMA,
            "action_type": {"enum": values(ActionType)},
            "endpoint": STRING,
            "method": {"enum": values(HttpMethod)},
            "created_at": TIMESTAMP,
        }
    ),
}

CONNECTOR_ID: Schema = {
    "name": "connector_id",
    "in": "path",
    "required": True,
    "description": "The connector's global id",
    "schema": STRING,
    "example": examples.CONNECTOR_ID,
}


def _connectors() -> Schema:
    status = {
        "name": "status",
        "in": "query",
        "required": False,
        "description": "Filter by status",
        "schema": {"type": "string", "enum": values(ConnectorStatus)},
    }
    return {
        "get": {
            "operationId": "listConnectors",
            "tags": ["connectors"],
            "summary": "The tenant's connectors",
            "security": TOKEN_OR_KEY,
            "parameters": [status, CURSOR_PARAMETER, LIMIT_PARAMETER],
            "responses": {
                "200": ok("One page of connectors", "ConnectorPage", examples.CONNECTOR_PAGE),
                **errors(400, 401, 403, 429),
            },
        },
        "post": {
            "operationId": "createConnector",
            "tags": ["connectors"],
            "summary": "Create a connector; its signing secret is returned once",
            "security": TOKEN_OR_KEY,
            "requestBody": json_body(
                "ConnectorCreate", {"name": "Dating Frame Staging", "type": "webhook"}
            ),
            "responses": {
                "201": links(
                    _no_store(
                        ok(
                            "The connector, with its signing secret",
                            "ConnectorCreated",
                            examples.CONNECTOR_CREATED,
                        )
                    ),
                    {
                        "AddMapping": "createConnectorMapping",
                        "AddAction": "createConnectorAction",
                        "RotateSecret": "rotateConnectorSecret",
                        "Deactivate": "deactivateConnector",
                    },
                    "/id",
                    "connector_id",
                ),
                **errors(400, 401, 403, 413, 429),
            },
        },
    }


def _mappings() -> Schema:
    example = {"event_type": "user_reported", "field_mappings": examples.FIELD_MAPPINGS}
    return {
        "post": {
            "operationId": "createConnectorMapping",
            "tags": ["connectors"],
            "summary": "Map an event type's fields to ticket fields",
            "security": TOKEN_OR_KEY,
            "parameters": [CONNECTOR_ID],
            "requestBody": json_body("MappingCreate", example),
            "responses": {
                "201": ok("The mapping was created", "Mapping", examples.MAPPING),
                "200": ok(
                    "The event type's earlier mapping was replaced", "Mapping", examples.MAPPING
                ),
                **errors(400, 401, 403, 404, 413, 429),
            },
        }
    }


def _actions() -> Schema:
    example = {
        "action_type": "suspend_user",
        "endpoint": "https://api.datingframe.com/v2/users/{{user_id}}/suspend",
        "method": "POST",
        "headers": {"X-Service-Key": "{{service_key}}"},
        "payload_template": '{ "reason": "{{reason}}", "duration": "{{duration}}" }',
    }
    return {
        "post": {
            "operationId": "createConnectorAction",
            "tags": ["connectors"],
            "summary": "Define an action Haven can call on the platform",
            "security": TOKEN_OR_KEY,
            "parameters": [CONNECTOR_ID],
            "requestBody": json_body("ActionCreate", example),
            "responses": {
                "201": ok("The action", "Action", examples.ACTION),
                **errors(400, 401, 403, 404, 413, 429),
            },
        }
    }


def _no_store(response: Schema) -> Schema:
    return {**response, "headers": {"Cache-Control": {"schema": {"const": "no-store"}}}}


def _rotate() -> Schema:
    return {
        "post": {
            "operationId": "rotateConnectorSecret",
            "tags": ["connectors"],
            "summary": "Issue a new signing secret; the old one verifies for a grace period",
            "security": TOKEN_OR_KEY,
            "parameters": [CONNECTOR_ID],
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": ref("SecretRotation"),
                        "example": {"grace_seconds": 3600},
                    }
                },
            },
            "responses": {
                "200": _no_store(ok("The new secret, shown once", "ConnectorRotated")),
                **errors(400, 401, 403, 404, 413, 429),
            },
        }
    }


def _deactivate() -> Schema:
    return {
        "post": {
            "operationId": "deactivateConnector",
            "tags": ["connectors"],
            "summary": "Stop accepting the connector's events",
            "security": TOKEN_OR_KEY,
            "parameters": [CONNECTOR_ID],
            "responses": {
                "200": ok("The connector, now inactive", "Connector"),
                **errors(401, 403, 404, 429),
            },
        }
    }


def connector_paths() -> dict[str, Schema]:
    return {
        "/api/v1/connectors": _connectors(),
        "/api/v1/connectors/{connector_id}/mappings": _mappings(),
        "/api/v1/connectors/{connector_id}/actions": _actions(),
        "/api/v1/connectors/{connector_id}/rotate-secret": _rotate(),
        "/api/v1/connectors/{connector_id}/deactivate": _deactivate(),
    }
