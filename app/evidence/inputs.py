"""What evidence calls take and give: who is asking from where, an upload, an item as a caller
sees it, and the checks on each field."""

import base64
import binascii
import ipaddress
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from app.evidence.models import EvidenceItem, EvidenceType
from app.kit import validation
from app.kit.errors import NotFound, ValidationFailed
from app.kit.ids import to_global_id
from app.kit.pagination import Page

REASON_MAX = 1000
DESCRIPTION_MAX = 2000
USER_AGENT_MAX = 500
# type/subtype with optional parameters, as Content-Type carries it.
CONTENT_TYPE = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
    r"(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(\"[^\"\\\r\n]*\"|[A-Za-z0-9!#$&^_.+-]+))*"
)


@dataclass(frozen=True)
class Origin:
    """Where an access came from, as recorded in custody: the client address (when it is an
    IP address) and its user agent, cut to a storable length."""

    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def of(cls, host: str | None, user_agent: str | None) -> "Origin":
        try:
            ip = str(ipaddress.ip_address(host)) if host else None
        except ValueError:
            ip = None
        agent = validation.UNSTORABLE.sub("", user_agent or "")[:USER_AGENT_MAX] or None
        return cls(ip, agent)


@dataclass(frozen=True)
class Upload:
    case_id: uuid.UUID
    type: str
    description: str
    content_type: str
    content: bytes
    reason: str | None


@dataclass(frozen=True)
class Evidence:
    """An item as a caller sees it, with its legal hold as it stands now."""

    item: EvidenceItem
    legal_hold: bool


@dataclass(frozen=True)
class Listing:
    page: Page[Evidence]
    total: int


class Hidden(NotFound):
    """A CSEA case or item the caller may not see: NOT_FOUND to them, an audit entry to us."""

    def __init__(self, what: str, subject_type: str, subject_id: str) -> None:
        super().__init__(what)
        self.subject_type, self.subject_id = subject_type, subject_id


def evidence_gid(pk: uuid.UUID) -> str:
    return to_global_id("EvidenceItem", pk)


def clean_reason(value: str | None, *, required: bool = True) -> str | None:
    if value is None or not value.strip():
        if required:
            raise ValidationFailed("Give a reason for accessing evidence", field="reason")
        return None
    validation.text(value, "reason")
    cleaned = value.strip()
    if len(cleaned) > REASON_MAX:
        raise ValidationFailed(f"reason must be at most {REASON_MAX} characters", field="reason")
    return cleaned


def clean_description(value: str) -> str:
    validation.text(value, "description")
    cleaned = value.strip()
    if not 1 <= len(cleaned) <= DESCRIPTION_MAX:
        raise ValidationFailed(
            f"description must be 1 to {DESCRIPTION_MAX} characters", field="description"
        )
    return cleaned


def clean_content_type(value: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > 200 or CONTENT_TYPE.fullmatch(cleaned) is None:
        raise ValidationFailed("contentType must be a media type such as image/png", "contentType")
    return cleaned


def clean_type(value: str) -> str:
    if value not in {member.value for member in EvidenceType}:
        allowed = ", ".join(member.value for member in EvidenceType)
        raise ValidationFailed(f"type must be one of {allowed}", field="type")
    return value


def decode_content(value: str, max_bytes: int) -> bytes:
    """Base64 content, bounded before it is decoded (4 characters carry 3 bytes)."""
    if len(value) > (max_bytes + 2) // 3 * 4 + 4:
        raise ValidationFailed(f"content must be at most {max_bytes} bytes", field="content")
    try:
        content = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("content must be base64", field="content") from None
    if not content:
        raise ValidationFailed("content must not be empty", field="content")
    if len(content) > max_bytes:
        raise ValidationFailed(f"content must be at most {max_bytes} bytes", field="content")
    return content


def canonical_json(body: Any) -> bytes:
    """One byte form for a JSON document, so the same payload always hashes the same."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
