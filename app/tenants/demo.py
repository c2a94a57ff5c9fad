"""The demo tenant `make run` seeds: created once, its credentials kept under the home folder."""

import json
from pathlib import Path
from typing import Any

from app.auth.models import Role
from app.auth.principal import Principal
from app.boards.service import create_board
from app.comments.service import NewComment, add_comment
from app.connectors.service import create_connector
from app.intake.service import FormFields, create_form
from app.kit.actors import Actor, ActorKind
from app.kit.db import Database
from app.kit.sealing import Sealer
from app.tenants import repository
from app.tenants.service import create_tenant
from app.tickets.models import Priority, Source
from app.tickets.service import NewTicket, create_ticket
from app.widgets.service import create_widget_token

DEMO_SLUG = "demo"
DEMO_EMAIL = "admin@demo.example.com"
DEMO_FORM = "demo-support"
SAMPLES = [
    ("VPN not connecting", Priority.HIGH, "Network", "John Doe", "john@example.com"),
    ("Printer on the 3rd floor jams", Priority.LOW, "Hardware", "Jane Roe", "jane@example.com"),
    ("Cannot access billing portal", Priority.CRITICAL, "Billing", "Ada Park", "ada@example.com"),
]


async def seed_demo(db: Database, home: Path, sealer: Sealer) -> dict[str, Any]:
    """Create the demo tenant unless it exists; return its login, key, board and what the
    public and platform sides need to try it: an intake form, a widget token and a webhook
    connector's signing secret."""
    file = home / "demo-credentials.json"
    async with db.transaction() as work:
        existing = await repository.by_slug(work.session, DEMO_SLUG)
        if existing is not None and file.exists():
            return dict(json.loads(file.read_text()))
        if existing is not None:
            raise RuntimeError(f"demo tenant exists but {file} is missing; remove one or the other")
        created = await create_tenant(
            work.session, name="Demo Support", slug=DEMO_SLUG, admin_email=DEMO_EMAIL
        )
        admin = created.admin
        principal = Principal(created.tenant.id, Role.ADMIN, ActorKind.USER, admin.id, admin.name)
        board = await create_board(work.session, principal, name="Support", description="Demo")
        actor = Actor.of(principal)
        for title, priority, category, name, email in SAMPLES:
            ticket = await create_ticket(
                work.session,
                created.tenant.id,
                actor,
                NewTicket(board.id, title, None, priority, category, Source.FORM, name, email),
            )
            await add_comment(
                work.session, created.tenant.id, actor, NewComment(ticket.id, "Looking into it.")
            )
        _, webhook_secret = await create_connector(
            work.session, created.tenant.id, sealer, name="Demo platform", type="webhook"
        )
        _, widget_token = await create_widget_token(
            work.session, principal, name="Demo widget", origins=[]
        )
        await create_form(
            work.session,
            principal,
            FormFields(slug=DEMO_FORM, title="Demo support", board_id=board.id),
        )
    credentials = {
        "tenant": DEMO_SLUG,
        "email": DEMO_EMAIL,
        "password": created.admin_password,
        "api_key": created.api_key_secret,
        "board_id": f"brd_{board.id}",
        "intake_form": DEMO_FORM,
        "widget_token": widget_token,
        "webhook_secret": webhook_secret,
    }
    _save(file, credentials)
    return credentials


def _save(file: Path, credentials: dict[str, Any]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(credentials, indent=2))
    file.chmod(0o600)
