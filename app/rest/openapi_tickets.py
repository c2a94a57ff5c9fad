"""Operations of the ticket API: the v1 ingestion endpoints and /api/v1/tickets."""

from typing import Any

from app.rest import openapi_examples as examples
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    Schema,
    errors,
    links,
    ref,
    values,
)
from app.tickets.models import Priority, TicketStatus

API_KEY: list[Schema] = [{"ApiKeyBearer": []}, {"ApiKeyHeader": []}]
TOKEN_OR_KEY: list[Schema] = [{"BearerJWT": []}, {"ApiKeyBearer": []}, {"ApiKeyHeader": []}]

TICKET_ID: Schema = {
    "name": "ticket_id",
    "in": "path",
    "required": True,
    "description": "The ticket's global id (`tkt_<uuid>`) or its bare UUID",
    "schema": {"type": "string"},
    "example": "tkt_550e8400-e29b-41d4-a716-446655440000",
}


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


def _v1_tickets() -> Schema:
    return {
        "post": {
            "operationId": "createV1Ticket",
            "tags": ["v1"],
            "summary": "Create a ticket; triage and notifications follow asynchronously",
            "security": API_KEY,
            "requestBody": json_body(
                "V1TicketCreate",
                {
                    "subject": "Cannot access billing portal",
                    "body": "Getting a 403 error when clicking Manage Subscription.",
                    "sender_email": "jane@acme.com",
                    "priority": "p2_high",
                },
            ),
            "responses": {
                "202": links(
                    ok(
                        "Accepted; the ticket exists",
                        "V1TicketCreated",
                        {
                            "ticket_id": "tkt_550e8400-e29b-41d4-a716-446655440000",
                            "ticket_number": 42,
                        },
                    ),
                    {
                        "GetTicket": "getV1Ticket",
                        "AddMessage": "addV1Message",
                        "GetTicketDetail": "getTicket",
                    },
                    "/ticket_id",
                    "ticket_id",
                ),
                **errors(400, 401, 403, 413, 429),
            },
        }
    }


def _v1_ticket() -> Schema:
    contact = {
        "name": "contact_email",
        "in": "query",
        "required": False,
        "description": "Scope to this contact: another requester's ticket reads as not found",
        "schema": {"type": "string", "minLength": 1},
        "example": "jane@acme.com",
    }
    return {
        "get": {
            "operationId": "getV1Ticket",
            "tags": ["v1"],
            "summary": "A ticket with its non-internal messages, oldest first",
            "security": API_KEY,
            "parameters": [TICKET_ID, contact],
            "responses": {
                "200": ok("The ticket", "V1Ticket", examples.V1_TICKET),
                **errors(400, 401, 404, 429),
            },
        }
    }


def _v1_messages() -> Schema:
    return {
        "post": {
            "operationId": "addV1Message",
            "tags": ["v1"],
            "summary": "Add a contact message; reopens a resolved or closed ticket",
            "security": API_KEY,
            "parameters": [TICKET_ID],
            "requestBody": json_body(
                "V1MessageCreate",
                {
                    "body": "We have deployed a fix. Please try again.",
                    "contact_email": "jane@acme.com",
                },
            ),
            "responses": {
                "201": ok(
                    "The message was added",
                    "V1MessageCreated",
                    {"message_id": "cmt_770e8400-e29b-41d4-a716-446655440001"},
                ),
                **errors(400, 401, 403, 404, 413, 429),
            },
        }
    }


def _choice_parameter(name: str, enum: Any, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", "enum": values(enum)},
    }


def _api_tickets() -> Schema:
    category = {
        "name": "category",
        "in": "query",
        "required": False,
        "description": "Filter by category",
        "schema": {"type": "string"},
    }
    return {
        "get": {
            "operationId": "listTickets",
            "tags": ["tickets"],
            "summary": "The tenant's tickets, newest first, cursor-paginated",
            "security": TOKEN_OR_KEY,
            "parameters": [
                _choice_parameter("status", TicketStatus, "Filter by status"),
                _choice_parameter("priority", Priority, "Filter by priority"),
                category,
                CURSOR_PARAMETER,
                LIMIT_PARAMETER,
            ],
            "responses": {
                "200": ok("One page of tickets", "TicketPage", examples.TICKET_PAGE),
                **errors(400, 401, 429),
            },
        }
    }


def _api_ticket() -> Schema:
    return {
        "get": {
            "operationId": "getTicket",
            "tags": ["tickets"],
            "summary": "A ticket with its classification, timeline and linked case",
            "security": TOKEN_OR_KEY,
            "parameters": [TICKET_ID],
            "responses": {
                "200": ok("The ticket", "TicketDetail", examples.TICKET_DETAIL),
                **errors(401, 404, 429),
            },
        }
    }


def ticket_paths() -> dict[str, Schema]:
    return {
        "/health": _health(),
        "/v1/tickets": _v1_tickets(),
        "/v1/tickets/{ticket_id}": _v1_ticket(),
        "/v1/tickets/{ticket_id}/messages": _v1_messages(),
        "/api/v1/tickets": _api_tickets(),
        "/api/v1/tickets/{ticket_id}": _api_ticket(),
    }
