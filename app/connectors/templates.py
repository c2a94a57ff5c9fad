"""Filling an action's `{{name}}` placeholders so that no value can change what it is part of.

In the body (JSON text) a value inside a string is escaped as JSON string content, and one
outside a string becomes a whole JSON value, so it can never close its string or add keys. In
the endpoint a value is one percent-encoded path segment (`/`, `?`, `#` and dot segments
included), so it cannot climb the path or start a query. A header value may not hold a line
break, which would start a header of its own."""

import json
import re
from collections.abc import Iterator, Mapping
from urllib.parse import quote

from app.kit.errors import ValidationFailed

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}\}")
Value = str | int | float | bool
# Characters no header value may carry: each would end the header (or the request) early.
HEADER_BREAKS = frozenset("\r\n\0")


def names(template: str) -> set[str]:
    """The placeholders `template` uses."""
    return {match.group(1) for match in PLACEHOLDER.finditer(template)}


def _missing(name: str, where: str) -> ValidationFailed:
    return ValidationFailed(
        f"variable {name} is missing: the {where} uses {{{{{name}}}}}; give it in variables",
        field=f"variables.{name}",
    )


def _string_spans(template: str) -> Iterator[tuple[int, int]]:
    """Where the JSON text's string literals are, quotes excluded."""
    start, escaped = None, False
    for index, character in enumerate(template):
        if start is None:
            if character == '"':
                start = index + 1
        elif escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == '"':
            yield start, index
            start = None


def fill_body(template: str, values: Mapping[str, Value]) -> str:
    """The JSON body with every placeholder filled; VALIDATION_ERROR naming a missing one."""
    spans = list(_string_spans(template))

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise _missing(name, "payload template")
        value = values[name]
        if any(start <= match.start() < end for start, end in spans):
            return json.dumps(str(value) if not isinstance(value, str) else value)[1:-1]
        return json.dumps(value)

    body = PLACEHOLDER.sub(replace, template)
    try:
        json.loads(body)
    except ValueError:
        raise ValidationFailed(
            "the payload template does not make JSON with these values", field="variables"
        ) from None
    return body


def _segment(value: Value) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    encoded = quote(text, safe="")
    # `.` and `..` are left alone by percent-encoding but still mean "here" and "up".
    return encoded.replace(".", "%2E") if set(encoded) <= {"."} else encoded


def fill_endpoint(template: str, values: Mapping[str, Value]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise _missing(name, "endpoint")
        return _segment(values[name])

    return PLACEHOLDER.sub(replace, template)


def _header(
    header: str, template: str, secrets: Mapping[str, str], values: Mapping[str, Value]
) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in secrets:
            return secrets[name]
        if name in values:
            value = values[name]
            return value if isinstance(value, str) else json.dumps(value)
        raise ValidationFailed(
            f"header {header} uses {{{{{name}}}}}, which is neither a secret of the connector "
            "nor a variable",
            field=f"variables.{name}",
        )

    value = PLACEHOLDER.sub(replace, template)
    if HEADER_BREAKS & set(value):
        raise ValidationFailed(f"header {header} would contain a line break", field="variables")
    return value


def fill_headers(
    headers: Mapping[str, str], secrets: Mapping[str, str], values: Mapping[str, Value]
) -> dict[str, str]:
    """Header values with secrets (first) and variables filled; a value with a line break is
    refused, whichever part brought it."""
    return {
        header: _header(header, template, secrets, values) for header, template in headers.items()
    }
