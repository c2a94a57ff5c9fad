"""`/metrics`: refused without its token; with it, Prometheus text with requests by route
template, GraphQL operations by name, webhook outcomes, the pool, live hub and job queue."""

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from app.kit.metrics import observe_fanout_delay, operation_label
from app.kit.settings import Settings
from app.services import Services
from app.web.app import create_app
from tests.cases.helpers import open_case
from tests.factories import Factory, gid
from tests.webhooks.helpers import PATH, event, new_connector, post_event, signed_headers

TOKEN = "metrics-" + uuid.uuid4().hex
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def _client(services: Services, **changes: object) -> AsyncIterator[httpx.AsyncClient]:
    settings = services.settings.model_copy(update={"metrics_token": TOKEN, **changes})
    transport = httpx.ASGITransport(app=create_app(settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        yield client


@pytest.fixture
async def watched(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """An app like the others, with a metrics token set."""
    async for client in _client(services):
        yield client


async def scrape(client: httpx.AsyncClient) -> tuple[str, Samples]:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def envelope(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


class TestAccess:
    async def test_without_the_token_metrics_are_refused(self, watched: httpx.AsyncClient) -> None:
        response = await watched.get("/metrics")
        envelope(response, 401, "UNAUTHORIZED")
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "haven_" not in response.text

    @pytest.mark.parametrize(
        "authorization",
        [f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer ", f"Bearer {TOKEN[:-1]}"],
    )
    async def test_a_wrong_token_is_refused(
        self, watched: httpx.AsyncClient, authorization: str
    ) -> None:
        response = await watched.get("/metrics", headers={"Authorization": authorization})
        envelope(response, 401, "UNAUTHORIZED")

    async def test_without_a_configured_token_there_are_no_metrics(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        envelope(response, 404, "NOT_FOUND")

    def test_a_short_token_is_refused_and_an_empty_one_means_unset(self) -> None:
        with pytest.raises(ValueError, match="metrics_token"):
            Settings(metrics_token="short")
        assert Settings(metrics_token="").metrics_token is None


class TestHttp:
    async def test_requests_are_counted_by_route_template_never_by_path(
        self, services: Services, factory: Factory, watched: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        case = await open_case(services, world.admin)
        auth = {"Authorization": f"Bearer {world.token}"}
        labels = {"method": "GET", "route": "/api/v1/cases/{case_id}"}
        _, before = await scrape(watched)
        for _ in range(2):
            response = await watched.get(f"/api/v1/cases/{gid('cas', case.id)}", headers=auth)
            assert response.status_code == 200
        missing = uuid.uuid4()
        assert (await watched.get(f"/api/v1/cases/{missing}", headers=auth)).status_code == 404
        assert (await watched.get(f"/nowhere/{missing}")).status_code == 404
        body, after = await scrape(watched)

        def grew(name: str, **extra: str) -> float:
            return value(after, name, **extra) - value(before, name, **extra)

        assert grew("haven_http_requests_total", **labels, status="200") == 2
        assert grew("haven_http_requests_total", **labels, status="404") == 1
        assert grew("haven_http_request_duration_seconds_count", **labels, status="200") == 2
        unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
        assert grew("haven_http_requests_total", **unmatched) == 1
        for raw in (str(case.id), str(missing), "nowhere"):
            assert raw not in body

    async def test_unusual_methods_share_one_label(self, watched: httpx.AsyncClient) -> None:
        await watched.request("BREW", "/health")
        body, samples = await scrape(watched)
        assert "BREW" not in body
        assert (
            value(
                samples, "haven_http_requests_total", method="other", route="/health", status="405"
            )
            >= 1
        )

    async def test_requests_refused_before_routing_keep_their_route(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        secret = await new_connector(services, world.tenant)
        async for limited in _client(
            services, rate_limit_enabled=True, rate_limit_webhooks_per_minute=1
        ):
            _, before = await scrape(limited)
            statuses = [
                (await post_event(limited, secret, world.api_key, event())).status_code
                for _ in range(3)
            ]
            _, after = await scrape(limited)
        assert statuses == [202, 429, 429]
        webhook = {"method": "POST", "route": PATH, "status": "429"}
        assert (
            value(after, "haven_http_requests_total", **webhook)
            - value(before, "haven_http_requests_total", **webhook)
            == 2
        )
        rate_limited = ("haven_webhook_deliveries_total", {"outcome": "rate_limited"})
        assert (
            value(after, rate_limited[0], **rate_limited[1])
            - value(before, rate_limited[0], **rate_limited[1])
            == 2
        )


class TestGraphQL:
    async def test_operations_are_counted_by_name_type_and_outcome(
        self, factory: Factory, watched: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        auth = {"Authorization": f"Bearer {world.token}"}
        name = f"MetricsProbe{uuid.uuid4().hex[:8]}"
        _, before = await scrape(watched)
        await watched.post(
            "/graphql", json={"query": f"query {name} {{ __typename }}"}, headers=auth
        )
        await watched.post(
            "/graphql", json={"query": f"query {name} {{ __typename }}"}, headers=auth
        )
        await watched.post("/graphql", json={"query": f"query {name} {{ nope }}"}, headers=auth)
        sign_in = 'login(input: {email: "nobody@example.com", password: "wrong"}) { tokenType }'
        await watched.post("/graphql", json={"query": f"mutation {name}M {{ {sign_in} }}"})
        await watched.post("/graphql", json={"query": "{ __typename }"}, headers=auth)
        _, after = await scrape(watched)

        def grew(**labels: str) -> float:
            metric = "haven_graphql_operations_total"
            return value(after, metric, **labels) - value(before, metric, **labels)

        assert grew(operation=name, type="query", outcome="ok") == 2
        assert grew(operation=name, type="query", outcome="rejected") == 1
        assert grew(operation=f"{name}M", type="mutation", outcome="error") == 1
        assert grew(operation="anonymous", type="query", outcome="ok") >= 1
        seconds = "haven_graphql_operation_duration_seconds_count"
        assert value(after, seconds, operation=name, type="query") >= 2

    async def test_names_a_client_invents_cannot_grow_the_labels_without_bound(self) -> None:
        invented = [operation_label(f"Invented{uuid.uuid4().hex}") for _ in range(300)]
        assert invented[-1] == "other"
        assert operation_label("x" * 65) == "other"
        assert operation_label(None) == "anonymous"


class TestWebhooks:
    async def test_ingest_outcomes_are_counted(
        self, services: Services, factory: Factory, watched: httpx.AsyncClient
    ) -> None:
        world = await factory.world()
        secret = await new_connector(services, world.tenant)
        _, before = await scrape(watched)
        sent = event()
        assert (await post_event(watched, secret, world.api_key, sent)).status_code == 202
        assert (await post_event(watched, secret, world.api_key, sent)).status_code == 409
        body = json.dumps(event()).encode()
        forged = signed_headers("whsec_not-the-secret", body, world.api_key)
        assert (await watched.post(PATH, content=body, headers=forged)).status_code == 403
        assert (await post_event(watched, secret, "hv_wrong", event())).status_code == 401
        assert (await post_event(watched, secret, world.api_key, "[1, 2]")).status_code == 400
        _, after = await scrape(watched)
        grown = {
            outcome: value(after, "haven_webhook_deliveries_total", outcome=outcome)
            - value(before, "haven_webhook_deliveries_total", outcome=outcome)
            for outcome in ("accepted", "duplicate", "bad_signature", "unauthenticated", "invalid")
        }
        assert grown == {
            "accepted": 1,
            "duplicate": 1,
            "bad_signature": 1,
            "unauthenticated": 1,
            "invalid": 1,
        }


class TestReadings:
    async def test_the_pool_and_the_live_hub_are_read_at_scrape_time(
        self, services: Services, watched: httpx.AsyncClient
    ) -> None:
        _, samples = await scrape(watched)
        assert value(samples, "haven_db_pool_size") == services.db.engine.pool.size()  # type: ignore[attr-defined]
        assert ("haven_db_pool_checked_out", frozenset()) in samples
        assert value(samples, "haven_db_pool_overflow") >= 0
        held = sum(len(s) for s in services.hub.subscriptions.values())
        assert value(samples, "haven_live_subscriptions") == held
        assert ("haven_websocket_connections", frozenset()) in samples

    async def test_the_job_queue_depth_and_recent_failures_come_from_pgqueuer(
        self, services: Services, watched: httpx.AsyncClient
    ) -> None:
        entrypoint = f"metrics_probe_{uuid.uuid4().hex[:8]}"
        rows = {"entrypoint": entrypoint}
        async with services.db.transaction() as work:
            for status in ("queued", "queued", "picked"):
                await work.session.execute(
                    text(
                        "INSERT INTO pgqueuer (priority, status, entrypoint)"
                        " VALUES (0, CAST(:status AS pgqueuer_status), :entrypoint)"
                    ),
                    {**rows, "status": status},
                )
            for status, age in (("exception", 1), ("successful", 1), ("exception", 60)):
                await work.session.execute(
                    text(
                        "INSERT INTO pgqueuer_log (job_id, status, priority, entrypoint, created)"
                        " VALUES (0, CAST(:status AS pgqueuer_status), 0, :entrypoint,"
                        " now() - make_interval(mins => :age))"
                    ),
                    {**rows, "status": status, "age": age},
                )
        try:
            _, samples = await scrape(watched)
        finally:
            async with services.db.transaction() as work:
                for table in ("pgqueuer", "pgqueuer_log"):
                    await work.session.execute(
                        text(f"DELETE FROM {table} WHERE entrypoint = :entrypoint"), rows
                    )
        depth = "haven_job_queue_depth"
        assert value(samples, depth, entrypoint=entrypoint, status="queued") == 2
        assert value(samples, depth, entrypoint=entrypoint, status="picked") == 1
        recent = "haven_jobs_finished_recent"
        assert value(samples, recent, entrypoint=entrypoint, status="exception") == 1
        assert value(samples, recent, entrypoint=entrypoint, status="successful") == 1

    async def test_fanout_delay_is_a_histogram_the_hub_feeds(
        self, watched: httpx.AsyncClient
    ) -> None:
        _, before = await scrape(watched)
        observe_fanout_delay(datetime.now(UTC) - timedelta(milliseconds=30))
        observe_fanout_delay(datetime.now(UTC) + timedelta(seconds=1))  # a clock ahead: 0
        _, after = await scrape(watched)
        count = "haven_fanout_delay_seconds_count"
        assert value(after, count) - value(before, count) == 2
        fast = {"le": "0.005"}
        bucket = "haven_fanout_delay_seconds_bucket"
        assert value(after, bucket, **fast) - value(before, bucket, **fast) == 1
