"""The shapes every REST body shares, written once as pydantic types: millisecond `Z`
timestamps, prefixed global ids, the error envelope and the page of a list.

Each type serializes what handlers hand it (a `datetime`, a UUID) into the document's form and
describes itself in the generated OpenAPI document, so the wire form and its schema cannot drift.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    JsonValue,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import core_schema

from app.kit.ids import PREFIXES, to_global_id
from app.kit.pagination import Page as Rows


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC to the millisecond with a `Z`, as the /api/v1 part of the document shows."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


Timestamp = Annotated[
    datetime,
    PlainSerializer(timestamp, return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


@dataclass(frozen=True)
class Prefixed:
    """Marks a UUID field as sent in global-id form (`cas_<uuid>`):
    `Annotated[UUID, Prefixed("SafetyCase", "case")]`."""

    type_name: str
    what: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_after_validator_function(
            lambda value: value,
            handler(source),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda value: to_global_id(self.type_name, value),
                return_schema=core_schema.str_schema(),
            ),
        )

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> Any:
        return {
            "type": "string",
            "pattern": f"^{PREFIXES[self.type_name]}_[0-9a-f-]{{36}}$",
            "description": f"Global id of the {self.what}",
        }


def second_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, to the second, as the document's v1 part shows."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


SecondTimestamp = Annotated[
    datetime,
    PlainSerializer(second_timestamp, return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

TenantId = Annotated[uuid.UUID, Prefixed("Tenant", "tenant")]
TicketId = Annotated[uuid.UUID, Prefixed("Ticket", "ticket")]
UserId = Annotated[uuid.UUID, Prefixed("User", "assignee")]
CommentId = Annotated[uuid.UUID, Prefixed("Comment", "message")]
CaseId = Annotated[uuid.UUID, Prefixed("SafetyCase", "case")]
ReferralId = Annotated[uuid.UUID, Prefixed("Referral", "referral")]
EvidenceId = Annotated[uuid.UUID, Prefixed("EvidenceItem", "evidence item")]
ReportId = Annotated[uuid.UUID, Prefixed("Report", "report")]
ConnectorId = Annotated[uuid.UUID, Prefixed("Connector", "connector")]
MappingId = Annotated[uuid.UUID, Prefixed("InboundMapping", "mapping")]
ActionId = Annotated[uuid.UUID, Prefixed("OutboundAction", "action")]
ArticleId = Annotated[uuid.UUID, Prefixed("KnowledgeArticle", "knowledge article")]
DraftId = Annotated[uuid.UUID, Prefixed("Draft", "draft")]


class Body(BaseModel):
    """A response body: exactly its fields, all present (null where nothing is known)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def example(cls) -> Any:
        """The document's example of this body, kept on the model's schema."""
        extra = cls.model_config.get("json_schema_extra")
        return extra.get("example") if isinstance(extra, dict) else None


ERROR_CODES: list[JsonValue] = [
    "VALIDATION_ERROR",
    "UNAUTHORIZED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "RATE_LIMITED",
    "PAYLOAD_TOO_LARGE",
    "INTERNAL_ERROR",
]


class ErrorBody(Body):
    code: str = Field(json_schema_extra={"enum": ERROR_CODES})
    message: str


class Error(Body):
    """The envelope every failure is answered with"""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {"error": {"code": "VALIDATION_ERROR", "message": "Subject is required"}}
        }
    )

    error: ErrorBody


class Pagination(Body):
    cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page"
    )
    has_more: bool
    total: int = Field(ge=0)


Item = TypeVar("Item", bound=Body)


class Page(Body, Generic[Item]):
    """The document's list shape: the rows, and the cursor of the last one when more follow.
    Name a subclass per row type (`class CasePage(Page[CaseSummary])`)."""

    data: list[Item]
    pagination: Pagination

    @staticmethod
    def one_row_example(row: dict[str, Any]) -> ConfigDict:
        """The config of a page subclass whose document example is the only page of a list of
        one: `row`, the example of the row type."""
        pagination: dict[str, JsonValue] = {"cursor": None, "has_more": False, "total": 1}
        return ConfigDict(json_schema_extra={"example": {"data": [row], "pagination": pagination}})

    @classmethod
    def of(cls, data: list[Item], page: Rows[Any], total: int) -> Any:
        following = page.items[-1][1] if page.has_next_page else None
        return cls(
            data=data,
            pagination=Pagination(cursor=following, has_more=page.has_next_page, total=total),
        )
