"""Calling the report endpoint as the embedded widget would, and reading back what it wrote."""

import json
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from app.services import Services
from app.tickets.models import Ticket
from app.widgets.models import Report
from tests.factories import Factory, World, error_codes

# The request body of the API document's example, byte for byte as its curl sends it.
CURL_EXAMPLE = "\n".join(
    [
        "{",
        '    "reporter_id": "usr_a1b2c3d4",',
        '    "reported_user_id": "usr_e5f6g7h8",',
        '    "category": "harassment",',
        '    "description": "This user has been sending threatening messages repeatedly after '
        'I asked them to stop.",',
        '    "content_ids": ["msg_x1y2z3", "msg_a4b5c6"],',
        '    "metadata": {',
        '      "page_url": "https://datingframe.com/messages/usr_e5f6g7h8",',
        '      "platform": "ios_app"',
        "    }",
        "  }",
    ]
)
RECEIVED = "Thank you for your report. Our team will review it shortly."

CREATE_TOKEN = """mutation($input: CreateWidgetTokenInput!) {
  createWidgetToken(input: $input) {
    widgetToken {
      id name prefix allowedOrigins createdAt lastUsedAt revokedAt createdBy { id }
    }
    token
  }
}"""
REVOKE_TOKEN = """mutation($input: RevokeWidgetTokenInput!) {
  revokeWidgetToken(input: $input) { widgetToken { id revokedAt } }
}"""
WIDGET_TOKENS = """query {
  widgetTokens { id name prefix allowedOrigins createdAt lastUsedAt revokedAt }
}"""


async def create_token(
    factory: Factory, world: World, origins: list[str] | None = None, name: str = "Web app"
) -> tuple[str, str]:
    """(global id, secret) of a new widget token of the world's tenant."""
    body = await factory.gql(
        CREATE_TOKEN,
        {"input": {"name": name, "allowedOrigins": origins or []}},
        token=world.token,
    )
    assert error_codes(body) == [], body
    created = body["data"]["createWidgetToken"]
    return created["widgetToken"]["id"], created["token"]


async def post_report(
    client: httpx.AsyncClient,
    secret: str | None,
    body: Any = None,
    *,
    content: str | None = None,
    origin: str | None = None,
) -> httpx.Response:
    """POST a report: `body` as JSON, or `content` as the raw body (the curl example by default)."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Widget-Token"] = secret
    if origin is not None:
        headers["Origin"] = origin
    if content is None:
        content = CURL_EXAMPLE if body is None else json.dumps(body)
    return await client.post("/api/v1/reports", content=content, headers=headers)


async def written(services: Services, tenant_id: uuid.UUID) -> tuple[int, int]:
    """(tickets, reports) stored for the tenant."""
    async with services.db.read() as session:
        tickets = await session.scalar(
            select(func.count()).select_from(Ticket).where(Ticket.tenant_id == tenant_id)
        )
        reports = await session.scalar(
            select(func.count()).select_from(Report).where(Report.tenant_id == tenant_id)
        )
    return tickets or 0, reports or 0
