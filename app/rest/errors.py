"""Expected failures answered in the REST envelope, by exception handlers registered once on
the app; routes of the operations table raise, and never catch, `HavenError`s."""

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.kit.errors import HavenError
from app.rest.envelope import from_haven


async def haven_error(request: Request, error: Exception) -> Response:
    if not isinstance(error, HavenError):  # registered for HavenError only
        raise error
    return from_haven(error)


def exception_handlers() -> Mapping[Any, Any]:
    """For `Starlette(exception_handlers=...)`. An unreachable database is not here: it is
    answered 503 by `app.web.unavailable` around every route alike."""
    return {HavenError: haven_error}
