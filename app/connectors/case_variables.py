"""The variables a case gives an action (`{{user_id}}`, `{{content_id}}`, ...), and those a
caller may add: plain values only, each named like a placeholder."""

from typing import Any

from app.cases.models import SafetyCase
from app.cases.repository import CaseRepository
from app.connectors.repository import ExecutionRepository
from app.connectors.templates import PLACEHOLDER, Value
from app.kit.errors import ValidationFailed
from app.kit.ids import to_global_id

MAX_VARIABLES = 30
VALUE_MAX = 2000
# Where a platform's event names the content it is about, most specific first.
CONTENT_PATHS = (
    ("payload", "content", "message_id"),
    ("payload", "content", "id"),
    ("payload", "content_id"),
    ("payload", "message_id"),
)


def _dig(document: Any, path: tuple[str, ...]) -> str | None:
    for key in path:
        document = document.get(key) if isinstance(document, dict) else None
    return document if isinstance(document, str) and document else None


async def from_case(
    cases: CaseRepository, executions: ExecutionRepository, case: SafetyCase
) -> dict[str, Value]:
    """`case_id` and `case_number`; `user_id`, the reported user of the case's first ticket
    that names one; `content_id`, from the first platform event behind its tickets that names
    content."""
    values: dict[str, Value] = {
        "case_id": to_global_id("SafetyCase", case.id),
        "case_number": case.number,
    }
    tickets = [ticket for _, ticket in await cases.linked_tickets([case.id])]
    subjects = [ticket.subject_external_id for ticket in tickets if ticket.subject_external_id]
    if subjects:
        values["user_id"] = subjects[0]
    contents = [str(ticket.meta["content_id"]) for ticket in tickets if "content_id" in ticket.meta]
    for receipt in await executions.receipts([ticket.id for ticket in tickets]):
        contents += [found for path in CONTENT_PATHS if (found := _dig(receipt.body, path))]
    if contents:
        values["content_id"] = contents[0]
    return values


def given(value: Any) -> dict[str, Value]:
    """The caller's variables: an object of at most 30 names, each a string, number or
    boolean."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_VARIABLES:
        raise ValidationFailed(
            f"variables must be an object of at most {MAX_VARIABLES} names", field="variables"
        )
    for name, item in value.items():
        if not PLACEHOLDER.fullmatch(f"{{{{{name}}}}}"):
            raise ValidationFailed(f"variable name {name!r} is not valid", field="variables")
        if not isinstance(item, str | int | float | bool) or len(str(item)) > VALUE_MAX:
            raise ValidationFailed(
                f"variables.{name} must be a string, number or boolean of at most {VALUE_MAX} "
                "characters",
                field=f"variables.{name}",
            )
    return dict(value)
