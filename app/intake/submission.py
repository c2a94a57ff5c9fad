"""Reading a public submission's fields (the HTML form's, or a JSON body's as text) into a
checked Submission, with one plain message per field that is wrong, so the form can point at
each."""

from dataclasses import dataclass, field

from app.intake.models import IntakeForm
from app.intake.service import Submission
from app.kit import validation
from app.kit.errors import ValidationFailed
from app.tickets.models import Priority

FIELDS = ("name", "email", "subject", "category", "priority", "description")
PRIORITIES = {
    "Critical": Priority.CRITICAL,
    "High": Priority.HIGH,
    "Medium": Priority.MEDIUM,
    "Low": Priority.LOW,
}
DEFAULT_PRIORITY = "Medium"
# Descriptions are bounded in characters at a quarter of the byte limit of other bodies.
DESCRIPTION_MAX = validation.BODY_MAX_BYTES // 4
MISSING = {
    "name": "Enter your name",
    "email": "Enter your email address",
    "subject": "Enter a subject",
    "description": "Describe the problem",
}


@dataclass
class Reading:
    """What was sent (as text, to show again) and what is wrong with it."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def _required(reading: Reading, key: str, limit: int) -> str:
    value = reading.values[key].strip()
    if not value:
        reading.errors[key] = MISSING[key]
    elif len(value) > limit:
        reading.errors[key] = f"{key.capitalize()} must be at most {limit} characters"
    return value


def _email(reading: Reading) -> str:
    if not reading.values["email"].strip():
        reading.errors["email"] = MISSING["email"]
        return ""
    try:
        return validation.email(reading.values["email"]) or ""
    except ValidationFailed:
        reading.errors["email"] = "Enter an email address like name@example.com"
        return ""


def _choice(reading: Reading, key: str, options: list[str], default: str | None) -> str | None:
    given = reading.values[key].strip()
    if not given:
        return default
    match = next((option for option in options if option.lower() == given.lower()), None)
    if match is None:
        reading.errors[key] = f"Choose a {key}: {', '.join(options)}"
    return match


def read_submission(fields: dict[str, str], form: IntakeForm) -> tuple[Submission | None, Reading]:
    """The checked submission, or None and a Reading whose errors say what to fix."""
    reading = Reading({key: fields.get(key, "") for key in FIELDS})
    name = _required(reading, "name", validation.NAME_MAX)
    email = _email(reading)
    subject = _required(reading, "subject", validation.TITLE_MAX)
    category = _choice(reading, "category", form.categories, None)
    priority = _choice(reading, "priority", list(PRIORITIES), DEFAULT_PRIORITY)
    description = _required(reading, "description", DESCRIPTION_MAX)
    if reading.errors or priority is None:
        return None, reading
    entry = Submission(name, email, subject, category, PRIORITIES[priority], description)
    return entry, reading


def summary(reading: Reading) -> str:
    """The errors in field order, as one sentence for the JSON answer."""
    return "; ".join(reading.errors[key] for key in FIELDS if key in reading.errors)
