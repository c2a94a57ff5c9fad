"""Telling "the database cannot be reached" apart from every other failure.

Such a failure is nobody's fault in the request and passes once the database is back, so it is
answered 503 with `Retry-After` and the client tries again; anything else stays a masked 500.
`Database` raises `DatabaseUnavailable` in place of the driver's and pool's own errors."""

import logging
import time

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

CODE = "SERVICE_UNAVAILABLE"
MESSAGE = "The service is temporarily unavailable; retry shortly"
# Long enough for a PostgreSQL restart or fail-over to finish, short enough not to lose a user.
RETRY_AFTER_SECONDS = 5

# Connection exceptions (class 08); the server shutting down, crashed or starting (57P01-03);
# no free connection slot (53300). Each passes without anyone changing the request.
_RETRYABLE_CLASSES = ("08",)
_RETRYABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


class DatabaseUnavailable(Exception):
    """The database could not be reached, or the connection was lost mid-statement."""


def unreachable(error: BaseException) -> bool:
    """Whether `error` (from SQLAlchemy or its asyncpg driver) means the database was out of
    reach rather than that the statement was wrong."""
    if isinstance(error, DatabaseUnavailable | PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None) or ""
    return state.startswith(_RETRYABLE_CLASSES) or state in _RETRYABLE_STATES


class OutageLog:
    """One warning per outage, not one per failed request: the first failure is a warning,
    the rest are debug lines until `WARN_EVERY_SECONDS` have passed."""

    WARN_EVERY_SECONDS = 30.0

    def __init__(self, logger: logging.Logger, what: str = "database") -> None:
        self.logger, self.what = logger, what
        self.warned_at: float | None = None

    def failed(self, where: object, error: object) -> None:
        now = time.monotonic()
        if self.warned_at is None or now - self.warned_at >= self.WARN_EVERY_SECONDS:
            self.warned_at = now
            self.logger.warning("%s unavailable (%s): %s", self.what, where, error)
        else:
            self.logger.debug("%s unavailable (%s): %s", self.what, where, error)
