"""Conditions on the triggering record: checked against the trigger's fields when a workflow
is saved, and read against each event's record when it is matched.

`{"priority": "high"}` is equality; an object of operators asks more of one field
(`{"category": {"in": ["csea", "grooming"]}}`, `{"ai_confidence": {"gte": 0.8}}`,
`{"tags": {"contains": "vip"}}`); every field must hold. `{"any": [{...}, {...}]}` holds when
one of its condition sets does."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from app.cases.models import CaseType
from app.kit.errors import ValidationFailed
from app.tickets.categories import ReportCategory, map_category
from app.tickets.models import Priority, Source
from app.workflows.triggers import FIELDS, Kind

ANY = "any"
ORDER = ("gt", "gte", "lt", "lte")
OPERATORS: dict[Kind, frozenset[str]] = {
    Kind.TEXT: frozenset({"eq", "in", "contains"}),
    Kind.NUMBER: frozenset({"eq", "in", *ORDER}),
    Kind.DATE: frozenset({"eq", *ORDER}),
    Kind.LIST: frozenset({"contains", "in"}),
    Kind.FLAG: frozenset({"eq"}),
}
CHOICES: dict[str, type[StrEnum]] = {
    "priority": Priority,
    "source": Source,
    "case_type": CaseType,
}
MAX_VALUES = 50


def category_key(value: str) -> str:
    """A category as Haven files it (`csea` is `csea_concern`); a tenant's own category that
    is no safety category stays itself rather than becoming `other`."""
    mapped = map_category(value)
    if mapped != ReportCategory.OTHER:
        return mapped
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def _refuse(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"trigger.conditions.{path}: {message}", field="trigger")


def _date(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _check_value(name: str, kind: Kind, operator: str, value: Any) -> None:
    if operator == "in":
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_VALUES:
            raise _refuse(name, f"`in` takes a list of 1 to {MAX_VALUES} values")
        for item in value:
            _check_value(name, Kind.TEXT if kind == Kind.LIST else kind, "eq", item)
        return
    if kind == Kind.FLAG and not isinstance(value, bool):
        raise _refuse(name, "must be true or false")
    if kind == Kind.NUMBER and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise _refuse(name, f"`{operator}` takes a number")
    if kind == Kind.DATE and _date(value) is None:
        raise _refuse(name, f"`{operator}` takes an ISO 8601 date-time")
    if kind in (Kind.TEXT, Kind.LIST) and not isinstance(value, str):
        raise _refuse(name, f"`{operator}` takes a string")
    choices = CHOICES.get(name)
    if choices and operator == "eq" and value not in {member.value for member in choices}:
        raise _refuse(name, f"must be one of {', '.join(member.value for member in choices)}")


def _check_field(name: str, kind: Kind, condition: Any) -> None:
    tests = condition if isinstance(condition, dict) else {"eq": condition}
    if not tests:
        raise _refuse(name, "an operator object needs at least one operator")
    for operator, value in tests.items():
        if operator not in OPERATORS[kind]:
            allowed = ", ".join(sorted(OPERATORS[kind]))
            raise _refuse(name, f"unknown operator `{operator}` (this field takes {allowed})")
        _check_value(name, kind, operator, value)


def check(trigger: str, conditions: Any, *, nested: bool = False) -> dict[str, Any]:
    """The conditions, if every field is one the trigger's record has and every test fits it;
    otherwise VALIDATION_ERROR naming what is wrong."""
    if not isinstance(conditions, dict):
        raise ValidationFailed("trigger.conditions must be an object", field="trigger")
    fields = FIELDS[trigger]
    for name, condition in conditions.items():
        if name == ANY and not nested:
            if not isinstance(condition, list) or not 1 <= len(condition) <= MAX_VALUES:
                raise _refuse(ANY, "takes a list of condition objects")
            for option in condition:
                check(trigger, option, nested=True)
            continue
        kind = fields.get(name)
        if kind is None:
            raise _refuse(name, f"unknown field for {trigger} (known: {', '.join(fields)})")
        _check_field(name, kind, condition)
    return conditions


def _same(name: str, found: Any, wanted: Any) -> bool:
    if isinstance(found, str) and isinstance(wanted, str):
        if name == "category":
            return category_key(found) == category_key(wanted)
        return found.casefold() == wanted.casefold()
    return bool(found == wanted)


def _ordered(found: Any, operator: str, wanted: Any) -> bool:
    if isinstance(wanted, str):
        found, wanted = _date(found), _date(wanted)
    if found is None or wanted is None or isinstance(found, bool):
        return False
    if not isinstance(found, int | float | datetime):
        return False
    try:
        return {
            "gt": found > wanted,
            "gte": found >= wanted,
            "lt": found < wanted,
            "lte": found <= wanted,
        }[operator]
    except TypeError:  # an offset-naive date against an aware one
        return False


def _contains(name: str, found: Any, wanted: str) -> bool:
    if isinstance(found, list):
        return any(_same(name, item, wanted) for item in found)
    return isinstance(found, str) and wanted.casefold() in found.casefold()


def _holds(name: str, found: Any, operator: str, wanted: Any) -> bool:
    if operator == "eq":
        return _same(name, found, wanted)
    if operator == "in":
        values = found if isinstance(found, list) else [found]
        return any(_same(name, value, option) for value in values for option in wanted)
    if operator == "contains":
        return _contains(name, found, wanted)
    return _ordered(found, operator, wanted)


def matches(conditions: dict[str, Any], record: dict[str, Any]) -> bool:
    """Whether `record` meets every condition (an `any` list: one of its sets)."""
    for name, condition in conditions.items():
        if name == ANY:
            if not any(matches(option, record) for option in condition):
                return False
            continue
        tests = condition if isinstance(condition, dict) else {"eq": condition}
        if not all(_holds(name, record.get(name), op, value) for op, value in tests.items()):
            return False
    return True
