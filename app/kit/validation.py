"""Input limits shared by every entry point, each refused with VALIDATION_ERROR."""

import json
import re
from typing import Any

from email_validator import EmailNotValidError, validate_email

from app.kit.errors import ValidationFailed

TITLE_MAX = 300
BODY_MAX_BYTES = 64 * 1024
TAGS_MAX = 20
TAG_MAX = 50
METADATA_MAX_BYTES = 16 * 1024
# The largest request body a REST route or public form reads.
MAX_BODY_BYTES = 1024 * 1024
NAME_MAX = 200
# PostgreSQL's text and jsonb hold neither NUL nor unpaired surrogates; refused up front, they
# are a VALIDATION_ERROR instead of a failed insert.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> bool:
    """False when a string (or key) anywhere in `value` holds NUL or an unpaired surrogate:
    PostgreSQL's text and jsonb hold neither, so they would fail on insert, as a 500."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                return False
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def _storable(value: Any, field: str) -> None:
    if not storable(value):
        raise ValidationFailed(
            f"{field} must not contain NUL characters or unpaired surrogates", field=field
        )


def title(value: str, field: str = "title") -> str:
    _storable(value, field)
    cleaned = value.strip()
    if not 1 <= len(cleaned) <= TITLE_MAX:
        raise ValidationFailed(f"{field} must be 1 to {TITLE_MAX} characters", field=field)
    return cleaned


def text(value: str | None, field: str, max_bytes: int = BODY_MAX_BYTES) -> str | None:
    _storable(value, field)
    if value is not None and len(value.encode()) > max_bytes:
        raise ValidationFailed(f"{field} must be at most {max_bytes // 1024} KB", field=field)
    return value


def body(value: str, field: str = "body") -> str:
    if not value.strip():
        raise ValidationFailed(f"{field} must not be empty", field=field)
    text(value, field)
    return value


def name(value: str | None, field: str = "name", limit: int = NAME_MAX) -> str | None:
    """A trimmed short label; blank reads as absent."""
    if value is None:
        return None
    _storable(value, field)
    cleaned = value.strip()
    if len(cleaned) > limit:
        raise ValidationFailed(f"{field} must be at most {limit} characters", field=field)
    return cleaned or None


def email(value: str | None, field: str = "email") -> str | None:
    """A syntactically valid address, normalised; no DNS lookups."""
    if value is None or not value.strip():
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed(f"{field} is not a valid email address", field=field) from None


def tags(values: list[str], field: str = "tags") -> list[str]:
    _storable(values, field)
    cleaned = list(dict.fromkeys(tag.strip() for tag in values if tag.strip()))
    if len(cleaned) > TAGS_MAX:
        raise ValidationFailed(f"at most {TAGS_MAX} tags are allowed", field=field)
    for tag in cleaned:
        if len(tag) > TAG_MAX:
            raise ValidationFailed(f"each tag must be at most {TAG_MAX} characters", field=field)
    return cleaned


def metadata(value: Any, field: str = "metadata") -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"{field} must be a JSON object", field=field)
    _storable(value, field)
    if len(json.dumps(value, separators=(",", ":")).encode()) > METADATA_MAX_BYTES:
        raise ValidationFailed(f"{field} must be at most 16 KB of JSON", field=field)
    return value
