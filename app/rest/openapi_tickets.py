"""The health operation, and the helpers the hand-written operations share."""

from typing import Any

from app.rest.openapi_schemas import (
    Schema,
    ref,
)


def json_body(schema_name: str, example: Any) -> Schema:
    return {
        "required": True,
        "content": {"application/json": {"schema": ref(schema_name), "example": example}},
    }


def ok(status_description: str, schema_name: str, example: Any = None) -> Schema:
    media: Schema = {"schema": ref(schema_name)}
    if example is not None:
        media["example"] = example
    return {"description": status_description, "content": {"application/json": media}}


def _health() -> Schema:
    return {
        "get": {
            "operationId": "health",
            "tags": ["health"],
            "summary": "Health check; no authentication",
            "security": [],
            "responses": {
                "200": ok(
                    "The service is up",
                    "Health",
                    {"status": "ok", "service": "haven", "version": "0.1.0"},
                )
            },
        }
    }


def ticket_paths() -> dict[str, Schema]:
    return {
        "/health": _health(),
    }
