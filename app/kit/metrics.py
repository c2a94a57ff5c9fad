"""Prometheus metrics counted as things happen, one set per process.

Each process keeps its own counts and is scraped on its own (`/metrics`); Prometheus adds them
up. What is read at scrape time instead (the database pool, the job queue, live
subscriptions) lives with the endpoint, in `app/web/gauges.py`."""

from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# Seconds; from a cached read to a slow report.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# Operation names come from clients; past this many distinct ones, new names count as "other"
# so that nobody can grow the process's memory (or Prometheus's) by inventing names.
MAX_OPERATION_NAMES = 200
MAX_OPERATION_NAME_LENGTH = 64

# `*_created` series would double what every counter and histogram costs to store and scrape,
# for a start time Prometheus does not need.
disable_created_metrics()

HTTP_REQUESTS = Counter(
    "haven_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "haven_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
GRAPHQL_OPERATIONS = Counter(
    "haven_graphql_operations",
    "GraphQL operations by name, type (query, mutation, subscription) and outcome "
    "(ok, error, internal_error, rejected).",
    ["operation", "type", "outcome"],
)
GRAPHQL_LATENCY = Histogram(
    "haven_graphql_operation_duration_seconds",
    "Time to execute a GraphQL query or mutation, by name and type.",
    ["operation", "type"],
    buckets=LATENCY_BUCKETS,
)
WEBHOOK_DELIVERIES = Counter(
    "haven_webhook_deliveries",
    "Signed platform events received, by outcome (accepted, duplicate, bad_signature, "
    "unauthenticated, forbidden, invalid, conflict, rate_limited).",
    ["outcome"],
)
WEBSOCKETS = Gauge("haven_websocket_connections", "WebSocket connections open now.")
FANOUT_DELAY = Histogram(
    "haven_fanout_delay_seconds",
    "From an event's commit (its created_at) to its delivery to this process's subscribers.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)

_operation_names: set[str] = set()


def operation_label(name: str | None) -> str:
    """The label for an operation name: as sent while few names are known, else "other"."""
    if name is None:
        return "anonymous"
    if name in _operation_names:
        return name
    if len(name) > MAX_OPERATION_NAME_LENGTH or len(_operation_names) >= MAX_OPERATION_NAMES:
        return "other"
    _operation_names.add(name)
    return name


def observe_fanout_delay(created_at: datetime) -> None:
    """Record how long ago an event being delivered now was committed: call once per event
    per process, where the hub hands it to subscribers. `created_at` is the database's clock
    at the start of the writing transaction, so the figure includes the commit itself."""
    delay = (datetime.now(UTC) - created_at).total_seconds()
    FANOUT_DELAY.observe(max(delay, 0.0))


def count_webhook_delivery(outcome: str) -> None:
    WEBHOOK_DELIVERIES.labels(outcome).inc()
