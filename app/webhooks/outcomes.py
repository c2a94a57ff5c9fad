"""Naming what became of a delivery, for the `haven_webhook_deliveries` metric."""

from app.kit.errors import Conflict, Forbidden, HavenError, Unauthenticated
from app.kit.metrics import count_webhook_delivery
from app.webhooks.ingest import Accepted, DuplicateEvent
from app.webhooks.signatures import SignatureRefused

# Most specific first: a DuplicateEvent is a Conflict, a SignatureRefused is Forbidden.
LABELS: list[tuple[type, str]] = [
    (Accepted, "accepted"),
    (DuplicateEvent, "duplicate"),
    (SignatureRefused, "bad_signature"),
    (Unauthenticated, "unauthenticated"),
    (Forbidden, "forbidden"),
    (Conflict, "conflict"),
]


def outcome_label(outcome: Accepted | HavenError) -> str:
    """accepted, duplicate, bad_signature, unauthenticated, forbidden, conflict, or invalid
    (a body too large or not a valid event)."""
    return next((label for kind, label in LABELS if isinstance(outcome, kind)), "invalid")


def count_outcome(outcome: Accepted | HavenError) -> None:
    count_webhook_delivery(outcome_label(outcome))
