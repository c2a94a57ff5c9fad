"""Logging for every Haven process: one line per record, JSON in production (or when asked) and
readable text otherwise, each line carrying the id of the request it was written for.

Configured once per process by `haven serve` (and handed to uvicorn, so its access log reads
the same) and by `haven worker`. Haven's own loggers (`haven.*`, and modules logging under
their `app.*` name) log at `HAVEN_LOG_LEVEL`; libraries only from WARNING up.

Log calls must not pass secrets or what requesters wrote; `RedactSecrets` is the safety net for
the ones that slip through (credentials, Haven's token formats, capability links, email
addresses, SQL parameters in database errors)."""

import json
import logging
import logging.config
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from app.kit.settings import Settings

# The id of the HTTP request or WebSocket connection being handled, if any; set by the web
# layer and read for every log line, from whichever task writes it.
request_id: ContextVar[str | None] = ContextVar("haven_request_id", default=None)

HAVEN_LOGGERS = ("haven", "app")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
REDACTED = "[redacted]"
# uvicorn's line for an accepted WebSocket handshake (logged as `uvicorn.error`).
WEBSOCKET_ACCESS = '%s - "WebSocket %s" [accepted]'

# Query parameters whose values say nothing about anyone; every other value is replaced in
# logged URLs (`contact_email`, `reason`, search text and tokens all arrive as parameters).
HARMLESS_PARAMETERS = frozenset(
    {"limit", "first", "after", "before", "cursor", "status", "priority", "sort", "order"}
    | {"page", "submitted", "replied", "type", "case_type"}
)

_SCRUBS: list[tuple[re.Pattern[str], str]] = [
    # Credentials inside URLs: scheme://user:password@host.
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/\s@]*:)[^@\s/]+@", re.I), rf"\1{REDACTED}@"),
    # Authorization header values.
    (re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.I), rf"\1 {REDACTED}"),
    # Haven's own secrets by their prefixes: API keys, refresh tokens, widget tokens and
    # webhook signing secrets.
    (re.compile(r"\b(hv|hvr|wgt|whsec)_[A-Za-z0-9_+/=-]{8,}"), rf"\1_{REDACTED}"),
    # Signed tokens (JWTs).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
    # `key=value` and `"key": "value"` where the key names a secret.
    (
        re.compile(
            r"""(?i)\b((?:x-)?api[-_]?key|password|passwd|secret(?:[-_]?key)?|token"""
            r"""|access[-_]?token|refresh[-_]?token|authorization|cookie)"""
            r"""(["']?\s*[:=]\s*)(?:"[^"\n]*"|'[^'\n]*'|(?!\[redacted\]|(?:Bearer|Basic)\s)[^\s"'&,;}\]]+)"""
        ),
        rf"\1\2{REDACTED}",
    ),
    # Capability links: portal status and lookup links carry their secret in the path.
    (re.compile(r"(/portal/(?:tickets|lookup)/)[^/?#\s\"']+"), rf"\1{REDACTED}"),
    # Email addresses (requesters', users').
    (re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), "[email]"),
    # What SQLAlchemy and PostgreSQL quote from rows in their errors: bound parameters, the
    # failing row and conflicting key values hold titles, descriptions and hashes.
    (re.compile(r"\[parameters: .*?\](?=\n\(Background|\s*$)", re.S), f"[parameters: {REDACTED}]"),
    (re.compile(r"(Failing row contains ).*"), rf"\1{REDACTED}"),
    (re.compile(r"(Key \([^)\n]*\)=).*"), rf"\1{REDACTED}"),
]
_QUERY = re.compile(r"([?&])([^=&#\s]+)=([^&#\s]*)")


def redact(text: str) -> str:
    """`text` without anything that looks like a secret or a person's address."""
    for pattern, replacement in _SCRUBS:
        text = pattern.sub(replacement, text)
    return text


def redact_url(target: str) -> str:
    """A logged path and query: values of parameters not known to be harmless are replaced."""

    def parameter(match: re.Match[str]) -> str:
        separator, name, value = match.groups()
        kept = value if name in HARMLESS_PARAMETERS else REDACTED
        return f"{separator}{name}={kept}"

    return redact(_QUERY.sub(parameter, target))


class AddRequestId(logging.Filter):
    """Stamps each record with the current request's id (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class RedactSecrets(logging.Filter):
    """Rewrites each record's message with secrets and addresses replaced, whatever was passed.

    uvicorn's access records keep their fields (method, path, status) for the JSON format."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            client, method, target, version, status = args
            target = redact_url(str(target))
            record.args = (client, method, target, version, status)
            record.http = {"method": method, "path": target, "status": status}
        elif record.msg == WEBSOCKET_ACCESS and isinstance(args, tuple) and len(args) == 2:
            record.args = (args[0], redact_url(str(args[1])))
        try:
            message = record.getMessage()
        except Exception:  # a log call whose arguments do not fit must not fail its caller
            message = f"{record.msg} (arguments did not fit: {record.args!r})"
        record.msg, record.args = redact(message), None
        return True


# Attributes every LogRecord has; anything else on a record was passed as `extra` (except
# uvicorn's copy of its message with terminal colours).
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "request_tag",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, any `extra`
    fields, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return redact(super().formatStack(stack_info))


class TextFormatter(logging.Formatter):
    """`time level logger [request id] message`, for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(request_tag)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        found = getattr(record, "request_id", None)
        record.request_tag = f"[{found}] " if found else ""
        # Redacted as a whole: a traceback another handler formatted first is reused as is.
        return redact(super().format(record))


def json_logs(settings: Settings) -> bool:
    if settings.log_format is not None:
        return settings.log_format == "json"
    return settings.production


def logging_config(settings: Settings) -> dict[str, Any]:
    """The `logging.config.dictConfig` document for a Haven process (uvicorn takes it as is)."""
    formatter = "json" if json_logs(settings) else "text"
    haven = {name: {"level": settings.log_level} for name in HAVEN_LOGGERS}
    uvicorn = {name: {"level": "INFO"} for name in UVICORN_LOGGERS}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": AddRequestId},
            "redact": {"()": RedactSecrets},
        },
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": formatter,
                "filters": ["request_id", "redact"],
            }
        },
        # uvicorn's loggers otherwise keep handlers of their own; here everything goes through
        # the one handler, so every line has one format.
        "loggers": {
            **haven,
            **{
                name: {**level, "handlers": [], "propagate": True}
                for name, level in uvicorn.items()
            },
        },
        "root": {"level": "WARNING", "handlers": ["stderr"]},
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))
