"""Operations members of the public reach: widget reports, the intake form and the portal."""

from app.intake.pages import HONEYPOT
from app.intake.routes import LOOKUP_ANSWER
from app.intake.submission import DEFAULT_PRIORITY, PRIORITIES
from app.kit import validation
from app.rest.openapi_examples import REPORT_RECEIPT
from app.rest.openapi_schemas import (
    STRING,
    TIMESTAMP,
    Schema,
    closed,
    error_response,
    errors,
    global_id,
    links,
    ref,
)
from app.rest.openapi_tickets import ok
from app.widgets.inputs import (
    CONTENT_ID_MAX,
    CONTENT_IDS_MAX,
    DESCRIPTION_MAX,
    METADATA_MAX_BYTES,
)
from app.widgets.models import ReportCategory

REPORT_EXAMPLE = {
    "reporter_id": "usr_a1b2c3d4",
    "reported_user_id": "usr_e5f6g7h8",
    "category": "harassment",
    "description": "This user has been sending threatening messages repeatedly after I asked "
    "them to stop.",
    "content_ids": ["msg_x1y2z3", "msg_a4b5c6"],
    "metadata": {
        "page_url": "https://datingframe.com/messages/usr_e5f6g7h8",
        "platform": "ios_app",
    },
}
SUBMIT_EXAMPLE = {
    "form_slug": "it-support",
    "name": "Jane Doe",
    "email": "jane@company.com",
    "subject": "Printer not working",
    "category": "Hardware",
    "priority": "Medium",
    "description": "The printer on the 3rd floor...",
}
LOOKUP_EXAMPLE = {"action": "lookup", "email": "jane@company.com"}
# Descriptions are bounded in characters at a quarter of the byte limit of other bodies.
DESCRIPTION_CHARS = validation.BODY_MAX_BYTES // 4

PUBLIC_SCHEMAS: dict[str, Schema] = {
    "ReportCreate": {
        "type": "object",
        "required": ["category", "description"],
        "properties": {
            "reporter_id": {
                "type": ["string", "null"],
                "maxLength": validation.NAME_MAX,
                "description": "External id of the reporter; omit for an anonymous report",
            },
            "reported_user_id": {"type": ["string", "null"], "maxLength": validation.NAME_MAX},
            "category": {"type": "string", "enum": [c.value for c in ReportCategory]},
            "description": {"type": "string", "minLength": 1, "maxLength": DESCRIPTION_MAX},
            "content_ids": {
                "type": ["array", "null"],
                "maxItems": CONTENT_IDS_MAX,
                "items": {"type": "string", "minLength": 1, "maxLength": CONTENT_ID_MAX},
            },
            "metadata": {
                "type": ["object", "null"],
                "description": f"At most {METADATA_MAX_BYTES // 1024} KB of JSON",
            },
        },
    },
    "ReportReceipt": closed(
        {
            "id": global_id("rpt", "report"),
            "ticket_id": global_id("tkt", "ticket"),
            "status": {"const": "received"},
            "message": STRING,
            "created_at": TIMESTAMP,
        }
    ),
    "PublicSubmit": {
        "type": "object",
        "required": ["form_slug", "name", "email", "subject", "description"],
        "properties": {
            "action": {"const": "submit", "description": "May be left out"},
            "form_slug": {"type": "string", "minLength": 1},
            "name": {"type": "string", "minLength": 1, "maxLength": validation.NAME_MAX},
            "email": {"type": "string", "format": "email"},
            "subject": {"type": "string", "minLength": 1, "maxLength": validation.TITLE_MAX},
            "category": {"type": "string", "description": "One of the form's categories"},
            "priority": {
                "type": "string",
                "enum": list(PRIORITIES),
                "default": DEFAULT_PRIORITY,
                "description": "Case-insensitive",
            },
            "description": {"type": "string", "minLength": 1, "maxLength": DESCRIPTION_CHARS},
            HONEYPOT: {
                "type": "string",
                "description": "Form posts only: left empty by people; filled in, nothing is "
                "filed and the answer still reads as success",
            },
        },
    },
    "PortalLookup": {
        "type": "object",
        "required": ["action", "email"],
        "properties": {
            "action": {"const": "lookup"},
            "email": {"type": "string", "format": "email"},
            "form_slug": {"type": "string", "description": "Only this form's tenant"},
        },
    },
    "PublicSubmitted": closed(
        {
            "success": {"const": True},
            "ticket_id": global_id("tkt", "ticket"),
            "ticket_number": {"type": "integer"},
            "status_url": {"type": "string", "description": "The requester's private link"},
        }
    ),
    "LookupAccepted": closed({"success": {"const": True}, "message": STRING}),
}


def _cors(*names: str) -> Schema:
    return {name: {"schema": STRING} for name in names}


def _reports() -> Schema:
    filed = links(
        ok("The report and its ticket exist", "ReportReceipt", REPORT_RECEIPT),
        {"GetTicketDetail": "getTicket"},
        "/ticket_id",
        "ticket_id",
    )
    filed["headers"] = _cors("Access-Control-Allow-Origin", "Vary")
    preflight_headers = (
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Max-Age",
        "Vary",
    )
    return {
        "post": {
            "operationId": "createReport",
            "tags": ["reports"],
            "summary": "File a report from the embedded widget; it opens a ticket",
            "description": "A token that names allowed sites refuses other `Origin`s with 403.",
            "security": [{"WidgetToken": []}],
            "parameters": [{"name": "Origin", "in": "header", "required": False, "schema": STRING}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": ref("ReportCreate"), "example": REPORT_EXAMPLE}
                },
            },
            "responses": {"201": filed, **errors(400, 401, 403, 413, 429)},
        },
        "options": {
            "operationId": "reportPreflight",
            "tags": ["reports"],
            "summary": "CORS preflight for the widget; any site may ask",
            "security": [],
            "parameters": [{"name": "Origin", "in": "header", "required": False, "schema": STRING}],
            "responses": {
                "204": {
                    "description": "Allowed methods and headers",
                    "headers": _cors(*preflight_headers),
                },
                "429": error_response(429),
            },
        },
    }


def _json_or_html(status: int, html: str) -> Schema:
    """The JSON envelope for JSON posts, an HTML page for the form's own posts."""
    response = error_response(status)
    response["description"] += f"; form posts get {html}"
    response["content"]["text/html"] = {"schema": STRING}
    return response


def _public_submit() -> Schema:
    body = {"oneOf": [ref("PublicSubmit"), ref("PortalLookup")]}
    page = {"text/html": {"schema": STRING}}
    return {
        "post": {
            "operationId": "publicTicketSubmit",
            "tags": ["intake"],
            "summary": "File a ticket through a public form, or look up tickets by email",
            "description": "JSON posts are answered in JSON; the HTML form's urlencoded posts "
            "are answered with pages and, once filed, a redirect to the ticket's status page.",
            "security": [],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": body,
                        "examples": {
                            "submit": {"value": SUBMIT_EXAMPLE},
                            "lookup": {"value": LOOKUP_EXAMPLE},
                        },
                    },
                    "application/x-www-form-urlencoded": {"schema": body},
                },
            },
            "responses": {
                "200": {"description": "Form posts: a lookup or thank-you page", "content": page},
                "201": links(
                    ok("The ticket was filed", "PublicSubmitted"),
                    {"GetTicketDetail": "getTicket"},
                    "/ticket_id",
                    "ticket_id",
                ),
                "202": ok(
                    "Lookup accepted: links are mailed if the address has tickets. The answer "
                    "is the same whatever the address",
                    "LookupAccepted",
                    LOOKUP_ANSWER,
                ),
                "303": {
                    "description": "Form posts: filed; see the ticket's status page",
                    "headers": {"Location": {"required": True, "schema": STRING}},
                },
                "400": _json_or_html(400, "the form again, with each mistake marked"),
                "404": _json_or_html(404, "a page saying the form does not exist"),
                "413": error_response(413),
                "429": _json_or_html(429, "a page asking to retry"),
                "500": error_response(500),
            },
        }
    }


def _intake_page() -> Schema:
    html = {"text/html": {"schema": STRING}}
    return {
        "get": {
            "operationId": "intakeForm",
            "tags": ["intake"],
            "summary": "The public intake form as an HTML page",
            "security": [],
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": STRING}],
            "responses": {
                "200": {"description": "The form", "content": html},
                "404": {"description": "No active form by that slug", "content": html},
                "429": error_response(429),
            },
        }
    }


def public_paths() -> dict[str, Schema]:
    return {
        "/api/v1/reports": _reports(),
        "/functions/v1/public-ticket-submit": _public_submit(),
        "/intake/{slug}": _intake_page(),
    }
