"""A portal lookup's answer does not wait for the lookup: the search for the address's tickets
runs once the response is complete, so the answer is the same, and takes the same time, for
addresses with and without tickets."""

import asyncio
import logging
import uuid
from collections.abc import Iterator, MutableMapping
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import event

from app.intake import repository
from app.services import Services
from app.web.app import create_app
from tests.factories import Factory
from tests.intake.helpers import LOOKUP_ANSWER, SUBMIT, create_form, outbox, submission

JSON_BODY = "application/json"
FORM_BODY = "application/x-www-form-urlencoded"


def lookup_body(kind: str, email: str, **more: str) -> bytes:
    fields = {"action": "lookup", "email": email, **more}
    if kind == JSON_BODY:
        return httpx.Request("POST", "/", json=fields).content
    return urlencode(fields).encode()


class LookupQueries:
    """The SQL the database receives that looks for a requester's tickets."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "requester_email" in statement:
            self.count += 1


@pytest.fixture
def lookup_queries(services: Services) -> Iterator[LookupQueries]:
    queries = LookupQueries()
    event.listen(services.db.engine.sync_engine, "before_cursor_execute", queries)
    yield queries
    event.remove(services.db.engine.sync_engine, "before_cursor_execute", queries)


class Exchange:
    """One request played straight into the ASGI app, noting what had happened by the time the
    last byte of the answer was sent."""

    def __init__(self, body: bytes, kind: str) -> None:
        self.body, self.kind = body, kind
        self.status = 0
        self.answer = b""
        self.queries_when_answered: int | None = None
        self.mails_when_answered: int | None = None

    def scope(self) -> dict[str, Any]:
        return {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": SUBMIT,
            "raw_path": SUBMIT.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"haven.test"),
                (b"content-type", self.kind.encode()),
                (b"content-length", str(len(self.body)).encode()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("haven.test", 80),
        }

    async def run(self, services: Services, queries: LookupQueries, email: str) -> None:
        app = create_app(services.settings, services)
        queries.count = 0
        pending = [{"type": "http.request", "body": self.body, "more_body": False}]
        connected = asyncio.Event()  # the client stays on the line and says nothing more

        async def receive() -> dict[str, Any]:
            if pending:
                return pending.pop()
            await connected.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            elif message["type"] == "http.response.body":
                self.answer += message.get("body", b"")
                if not message.get("more_body", False):
                    self.queries_when_answered = queries.count
                    self.mails_when_answered = len(outbox(services.settings, email))

        await asyncio.wait_for(app(self.scope(), receive, send), timeout=30)


async def requester(factory: Factory, client: httpx.AsyncClient) -> tuple[str, str]:
    """The address of a requester with one ticket, and the form it was filed through."""
    world = await factory.world()
    form = await create_form(factory, world)
    entry = submission(form["slug"])
    assert (await client.post(SUBMIT, json=entry)).status_code == 201
    return entry["email"], form["slug"]


def nobody() -> str:
    return f"nobody-{uuid.uuid4().hex[:8]}@example.org"


def lookup_mails(services: Services, email: str) -> list[Any]:
    return [m for m in outbox(services.settings, email) if "Your tickets" in m["Subject"]]


@pytest.mark.parametrize("kind", [JSON_BODY, FORM_BODY], ids=["json", "html-form"])
class TestTheAnswerDoesNotWaitForTheLookup:
    async def test_the_lookup_runs_after_the_answer_is_complete(
        self,
        factory: Factory,
        client: httpx.AsyncClient,
        services: Services,
        lookup_queries: LookupQueries,
        kind: str,
    ) -> None:
        email, _ = await requester(factory, client)
        exchange = Exchange(lookup_body(kind, email), kind)
        await exchange.run(services, lookup_queries, email)
        assert exchange.status == (202 if kind == JSON_BODY else 200)
        # When the last byte went out the tickets had not been looked for, nor the link mailed.
        assert exchange.queries_when_answered == 0
        assert exchange.mails_when_answered == 1  # the receipt of the ticket only
        # ...and afterwards they had: the requester still gets the link.
        assert lookup_queries.count >= 1
        assert len(lookup_mails(services, email)) == 1

    async def test_a_form_scoped_lookup_also_answers_first(
        self,
        factory: Factory,
        client: httpx.AsyncClient,
        services: Services,
        lookup_queries: LookupQueries,
        kind: str,
    ) -> None:
        email, slug = await requester(factory, client)
        exchange = Exchange(lookup_body(kind, email, form_slug=slug), kind)
        await exchange.run(services, lookup_queries, email)
        assert exchange.queries_when_answered == 0
        assert lookup_queries.count >= 1
        assert len(lookup_mails(services, email)) == 1

    async def test_addresses_with_and_without_tickets_get_the_same_bytes(
        self,
        factory: Factory,
        client: httpx.AsyncClient,
        services: Services,
        lookup_queries: LookupQueries,
        kind: str,
    ) -> None:
        known, unknown = (await requester(factory, client))[0], nobody()
        answers = []
        for email in (known, unknown):
            exchange = Exchange(lookup_body(kind, email), kind)
            await exchange.run(services, lookup_queries, email)
            answers.append((exchange.status, exchange.answer))
        assert answers[0] == answers[1]
        if kind == JSON_BODY:
            assert httpx.Response(202, content=answers[0][1]).json() == LOOKUP_ANSWER
        assert len(lookup_mails(services, known)) == 1
        assert lookup_mails(services, unknown) == []


@pytest.fixture
def failing_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    async def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(repository, "tenants_with_requester", explode)


async def test_a_failing_lookup_does_not_change_the_answer_and_is_logged(
    factory: Factory,
    client: httpx.AsyncClient,
    services: Services,
    failing_lookup: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    email, _ = await requester(factory, client)
    with caplog.at_level(logging.ERROR):
        response = await client.post(SUBMIT, json={"action": "lookup", "email": email})
        page = await client.post(SUBMIT, data={"action": "lookup", "email": email})
    assert response.status_code == 202 and response.json() == LOOKUP_ANSWER
    assert page.status_code == 200 and "Check your email" in page.text
    assert lookup_mails(services, email) == []
    failures = [r for r in caplog.records if "portal lookup failed" in r.getMessage()]
    assert len(failures) == 2 and all(r.exc_info for r in failures)
    assert all(email not in r.getMessage() for r in caplog.records)
    assert (await client.get("/health")).status_code == 200
