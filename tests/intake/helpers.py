"""Helpers for the intake tests: forms made through GraphQL, mail read back, links followed."""

import email
import email.policy
import re
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from app.kit.settings import Settings
from tests.factories import Factory, World, error_codes

SUBMIT = "/functions/v1/public-ticket-submit"
# The document's two examples, byte for byte as their curl sends them.
SUBMIT_EXAMPLE = (
    '{ "form_slug": "it-support", "name": "Jane Doe", "email": "jane@company.com", '
    '"subject": "Printer not working", "category": "Hardware", "priority": "Medium", '
    '"description": "The printer on the 3rd floor..." }'
)
LOOKUP_EXAMPLE = '{"action":"lookup","email":"jane@company.com"}'
JSON = {"Content-Type": "application/json"}
LOOKUP_ANSWER: dict[str, Any] = {
    "success": True,
    "message": "If we have tickets for this address, we have emailed a link to view them.",
}

CREATE_FORM = """mutation($input: CreateIntakeFormInput!) {
  createIntakeForm(input: $input) {
    intakeForm { id slug title intro categories isActive url board { id } createdAt updatedAt }
  }
}"""
UPDATE_FORM = """mutation($input: UpdateIntakeFormInput!) {
  updateIntakeForm(input: $input) {
    intakeForm { id slug title intro categories isActive board { id } }
  }
}"""
FORMS = "query { intakeForms { id slug title categories isActive board { id } } }"


def unique_slug(prefix: str = "help") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def create_form(factory: Factory, world: World, **fields: Any) -> dict[str, Any]:
    """A form made by the tenant's admin through GraphQL; its fields as the API returns them."""
    payload = {"slug": unique_slug(), "title": "IT support", **fields}
    body = await factory.gql(CREATE_FORM, {"input": payload}, token=world.token)
    assert error_codes(body) == [], body
    return dict(body["data"]["createIntakeForm"]["intakeForm"])


def submission(slug: str, **overrides: Any) -> dict[str, Any]:
    return {
        "form_slug": slug,
        "name": "Jane Doe",
        "email": f"jane-{uuid.uuid4().hex[:8]}@company.com",
        "subject": "Printer not working",
        "category": "Hardware",
        "priority": "High",
        "description": "The printer on the 3rd floor shows paper jam.",
        **overrides,
    }


def path_of(url: str, settings: Settings) -> str:
    """A link the app handed out, as a path on the test client."""
    base = settings.public_url.rstrip("/")
    assert url.startswith(f"{base}/"), url
    return url[len(base) :]


def parse_mail(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def outbox(settings: Settings, to: str) -> list[EmailMessage]:
    """Messages written to the development outbox for `to`, oldest first."""
    directory = settings.home / "outbox"
    files = sorted(directory.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    messages = [parse_mail(Path(path).read_bytes()) for path in files]
    return [m for m in messages if m["To"] == to]


def mail_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage, kind: str) -> str:
    """The one `/portal/<kind>/...` link in a mail."""
    (url,) = re.findall(rf"https?://\S+/portal/{kind}/\S+", mail_text(message))
    return url
