"""A delivery as it goes on the wire: the signed JSON of the API documents for `standard`
endpoints, a readable message for Slack, Teams and Discord incoming webhooks.

Standard deliveries carry Standard Webhooks' headers (`webhook-id`, `webhook-timestamp`,
`webhook-signature` with one `v1,` signature per current secret, so both sign during a
rotation's grace period) and the documents' own `X-TicketForge-*` headers. Chat webhooks
accept no signature; their URL is their secret."""

import json
from dataclasses import dataclass
from typing import Any

from app.outbound_webhooks.catalog import WEBHOOK_EVENTS
from app.outbound_webhooks.models import EndpointFormat
from app.webhooks.signatures import github_signature, standard_signature

ACCENT = "0076D7"


@dataclass(frozen=True)
class Wire:
    headers: dict[str, str]
    content: bytes


def message_id(delivery_id: object) -> str:
    """The delivery's `webhook-id`, the same on every attempt."""
    return f"msg_{delivery_id}"


def _encode(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def standard(body: dict[str, Any], delivery_id: object, secrets: list[str], sent_at: int) -> Wire:
    """The signed JSON delivery; `secrets` is the current secret first, then any still in
    their grace period."""
    content, identifier, moment = _encode(body), message_id(delivery_id), str(sent_at)
    signatures = " ".join(standard_signature(s, identifier, moment, content) for s in secrets)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": identifier,
        "webhook-timestamp": moment,
        "webhook-signature": signatures,
        "X-TicketForge-Event": body["event"],
        "X-TicketForge-Signature": github_signature(secrets[0], content),
        "X-TicketForge-Delivery": str(delivery_id),
    }
    return Wire(headers, content)


def chat(format: str, body: dict[str, Any]) -> Wire:
    """The message a chat service's incoming webhook shows for the delivery."""
    title, lines, facts = _readable(body)
    text = f"{title}\n" + "\n".join(lines) if lines else title
    document: dict[str, Any]
    if format == EndpointFormat.SLACK:
        fields = [{"type": "mrkdwn", "text": f"*{name}*\n{value}"} for name, value in facts]
        section: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
        if fields:
            section["fields"] = fields
        document = {"text": text, "blocks": [section]}
    elif format == EndpointFormat.TEAMS:
        document = {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": title,
            "themeColor": ACCENT,
            "title": title,
            "sections": [
                {"text": "\n\n".join(lines), "facts": [{"name": n, "value": v} for n, v in facts]}
            ],
        }
    else:
        embed = {
            "title": title,
            "description": "\n".join(lines),
            "fields": [{"name": n, "value": v, "inline": True} for n, v in facts],
            "timestamp": body["timestamp"],
        }
        document = {"content": title, "embeds": [embed]}
    return Wire({"Content-Type": "application/json"}, _encode(document))


def _readable(body: dict[str, Any]) -> tuple[str, list[str], list[tuple[str, str]]]:
    """A title, lines of what changed, and facts (name, value) about the ticket or case."""
    data, event = body["data"], body["event"]
    what = WEBHOOK_EVENTS.get(event, event)
    subject = data.get("case") or data
    name = subject.get("subject") or subject.get("id", "")
    title = f"{what}: {name}" if name else what
    lines = [
        f"{key}: {change.get('old')} → {change.get('new')}"
        for key, change in (data.get("changes") or {}).items()
        if isinstance(change, dict) and "new" in change
    ]
    comment = data.get("comment")
    if comment:
        lines.append(f"{comment.get('author_name') or comment['author_type']}: {comment['body']}")
    facts = [
        (label.replace("_", " ").capitalize(), str(subject[label]))
        for label in ("id", "case_type", "status", "priority", "assigned_to")
        if subject.get(label)
    ]
    return title, lines, facts
