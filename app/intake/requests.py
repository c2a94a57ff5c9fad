"""Reading what the public side posts: bounded bodies, form fields, and the services."""

from urllib.parse import parse_qsl

from starlette.requests import Request

from app.kit.errors import ValidationFailed
from app.kit.validation import MAX_BODY_BYTES, storable
from app.services import Services

MAX_FIELDS = 20


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def is_form_post(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/x-www-form-urlencoded"


async def form_fields(request: Request) -> dict[str, str]:
    """An HTML form's fields (the last of repeated names); ValidationFailed past 1 MB."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ValidationFailed("The form is too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ValidationFailed("The form is too large")
        chunks.append(chunk)
    text = b"".join(chunks).decode("utf-8", errors="replace")
    try:
        fields = dict(parse_qsl(text, max_num_fields=MAX_FIELDS))
    except ValueError:
        raise ValidationFailed("The form has too many fields") from None
    if not storable(fields):
        raise ValidationFailed("The form holds characters that cannot be stored (NUL)")
    return fields
