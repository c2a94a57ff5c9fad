"""Global ids: a type prefix and a UUID (`tkt_<uuid>`), opaque to clients, stable forever."""

import uuid

from app.kit.errors import NotFound

PREFIXES: dict[str, str] = {
    "Tenant": "ten",
    "User": "usr",
    "Board": "brd",
    "Ticket": "tkt",
    "Comment": "cmt",
    "ApiKey": "key",
    "Connector": "con",
    "InboundMapping": "map",
    "OutboundAction": "act",
    "ActionExecution": "axn",
    "IntakeForm": "frm",
    "WidgetToken": "wdg",
    "Report": "rpt",
    "SafetyCase": "cas",
    "Referral": "ref",
    "EvidenceItem": "evi",
    "KnowledgeArticle": "ka",
    "Draft": "drf",
    "WebhookEndpoint": "whe",
    "WebhookDelivery": "whd",
    "Workflow": "wfl",
    "WorkflowExecution": "wfx",
    "Notification": "ntf",
}
TYPES_BY_PREFIX = {prefix: name for name, prefix in PREFIXES.items()}


def to_global_id(type_name: str, value: uuid.UUID) -> str:
    return f"{PREFIXES[type_name]}_{value}"


def parse_global_id(global_id: str) -> tuple[str, uuid.UUID]:
    """Split a global id into its type name and UUID; anything malformed is simply not found."""
    prefix, _, raw = global_id.partition("_")
    type_name = TYPES_BY_PREFIX.get(prefix)
    if type_name is None:
        raise NotFound("Node")
    try:
        return type_name, uuid.UUID(raw)
    except ValueError:
        raise NotFound("Node") from None


def expect_global_id(global_id: str, type_name: str) -> uuid.UUID:
    """The UUID of a global id that must name `type_name`; a mismatch reads as not found."""
    found_type, value = parse_global_id(global_id)
    if found_type != type_name:
        raise NotFound(type_name)
    return value
