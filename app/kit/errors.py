"""Expected failures, each with a stable code shared by GraphQL and REST."""

from typing import Any, ClassVar


class HavenError(Exception):
    """An expected failure a client can act on; never masked."""

    code: ClassVar[str] = "BAD_REQUEST"
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Unauthenticated(HavenError):
    code = "UNAUTHENTICATED"
    http_status = 401


class Forbidden(HavenError):
    code = "FORBIDDEN"
    http_status = 403


class NotFound(HavenError):
    code = "NOT_FOUND"
    http_status = 404

    def __init__(self, what: str = "Resource") -> None:
        super().__init__(f"{what} not found")


class ValidationFailed(HavenError):
    code = "VALIDATION_ERROR"
    http_status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, **({"field": field} if field else {}))


class Conflict(HavenError):
    code = "CONFLICT"
    http_status = 409
