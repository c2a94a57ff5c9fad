"""A workflow's definition as saved: its trigger, conditions and steps, each checked against
what Haven can do, and the refusal of what would work against the mandatory CSEA workflow."""

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from app.auth.models import Role
from app.cases.models import CaseType
from app.kit.errors import HavenError, ValidationFailed
from app.tickets.models import Priority
from app.workflows import conditions as rules
from app.workflows.triggers import CASE_TRIGGERS, TICKET_TRIGGERS, TRIGGERS

MAX_STEPS = 20
TEXT_MAX = 2000
ROLE = re.compile(r"[a-z][a-z0-9_]{0,49}")
LEAD_ROLES = frozenset({Role.SAFEGUARDING_LEAD.value, Role.ADMIN.value})
# The values that mark a triggering record as a CSEA concern, by field.
CSEA_SIGNALS: dict[str, Any] = {
    "category": "csea_concern",
    "risk_indicators": ["csea_concern"],
    "event_type": "csam_hash_match",
    "case_type": CaseType.CSEA.value,
}
MANDATORY_NAME = "CSEA safeguarding"


class MandatoryConflict(HavenError):
    """A tenant workflow would work against the mandatory CSEA workflow."""

    code: ClassVar[str] = "MANDATORY_WORKFLOW_CONFLICT"
    http_status: ClassVar[int] = 422


@dataclass(frozen=True)
class Config:
    """What one action's config may hold: required and optional keys, each with its check."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    needs_ticket: bool = False
    needs_case: bool = False


ACTIONS: dict[str, Config] = {
    "create_safety_case": Config(("case_type",), ("priority", "subject"), needs_ticket=True),
    "preserve_evidence": Config(needs_case=True),
    "assign_to_role": Config(("role",), ("when_none",)),
    "assign_to_user": Config(("user_id",)),
    "set_priority": Config(("priority",)),
    "add_tag": Config(("tag",), needs_ticket=True),
    "add_internal_note": Config(("body",), needs_ticket=True),
    "generate_draft": Config((), ("instructions",), needs_ticket=True),
    "send_notification": Config(("channel",), ("template", "role", "message")),
    "run_connector_action": Config(("action_id",), ("variables",), needs_case=True),
    "send_webhook": Config(("endpoint_id",), ("event",)),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "case_type": tuple(member.value for member in CaseType),
    "priority": tuple(member.value for member in Priority),
    "when_none": ("notify_admins",),
    "channel": ("urgent", "in_app", "email", "slack"),
}


def _bad(order: Any, message: str) -> ValidationFailed:
    return ValidationFailed(f"steps[order={order}]: {message}", field="steps")


def _check_config_value(order: int, key: str, value: Any) -> None:
    if key == "variables":
        # The action's own template variables; the action itself checks them when it runs.
        if not isinstance(value, dict) or not all(
            isinstance(name, str) and isinstance(given, str | int | float | bool)
            for name, given in value.items()
        ):
            raise _bad(order, "config.variables must be an object of plain values")
        return
    if not isinstance(value, str) or not value.strip() or len(value) > TEXT_MAX:
        raise _bad(order, f"config.{key} must be a non-empty string")
    allowed = CHOICES.get(key)
    if allowed and value not in allowed:
        raise _bad(order, f"config.{key} must be one of {', '.join(allowed)}")
    if key == "role" and not ROLE.fullmatch(value):
        raise _bad(order, "config.role must be a role name such as safeguarding_lead")


def _check_step(step: Any, position: int) -> dict[str, Any]:
    if not isinstance(step, dict):
        raise ValidationFailed(f"steps[{position}] must be an object", field="steps")
    order, action, config = step.get("order"), step.get("action"), step.get("config", {})
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValidationFailed(f"steps[{position}].order must be a positive whole number", "steps")
    if not isinstance(action, str) or action not in ACTIONS:
        raise _bad(order, f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    if not isinstance(config, dict):
        raise _bad(order, "config must be an object")
    spec = ACTIONS[action]
    for key in spec.required:
        if key not in config:
            raise _bad(order, f"{action} needs config.{key}")
    for key, value in config.items():
        if key not in spec.required + spec.optional:
            raise _bad(order, f"{action} takes no config.{key}")
        _check_config_value(order, key, value)
    return {"order": order, "action": action, "config": config}


def _check_needs(trigger: str, steps: list[dict[str, Any]]) -> None:
    has_case = trigger in CASE_TRIGGERS
    for step in steps:
        spec = ACTIONS[step["action"]]
        if spec.needs_ticket and trigger not in TICKET_TRIGGERS:
            raise _bad(step["order"], f"{step['action']} needs a ticket; {trigger} has none")
        if spec.needs_case and not has_case:
            raise _bad(
                step["order"], f"{step['action']} needs a case: add create_safety_case before it"
            )
        has_case = has_case or step["action"] == "create_safety_case"


def check_steps(trigger: str, steps: Any) -> list[dict[str, Any]]:
    """The steps in order, if each names a known action with a config it accepts."""
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise ValidationFailed(f"steps must be a list of 1 to {MAX_STEPS} steps", field="steps")
    checked = [_check_step(step, position) for position, step in enumerate(steps)]
    if len({step["order"] for step in checked}) != len(checked):
        raise ValidationFailed("steps: each order may be used once", field="steps")
    checked.sort(key=lambda step: step["order"])
    _check_needs(trigger, checked)
    return checked


def check_trigger(trigger: Any) -> tuple[str, dict[str, Any]]:
    """The trigger's event and conditions, if the event is known and the conditions fit it."""
    if not isinstance(trigger, dict) or "event" not in trigger:
        raise ValidationFailed("trigger.event is required", field="trigger")
    event = trigger["event"]
    if not isinstance(event, str) or event not in TRIGGERS:
        raise ValidationFailed(
            f"trigger.event {event!r} is unknown (known: {', '.join(TRIGGERS)})", field="trigger"
        )
    extra = set(trigger) - {"event", "conditions"}
    if extra:
        raise ValidationFailed(f"trigger takes no {', '.join(sorted(extra))}", field="trigger")
    return event, rules.check(event, trigger.get("conditions", {}))


def targets_csea(conditions: dict[str, Any]) -> bool:
    """Whether the conditions pick out CSEA concerns: a condition on a CSEA signal that a
    CSEA record meets, at the top or in one of the `any` sets."""
    for option in conditions.get(rules.ANY, []):
        if targets_csea(option):
            return True
    return any(
        name in conditions and rules.matches({name: conditions[name]}, {name: signal})
        for name, signal in CSEA_SIGNALS.items()
    )


def record_is_csea(record: dict[str, Any]) -> bool:
    """Whether a triggering record is a CSEA concern (by any of the signals)."""
    return any(rules.matches({name: {"in": _listed(value)}}, record) for name, value in
               CSEA_SIGNALS.items() if name in record)  # fmt: skip


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def conflict(step: dict[str, Any]) -> str | None:
    """Why the step, run on a CSEA concern, would work against the mandatory workflow."""
    config, action = step["config"], step["action"]
    if action == "set_priority" and config["priority"] != Priority.CRITICAL:
        return f"it lowers the priority to {config['priority']}"
    if (
        action == "create_safety_case"
        and config.get("case_type") == CaseType.CSEA
        and config.get("priority", Priority.CRITICAL) != Priority.CRITICAL
    ):
        return f"it opens the CSEA case at {config['priority']} priority"
    if action == "assign_to_role" and config["role"] not in LEAD_ROLES:
        return f"it assigns to {config['role']}, who are not safeguarding leads"
    return None


def refuse_conflicts(conditions: dict[str, Any], steps: list[dict[str, Any]]) -> None:
    """422 naming the mandatory workflow when a workflow aimed at CSEA concerns would lower
    their priority or hand them to people who are not safeguarding leads."""
    if not targets_csea(conditions):
        return
    for step in steps:
        why = conflict(step)
        if why:
            raise MandatoryConflict(
                f'Conflicts with the mandatory workflow "{MANDATORY_NAME}": step '
                f"{step['order']} ({step['action']}) acts on CSEA concerns and {why}"
            )
