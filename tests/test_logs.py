"""Logs: one line per record (JSON or text), a request id on every line of a request, and no
secrets or requesters' words in any of them."""

import asyncio
import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from websockets.asyncio.client import connect

from app.kit.logs import (
    AddRequestId,
    JsonFormatter,
    RedactSecrets,
    TextFormatter,
    json_logs,
    redact,
    request_id,
)
from app.kit.settings import Settings
from app.mail.sender import compose, deliver
from app.rest.operations import Operation, routes
from app.services import Services
from app.web.app import create_app
from app.web.request_id import RequestIdMiddleware
from tests.factories import PASSWORD, Factory
from tests.realtime.conftest import serving

HEX_ID = re.compile(r"[0-9a-f]{32}")
# "uvicorn" too: uvicorn's own logging setup stops its records there unless it propagates.
LOGGERS = ("haven", "app", "uvicorn", "uvicorn.access", "uvicorn.error")


class Captured:
    """Everything logged while capturing, as Haven's handler would write it."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@contextmanager
def capture_logs(formatter: logging.Formatter | None = None) -> Iterator[Captured]:
    """Haven's filters and formatter on a handler of the root logger, Haven's and uvicorn's
    loggers at INFO; all put back afterwards."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter or JsonFormatter())
    handler.addFilter(AddRequestId())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    # Other tests may have configured logging in this process (uvicorn.access not propagating,
    # or loggers disabled by a dictConfig): every captured logger reaches the root here.
    saved = {
        name: (logger.level, logger.propagate, logger.disabled)
        for name in LOGGERS
        for logger in [logging.getLogger(name)]
    }
    root.addHandler(handler)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.propagate, logger.disabled = True, False
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)
        for name, (level, propagate, disabled) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.propagate, logger.disabled = propagate, disabled


@pytest.fixture
async def live_url(services: Services) -> AsyncIterator[str]:
    """The real app under uvicorn on a free loopback port, logging through the root logger
    (log_config=None leaves the test process's logging as it is)."""
    settings = services.settings.model_copy(update={"inline_worker": False})
    app = create_app(settings, services)
    async with serving(
        app, lifespan="off", log_config=None, log_level=None, timeout_graceful_shutdown=5
    ) as url:
        yield url


async def _log_later(log: logging.Logger) -> None:
    await asyncio.sleep(0)
    log.info("from a task")


def access_lines(captured: Captured) -> list[dict[str, Any]]:
    return [line for line in captured.lines() if line["logger"] == "uvicorn.access"]


class TestRequestIds:
    async def test_a_sane_request_id_is_echoed_and_carried_by_the_requests_log_line(
        self, live_url: str
    ) -> None:
        with capture_logs() as captured:
            async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
                response = await http.get("/health", headers={"X-Request-ID": "abc-123"})
        assert response.status_code == 200
        assert response.headers["x-request-id"] == "abc-123"
        (line,) = [line for line in access_lines(captured) if line["request_id"] == "abc-123"]
        assert line["http"] == {"method": "GET", "path": "/health", "status": 200}
        assert "GET /health" in line["message"]

    @pytest.mark.parametrize(
        "sent",
        [b"a" * 129, b"abc 123", b"<script>", b"id\xe9", b"a,b", b"", b"x;rm -rf"],
        ids=["too-long", "space", "markup", "non-ascii", "comma", "empty", "shell"],
    )
    async def test_a_garbage_request_id_is_replaced_by_a_fresh_one(
        self, client: httpx.AsyncClient, sent: bytes
    ) -> None:
        response = await client.get("/health", headers=[(b"X-Request-ID", sent)])
        assert response.status_code == 200
        echoed = response.headers["x-request-id"]
        assert echoed.encode() != sent
        assert HEX_ID.fullmatch(echoed)

    async def test_each_request_without_an_id_gets_its_own(self, client: httpx.AsyncClient) -> None:
        first, second = await client.get("/health"), await client.get("/health")
        assert HEX_ID.fullmatch(first.headers["x-request-id"])
        assert first.headers["x-request-id"] != second.headers["x-request-id"]

    async def test_refusals_and_unknown_paths_carry_the_id_too(
        self, client: httpx.AsyncClient
    ) -> None:
        missing = await client.get("/no/such/page", headers={"X-Request-ID": "req:404"})
        assert missing.status_code == 404
        assert missing.headers["x-request-id"] == "req:404"
        refused = await client.get("/api/v1/cases", headers={"X-Request-ID": "req.401"})
        assert refused.status_code == 401
        assert refused.headers["x-request-id"] == "req.401"

    async def test_log_lines_from_anywhere_in_a_request_carry_its_id(self) -> None:
        async def handler(request: Request) -> Response:
            log = logging.getLogger("haven.test")
            log.info("in the handler")
            # Tasks started while handling the request inherit its id.
            await asyncio.create_task(_log_later(log))
            return PlainTextResponse("ok")

        app = Starlette(
            routes=[Route("/work", handler)], middleware=[Middleware(RequestIdMiddleware)]
        )
        transport = httpx.ASGITransport(app=app)
        with capture_logs() as captured:
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                await http.get("/work", headers={"X-Request-ID": "abc-123"})
                answer = await http.get("/work")
            logging.getLogger("haven.test").info("between requests")
        ids = [(line["message"], line["request_id"]) for line in captured.lines()]
        fresh = answer.headers["x-request-id"]
        assert ids == [
            ("in the handler", "abc-123"),
            ("from a task", "abc-123"),
            ("in the handler", fresh),
            ("from a task", fresh),
            ("between requests", None),
        ]

    async def test_a_websocket_connection_gets_one_id_echoed_on_its_handshake(
        self, live_url: str
    ) -> None:
        url = live_url.replace("http://", "ws://") + "/graphql"
        with capture_logs() as captured:
            async with connect(
                url,
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                additional_headers={"X-Request-ID": "ws-conn-1"},
            ) as socket:
                assert socket.response is not None
                assert socket.response.headers["X-Request-ID"] == "ws-conn-1"
            async with connect(url, subprotocols=["graphql-transport-ws"]) as other:  # type: ignore[list-item]
                assert other.response is not None
                assert HEX_ID.fullmatch(other.response.headers["X-Request-ID"])
        handshakes = [line for line in captured.lines() if "WebSocket /graphql" in line["message"]]
        assert any(line["request_id"] == "ws-conn-1" for line in handshakes)


class TestFormats:
    def test_json_lines_parse_with_level_logger_message_and_request_id(self) -> None:
        with capture_logs(JsonFormatter()) as captured:
            token = request_id.set("abc-123")
            try:
                logging.getLogger("haven.worker").info(
                    "pruned %d sign-ins", 3, extra={"n": 3, "color_message": "\x1b[36m3\x1b[0m"}
                )
            finally:
                request_id.reset(token)
            try:
                raise ValueError("boom")
            except ValueError:
                logging.getLogger("haven.worker").exception("job failed")
        first, second = captured.lines()
        assert first["level"] == "INFO"
        assert first["logger"] == "haven.worker"
        assert first["message"] == "pruned 3 sign-ins"
        assert first["request_id"] == "abc-123"
        assert first["n"] == 3 and "color_message" not in first
        assert first["time"].endswith("+00:00")
        assert second["level"] == "ERROR" and second["request_id"] is None
        assert "ValueError: boom" in second["exception"]

    def test_text_lines_are_one_readable_line_with_the_request_id(self) -> None:
        with capture_logs(TextFormatter()) as captured:
            token = request_id.set("abc-123")
            try:
                logging.getLogger("haven.worker").warning("slow poll")
            finally:
                request_id.reset(token)
            logging.getLogger("haven.worker").info("idle")
        first, second = captured.text.splitlines()
        assert re.fullmatch(r"\S+ \S+ WARNING haven.worker \[abc-123\] slow poll", first)
        assert re.fullmatch(r"\S+ \S+ INFO    haven.worker idle", second)

    def test_a_log_call_with_arguments_that_do_not_fit_is_written_not_raised(self) -> None:
        # Haven's handler alone: the test runner's own handlers would trip over the record.
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RedactSecrets())
        log = logging.getLogger("haven.test.unfit")
        log.propagate, log.level = False, logging.INFO
        log.addHandler(handler)
        try:
            log.info("two %s and %s", "one")
        finally:
            log.removeHandler(handler)
            log.propagate = True
        line = json.loads(stream.getvalue())
        assert line["message"].startswith("two %s and %s (arguments did not fit")

    @pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
    def test_tracebacks_are_scrubbed_too(self, formatter: logging.Formatter) -> None:
        with capture_logs(formatter) as captured:
            try:
                raise RuntimeError("refused Authorization: Bearer hv_c2VjcmV0c2VjcmV0")
            except RuntimeError:
                logging.getLogger("haven.test").exception("request failed")
        assert "RuntimeError: refused Authorization: Bearer [redacted]" in captured.text
        assert "c2VjcmV0" not in captured.text

    @pytest.mark.parametrize(
        ("env", "chosen", "expected"),
        [
            ("production", None, True),
            ("development", None, False),
            ("development", "json", True),
            ("production", "text", False),
        ],
    )
    def test_json_in_production_unless_told_otherwise(
        self, env: Any, chosen: Any, expected: bool
    ) -> None:
        assert json_logs(Settings(env=env, log_format=chosen)) is expected

    def test_a_configured_process_shows_havens_info_logs_as_json_in_production(self) -> None:
        program = (
            "import logging\n"
            "from app.kit.logs import configure_logging\n"
            "from app.kit.settings import Settings\n"
            "configure_logging(Settings())\n"
            "logging.getLogger('haven.worker').info('pruned 3 sign-ins')\n"
            "logging.getLogger('app.intake.public').info('form shown')\n"
            "logging.getLogger('some.library').info('library chatter')\n"
            "logging.getLogger('uvicorn.error').info('Started server process')\n"
        )
        environment = {**os.environ, "HAVEN_ENV": "production", "HAVEN_LOG_FORMAT": ""}
        environment.pop("HAVEN_LOG_FORMAT")
        finished = subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            timeout=60,
            env=environment,
            check=True,
        )
        lines = [json.loads(line) for line in finished.stderr.splitlines()]
        assert [(line["logger"], line["message"]) for line in lines] == [
            ("haven.worker", "pruned 3 sign-ins"),
            ("app.intake.public", "form shown"),
            ("uvicorn.error", "Started server process"),
        ]
        assert all(line["level"] == "INFO" and "request_id" in line for line in lines)


class TestNoSecrets:
    async def test_sign_in_attempts_log_neither_the_password_nor_the_api_key(
        self, live_url: str, factory: Factory
    ) -> None:
        world = await factory.world()
        wrong = f"wrong-{uuid.uuid4().hex}"
        login = "mutation SignIn($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }"  # noqa: E501
        with capture_logs() as captured:
            async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
                for password in (wrong, PASSWORD):
                    await http.post(
                        f"/graphql?password={password}",
                        json={"query": login, "variables": {"e": world.admin.email, "p": password}},
                        headers={"X-Request-ID": "sign-in"},
                    )
                await http.get(
                    f"/api/v1/cases?api_key={world.api_key}&limit=5",
                    headers={"X-API-Key": world.api_key, "X-Request-ID": "with-key"},
                )
                await http.get(
                    "/api/v1/cases", headers={"Authorization": f"Bearer {world.api_key}"}
                )
            logging.getLogger("haven.test").warning(
                "headers seen: Authorization: Bearer %s, X-API-Key: %s, password=%r",
                world.token,
                world.api_key,
                PASSWORD,
            )
        text = captured.text
        assert access_lines(captured), "the requests were logged"
        for secret in (wrong, PASSWORD, world.api_key, world.token, world.admin.email):
            assert secret not in text
        lines = access_lines(captured)
        assert {line["request_id"] for line in lines} >= {"sign-in", "with-key"}
        paths = {line["http"]["path"] for line in lines}
        assert "/graphql?password=[redacted]" in paths
        assert "/api/v1/cases?api_key=[redacted]&limit=5" in paths

    async def test_portal_links_and_requesters_addresses_stay_out_of_the_access_log(
        self, live_url: str
    ) -> None:
        token = f"tok{uuid.uuid4().hex}"
        with capture_logs() as captured:
            async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
                await http.get(f"/portal/tickets/{token}?submitted=1")
                await http.get("/v1/tickets/1?contact_email=jane.doe@example.com")
        paths = [line["http"]["path"] for line in access_lines(captured)]
        assert paths == [
            "/portal/tickets/[redacted]?submitted=1",
            "/v1/tickets/1?contact_email=[redacted]",
        ]
        assert token not in captured.text and "jane.doe" not in captured.text

    @pytest.mark.parametrize(
        ("written", "secret"),
        [
            ("Authorization: Bearer eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl", "eyJzdWIiOiIx"),
            ("api key hv_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA was revoked", "Zm9vYmFyYmF6"),
            ("x-api-key=hv-not-prefixed-secret-value", "hv-not-prefixed"),
            ('{"password": "hunter2hunter2"}', "hunter2"),
            ("refresh_token=hvr_abcdefghijklmnop", "abcdefghij"),
            ("signing secret whsec_c2VjcmV0c2VjcmV0c2VjcmV0", "c2VjcmV0"),
            ("widget wgt_abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnop"),
            ("cannot connect to postgresql://haven:pa55word@db:5432/haven", "pa55word"),
            ("redis://:r3dispass@cache:6379/0 refused", "r3dispass"),
            ("mail to jane.doe@example.com failed", "jane.doe"),
            ("GET /portal/lookup/abcDEF123-_/tickets/4", "abcDEF123"),
            (
                "(IntegrityError) duplicate key\n[SQL: INSERT INTO tickets (title) VALUES ($1)]\n"
                "[parameters: ('My neighbour threatens me',)]\n"
                "(Background on this error at: https://sqlalche.me/e/20/gkpj)",
                "neighbour",
            ),
            ('DETAIL:  Key (tenant_id, email)=(1, "a b") already exists.', '"a b"'),
            ("DETAIL:  Failing row contains (1, Help me please, null).", "Help me"),
            ("Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ],
    )
    def test_the_safety_net_scrubs_secrets_and_addresses(self, written: str, secret: str) -> None:
        assert secret not in redact(written)
        assert redact(redact(written)) == redact(written)

    @pytest.mark.parametrize(
        "ordinary",
        [
            "pruned 3 refresh tokens and 2 sign-ins",
            "graphql_max_tokens=2000",
            "unexpected error in POST /api/v1/cases/{case_id}/status",
            "evidence tampered: key=sha256/ab/abcdef expected=abc actual=def (size)",
        ],
    )
    def test_the_safety_net_leaves_ordinary_lines_alone(self, ordinary: str) -> None:
        assert redact(ordinary) == ordinary


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


class TestLogCalls:
    async def test_a_failed_mail_is_logged_without_its_subject_or_recipient(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        settings = Settings(
            env="test", smtp_host="127.0.0.1", smtp_port=_closed_port(), smtp_timeout_seconds=2
        )
        title = "My neighbour keeps threatening me"
        message = compose(settings, "jane.doe@example.com", f"[#12] {title}", "Thanks")
        with capture_logs() as captured, caplog.at_level(logging.ERROR, logger="haven.mail"):
            await deliver(settings, [message])
        (record,) = [r for r in caplog.records if r.name == "haven.mail"]
        assert title not in record.getMessage()
        assert message["Message-ID"] in record.getMessage()
        assert title not in captured.text and "jane.doe" not in captured.text

    async def test_an_unexpected_rest_error_is_logged_by_route_not_by_path(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        async def broken(request: Request) -> Response:
            raise RuntimeError("bug")

        operation = Operation(
            "GET", "/portal/tickets/{token}", broken, "broken", "test", "Fails", [], {}
        )
        app = Starlette(routes=routes([operation]))
        token = f"tok{uuid.uuid4().hex}"
        transport = httpx.ASGITransport(app=app)
        with caplog.at_level(logging.ERROR, logger="haven.rest"):
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                response = await http.get(f"/portal/tickets/{token}")
        assert response.status_code == 500
        assert response.json()["error"]["code"] == "INTERNAL_ERROR"
        (record,) = [r for r in caplog.records if r.name == "haven.rest"]
        assert record.getMessage() == "unexpected error in GET /portal/tickets/{token}"
