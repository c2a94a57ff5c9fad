"""Imports every domain's models so the metadata is complete for Alembic and tests.

It lives above the domains, beside `app.services`: the kernel's `Base` must not know them."""

from app.ai import models as ai_models
from app.audit import models as audit_models
from app.auth import models as auth_models
from app.boards import models as board_models
from app.cases import models as case_models
from app.comments import models as comment_models
from app.connectors import models as connector_models
from app.events import models as event_models
from app.evidence import models as custody_models
from app.intake import models as intake_models
from app.kit.models import Base
from app.knowledge import models as knowledge_models
from app.notifications import models as notification_models
from app.outbound_webhooks import models as outbound_webhook_models
from app.referrals import models as referral_models
from app.sla import models as sla_models
from app.tenants import models as tenant_models
from app.tickets import models as ticket_models
from app.webhooks import models as webhook_models
from app.widgets import models as widget_models
from app.workflows import models as workflow_models

__all__ = [
    "Base",
    "ai_models",
    "audit_models",
    "auth_models",
    "board_models",
    "case_models",
    "comment_models",
    "connector_models",
    "custody_models",
    "event_models",
    "intake_models",
    "knowledge_models",
    "notification_models",
    "outbound_webhook_models",
    "referral_models",
    "sla_models",
    "tenant_models",
    "ticket_models",
    "webhook_models",
    "widget_models",
    "workflow_models",
]
