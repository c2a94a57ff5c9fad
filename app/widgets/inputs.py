"""The body of `POST /api/v1/reports`, every field checked before anything is written."""

import json
from typing import Any

from app.kit import validation
from app.kit.errors import ValidationFailed
from app.rest.envelope import invalid
from app.widgets.models import ReportCategory
from app.widgets.service import NewReport

DESCRIPTION_MAX = 10_000
CONTENT_IDS_MAX = 50
CONTENT_ID_MAX = 100
METADATA_MAX_BYTES = 8 * 1024
# Both travel in the ticket's metadata (16 KB at most), with the report's id beside them.
COMBINED_MAX_BYTES = 15 * 1024
CATEGORIES = ", ".join(category.value for category in ReportCategory)


def _json_size(value: Any) -> int:
    # Measured as the ticket's metadata check measures it.
    return len(json.dumps(value, separators=(",", ":")).encode())


def _string(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid(f"{key} must be a string")
    return value


def _category(data: dict[str, Any]) -> ReportCategory:
    value = _string(data, "category")
    if value is None or not value.strip():
        raise invalid("category is required")
    if value not in {category.value for category in ReportCategory}:
        raise invalid(f"category must be one of {CATEGORIES}")
    return ReportCategory(value)


def _description(data: dict[str, Any]) -> str:
    value = _string(data, "description")
    if value is None or not value.strip():
        raise invalid("description is required")
    if len(value) > DESCRIPTION_MAX:
        raise invalid(f"description must be at most {DESCRIPTION_MAX} characters")
    return value.strip()


def _external_id(data: dict[str, Any], key: str) -> str | None:
    try:
        return validation.name(_string(data, key), key)
    except ValidationFailed as error:
        raise invalid(error.message) from None


def _content_ids(data: dict[str, Any]) -> list[str]:
    value = data.get("content_ids")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid("content_ids must be an array of strings")
    if len(value) > CONTENT_IDS_MAX:
        raise invalid(f"content_ids must hold at most {CONTENT_IDS_MAX} ids")
    if not all(1 <= len(item.strip()) <= CONTENT_ID_MAX for item in value):
        raise invalid(f"content_ids must each be 1 to {CONTENT_ID_MAX} characters")
    return [item.strip() for item in value]


def _metadata(data: dict[str, Any]) -> dict[str, Any]:
    value = data.get("metadata")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("metadata must be a JSON object")
    if _json_size(value) > METADATA_MAX_BYTES:
        raise invalid(f"metadata must be at most {METADATA_MAX_BYTES // 1024} KB of JSON")
    return value


def report_fields(data: dict[str, Any]) -> NewReport:
    """The report the body describes, or VALIDATION_ERROR naming the first field at fault."""
    report = NewReport(
        category=_category(data),
        description=_description(data),
        reporter_id=_external_id(data, "reporter_id"),
        reported_user_id=_external_id(data, "reported_user_id"),
        content_ids=_content_ids(data),
        metadata=_metadata(data),
    )
    if _json_size([report.content_ids, report.metadata]) > COMBINED_MAX_BYTES:
        limit = COMBINED_MAX_BYTES // 1024
        raise invalid(f"content_ids and metadata together must be at most {limit} KB of JSON")
    return report
