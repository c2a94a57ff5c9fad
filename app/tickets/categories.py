"""The safety categories reports and platform events are filed under, and the words platforms
use for them."""

from enum import StrEnum

from app.tickets.models import Priority


class ReportCategory(StrEnum):
    HARASSMENT = "harassment"
    INAPPROPRIATE_CONTENT = "inappropriate_content"
    SPAM = "spam"
    SCAM = "scam"
    UNDERAGE = "underage"
    CSEA_CONCERN = "csea_concern"
    SELF_HARM = "self_harm"
    OTHER = "other"


SYNONYMS = {
    "harassment": ReportCategory.HARASSMENT,
    "bullying": ReportCategory.HARASSMENT,
    "abuse": ReportCategory.HARASSMENT,
    "hate": ReportCategory.HARASSMENT,
    "hate_speech": ReportCategory.HARASSMENT,
    "threat": ReportCategory.HARASSMENT,
    "threats": ReportCategory.HARASSMENT,
    "stalking": ReportCategory.HARASSMENT,
    "inappropriate_content": ReportCategory.INAPPROPRIATE_CONTENT,
    "inappropriate": ReportCategory.INAPPROPRIATE_CONTENT,
    "nudity": ReportCategory.INAPPROPRIATE_CONTENT,
    "sexual_content": ReportCategory.INAPPROPRIATE_CONTENT,
    "explicit": ReportCategory.INAPPROPRIATE_CONTENT,
    "violence": ReportCategory.INAPPROPRIATE_CONTENT,
    "spam": ReportCategory.SPAM,
    "scam": ReportCategory.SCAM,
    "fraud": ReportCategory.SCAM,
    "romance_scam": ReportCategory.SCAM,
    "phishing": ReportCategory.SCAM,
    "fake_profile": ReportCategory.SCAM,
    "impersonation": ReportCategory.SCAM,
    "underage": ReportCategory.UNDERAGE,
    "minor": ReportCategory.UNDERAGE,
    "underage_user": ReportCategory.UNDERAGE,
    "csea": ReportCategory.CSEA_CONCERN,
    "csea_concern": ReportCategory.CSEA_CONCERN,
    "csam": ReportCategory.CSEA_CONCERN,
    "child_safety": ReportCategory.CSEA_CONCERN,
    "grooming": ReportCategory.CSEA_CONCERN,
    "self_harm": ReportCategory.SELF_HARM,
    "suicide": ReportCategory.SELF_HARM,
    "self_injury": ReportCategory.SELF_HARM,
}


def map_category(value: str) -> str:
    """A platform's reason (`Sexual Content`, `romance-scam`) as one of Haven's categories;
    anything unrecognised is `other`, never an error, since the event has already happened."""
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    return SYNONYMS.get(key, ReportCategory.OTHER).value


# What a report asks of the team. Suspected child sexual exploitation and a child on the
# platform put a child at risk and carry legal duties (preserve evidence, refer to the
# authorities), so they are critical; a self-harm report may be a risk to life, so high;
# harassment, scams, inappropriate content and unclassified reports harm a person and want a
# same-day look, so medium; spam is a nuisance first, so low.
PRIORITIES = {
    ReportCategory.CSEA_CONCERN: Priority.CRITICAL,
    ReportCategory.UNDERAGE: Priority.CRITICAL,
    ReportCategory.SELF_HARM: Priority.HIGH,
    ReportCategory.HARASSMENT: Priority.MEDIUM,
    ReportCategory.SCAM: Priority.MEDIUM,
    ReportCategory.INAPPROPRIATE_CONTENT: Priority.MEDIUM,
    ReportCategory.OTHER: Priority.MEDIUM,
    ReportCategory.SPAM: Priority.LOW,
}


def priority_of(category: str) -> Priority:
    return PRIORITIES.get(ReportCategory(category), Priority.MEDIUM)
