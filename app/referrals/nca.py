"""The report a referral carries: what UK NCA (CEOP / industry) reports ask for, where the
platform gave it to us.

What is read, and from where:
- reporter: the tenant (the organisation), the person who submitted the referral (or, before
  submission, its author) with their email, and `contact_details` when given, which overrides
  whom the authority should contact.
- incident: the referral's summary and urgency, the case (number, type, subject, opened), and
  how it was detected, per linked ticket: a `csam_hash_match` platform event (or any event with
  `hash_value`) is a hash match with its algorithm, `user_reported` a user report, any other
  platform event a platform flag; a ticket without an event is a user report when it came from
  a form, email or widget and a moderator's finding otherwise. A case with no tickets was opened
  by a moderator.
- content: each evidence item the referral carries (type, SHA-256, size, content type, when it
  was preserved, its storage retention mode and retention date).
- uploads: for each platform event, the upload time and uploader IP address if the platform sent
  them, as `uploaded_at` / `upload_time` / `upload_timestamp` and `upload_ip` / `uploader_ip` /
  `ip_address` / `ip` in `payload` or in `payload.content`.
- hashes: every evidence SHA-256, and each platform `hash_value` with its `hash_algorithm`.
- accounts: reported accounts (`reported_user_id`, `uploader_id` in events; tickets'
  `subject_external_id`) and reporting accounts (`reporter_id`; tickets' `reporter_external_id`).

The report is frozen on the referral when it is submitted; the export wraps it with the schema
version and the time it was generated, every object's keys in sorted order."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.cases.models import SafetyCase
from app.evidence.models import EvidenceItem
from app.kit.ids import to_global_id
from app.referrals.models import Referral
from app.tickets.models import Source, Ticket
from app.webhooks.models import WebhookReceipt

SCHEMA_VERSION = "haven.referral.nca/1"
UPLOAD_TIME_KEYS = ("uploaded_at", "upload_time", "upload_timestamp")
UPLOAD_IP_KEYS = ("upload_ip", "uploader_ip", "ip_address", "ip")
REPORTED_KEYS = ("reported_user_id", "uploader_id")
REPORTER_KEYS = ("reporter_id",)
USER_SOURCES = {Source.FORM, Source.EMAIL, Source.WIDGET}


@dataclass(frozen=True)
class Person:
    id: str | None
    name: str | None
    email: str | None


@dataclass(frozen=True)
class Facts:
    """Everything the report is made from, read in one transaction."""

    organisation_id: str
    organisation_name: str
    referral: Referral
    case: SafetyCase
    person: Person
    items: list[EvidenceItem]
    tickets: list[Ticket]
    receipts: list[WebhookReceipt]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _places(receipt: WebhookReceipt) -> list[dict[str, Any]]:
    """The event's payload and its `content` object, where the platform puts upload facts."""
    payload = receipt.body.get("payload") if isinstance(receipt.body, dict) else None
    if not isinstance(payload, dict):
        return []
    content = payload.get("content")
    return [payload, content] if isinstance(content, dict) else [payload]


def _first(places: list[dict[str, Any]], keys: tuple[str, ...]) -> str | None:
    for place in places:
        for key in keys:
            value = place.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
                return str(value)
    return None


def _all(places: list[dict[str, Any]], keys: tuple[str, ...]) -> list[str]:
    return [str(place[key]) for place in places for key in keys if isinstance(place.get(key), str)]


def _detection(receipt: WebhookReceipt) -> dict[str, Any]:
    places = _places(receipt)
    hashed = _first(places, ("hash_value",))
    if receipt.event_type == "csam_hash_match" or hashed:
        method = "hash_match"
    elif receipt.event_type == "user_reported":
        method = "user_report"
    else:
        method = "platform_flag"
    return {
        "method": method,
        "event_id": receipt.event_id,
        "event_type": receipt.event_type,
        "hash_algorithm": _first(places, ("hash_algorithm",)) if method == "hash_match" else None,
        "occurred_at": _iso(receipt.occurred_at),
    }


def _ticket_detection(ticket: Ticket) -> dict[str, Any]:
    method = "user_report" if ticket.source in USER_SOURCES else "moderator"
    return {"method": method, "ticket_id": to_global_id("Ticket", ticket.id)}


def detection(facts: Facts) -> list[dict[str, Any]]:
    found = [_detection(receipt) for receipt in facts.receipts]
    from_events = {receipt.ticket_id for receipt in facts.receipts}
    found += [_ticket_detection(t) for t in facts.tickets if t.id not in from_events]
    return found or [{"method": "moderator"}]


def _item(item: EvidenceItem) -> dict[str, Any]:
    return {
        "id": to_global_id("EvidenceItem", item.id),
        "type": item.type,
        "sha256": item.sha256,
        "size_bytes": item.size,
        "content_type": item.content_type,
        "preserved_at": _iso(item.preserved_at),
        "retention_mode": item.retention_mode,
        "retain_until": _iso(item.retain_until),
        "source_event_id": item.source_event_id,
    }


def _upload(receipt: WebhookReceipt) -> dict[str, Any] | None:
    places = _places(receipt)
    when, ip = _first(places, UPLOAD_TIME_KEYS), _first(places, UPLOAD_IP_KEYS)
    if when is None and ip is None:
        return None
    return {"event_id": receipt.event_id, "uploaded_at": when, "upload_ip": ip}


def _platform_hash(receipt: WebhookReceipt) -> dict[str, Any] | None:
    places = _places(receipt)
    value = _first(places, ("hash_value",))
    if value is None:
        return None
    algorithm = _first(places, ("hash_algorithm",))
    return {"event_id": receipt.event_id, "hash_value": value, "hash_algorithm": algorithm}


def _unique(values: list[str | None]) -> list[str]:
    return sorted({value for value in values if value})


def accounts(facts: Facts) -> dict[str, list[str]]:
    places = [place for receipt in facts.receipts for place in _places(receipt)]
    return {
        "reported": _unique(
            [*_all(places, REPORTED_KEYS), *(t.subject_external_id for t in facts.tickets)]
        ),
        "reporters": _unique(
            [*_all(places, REPORTER_KEYS), *(t.reporter_external_id for t in facts.tickets)]
        ),
    }


def _reporter(facts: Facts) -> dict[str, Any]:
    person = {"id": facts.person.id, "name": facts.person.name, "email": facts.person.email}
    return {
        "organisation": {"id": facts.organisation_id, "name": facts.organisation_name},
        "person": person,
        "contact": facts.referral.contact_details or person,
    }


def _incident(facts: Facts) -> dict[str, Any]:
    case = facts.case
    return {
        "summary": facts.referral.summary,
        "urgency": facts.referral.urgency,
        "case": {
            "id": to_global_id("SafetyCase", case.id),
            "number": case.number,
            "case_type": case.case_type,
            "subject": case.subject,
            "opened_at": _iso(case.created_at),
        },
        "detection": detection(facts),
    }


def build_report(facts: Facts) -> dict[str, Any]:
    """The report as it stands now; frozen on the referral at submission."""
    platform = [found for r in facts.receipts if (found := _platform_hash(r)) is not None]
    return ordered(
        {
            "referral": {
                "id": to_global_id("Referral", facts.referral.id),
                "type": facts.referral.type,
                "created_at": _iso(facts.referral.created_at),
            },
            "reporter": _reporter(facts),
            "incident": _incident(facts),
            "content": [_item(item) for item in facts.items],
            "uploads": [found for r in facts.receipts if (found := _upload(r)) is not None],
            "hashes": {
                "evidence_sha256": [item.sha256 for item in facts.items],
                "platform": platform,
            },
            "accounts": accounts(facts),
        }
    )


def export(referral: Referral, report: dict[str, Any], generated_at: datetime) -> dict[str, Any]:
    """The document to submit: the report with its schema version, status and manifest."""
    manifest = [
        {"id": item["id"], "sha256": item["sha256"], "size_bytes": item["size_bytes"]}
        for item in report["content"]
    ]
    return ordered(
        {
            "schema_version": SCHEMA_VERSION,
            "generated_at": generated_at.isoformat(),
            "status": referral.status,
            "submitted_at": _iso(referral.submitted_at),
            "reference_number": referral.reference_number,
            **report,
            "evidence_manifest": manifest,
        }
    )


def ordered(value: Any) -> Any:
    """The same value with every object's keys sorted, so the document reads the same each time."""
    if isinstance(value, dict):
        return {key: ordered(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value
