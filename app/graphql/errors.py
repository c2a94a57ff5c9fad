"""Error shaping: expected failures keep their message and gain `extensions.code`; anything
unexpected is logged and masked, so no internals reach the client."""

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, ValidationContext, ValidationRule
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import MaskErrors

from app.kit import unavailable
from app.kit.errors import HavenError

logger = logging.getLogger("haven.graphql")
outages = unavailable.OutageLog(logger)
INTERNAL = "INTERNAL_ERROR"
# PostgreSQL refusing text it cannot hold (NUL, unpaired surrogates): input fields are checked
# up front, but a search string or filter that reaches the database unchecked is still the
# caller's input, not a fault of Haven's.
UNSTORABLE_TEXT = {"22021", "22P05"}


def _unstorable_text(error: BaseException) -> bool:
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in (
        UNSTORABLE_TEXT
    )


def _coded(error: GraphQLError, code: str, **extra: Any) -> GraphQLError:
    error.extensions = {**(error.extensions or {}), "code": code, **extra}
    return error


def _failed_unavailable(result: Any) -> bool:
    errors = getattr(result, "errors", None)
    if not errors or any((e.extensions or {}).get("code") != unavailable.CODE for e in errors):
        return False
    data = getattr(result, "data", None)
    return not data or all(value is None for value in data.values())


class CodedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(error_message="Unexpected error.")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self.shape(error) for error in errors]

    def on_operation(self) -> Iterator[None]:
        yield from super().on_operation()
        if _failed_unavailable(self.execution_context.result):
            # Nothing was answered, and only because the database was out of reach: HTTP says
            # so too, for clients and proxies that retry on 503.
            response = getattr(self.execution_context.context, "response", None)
            if response is not None:
                response.status_code = 503
                response.headers["Retry-After"] = str(unavailable.RETRY_AFTER_SECONDS)

    def shape(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, HavenError):
            return _coded(error, original.code, **original.details)
        if original is None:
            # Parse, validation and limit errors describe the query itself; they are safe.
            code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
            return _coded(error, code)
        if isinstance(original, GraphQLError) and original.original_error is None:
            return _coded(error, "BAD_USER_INPUT")
        if isinstance(original, unavailable.DatabaseUnavailable):
            outages.failed(error.path, original)
            error = self.anonymise_error(error)
            error.message = unavailable.MESSAGE
            return _coded(error, unavailable.CODE)
        if _unstorable_text(original):
            error.message = "Text must not contain NUL characters or unpaired surrogates"
            error.original_error = None
            return _coded(error, "VALIDATION_ERROR")
        logger.error("unexpected error in %s", error.path, exc_info=original)
        return _coded(self.anonymise_error(error), INTERNAL)


class HideSuggestions(ValidationRule):
    """Drops "Did you mean ...?" hints, which would reveal the schema with introspection off."""

    def __init__(self, context: ValidationContext) -> None:
        context._hide_suggestions = True  # read-only property in graphql-core 3.2
        super().__init__(context)
