"""The live board page: a safe static shell, and live updates in a real (headless) browser."""

import asyncio
import json
import os
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from app.services import Services
from app.web.app import create_app
from tests.factories import Factory, World, gid

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOT = Path("/tmp/board-page.png")

UPDATE_TICKET = """mutation($input: UpdateTicketInput!) {
  updateTicket(input: $input) { ticket { id status } } }"""
CREATE_TICKET = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { id } } }"""


class TestServedPage:
    async def test_page_has_a_strict_content_security_policy(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/board/brd_anything")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "connect-src 'self' ws: wss:"):
            assert directive in policy
        assert "unsafe" not in policy
        html = response.text
        # No inline script or style for the policy to have to allow.
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
        assert "<style" not in html and " style=" not in html

    async def test_script_and_styles_are_served(self, client: httpx.AsyncClient) -> None:
        script = await client.get("/static/board.js")
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert "graphql-transport-ws" in script.text
        assert ".innerHTML" not in script.text  # ticket text goes in as text only
        styles = await client.get("/static/board.css")
        assert styles.status_code == 200
        assert styles.headers["content-type"].startswith("text/css")

    async def test_nothing_is_loaded_from_elsewhere(self, client: httpx.AsyncClient) -> None:
        html = (await client.get("/board/brd_anything")).text
        links = re.findall(r"\b(?:src|href)=\"([^\"]*)\"", html)
        assert sorted(links) == ["/static/board.css", "/static/board.js", "/static/favicon.svg"]
        for path in ("/board/brd_anything", "/static/board.js", "/static/board.css"):
            body = (await client.get(path)).text
            assert "http://" not in body and "https://" not in body, path
            assert "@import" not in body and "url(" not in body, path


# --- in a real browser -----------------------------------------------------------------------


def _playwright() -> Any:
    """The async Playwright entry point; skip only when neither it nor Chromium is here."""
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        async_playwright = None  # type: ignore[assignment]
    has_chromium = os.access(CHROMIUM, os.X_OK)
    if async_playwright is None and not has_chromium:
        pytest.skip(
            "browser test needs the playwright package and /usr/bin/chromium; neither is "
            "installed (pip install -e '.[dev]'; apt-get install chromium)"
        )
    if async_playwright is None:
        pytest.fail("playwright is not installed: pip install -e '.[dev]'")
    if not has_chromium:
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    return async_playwright


def record_error(problems: list[str], kind: str | bool, text: str) -> None:
    """Keep `text` when it reports an error (a console message of type "error", or True)."""
    if kind is True or kind == "error":
        problems.append(text)


class LiveServer:
    """The real app under uvicorn, in this event loop, on a free 127.0.0.1 port."""

    def __init__(self, services: Services) -> None:
        settings = services.settings.model_copy(update={"inline_worker": False})
        self.app = create_app(settings, services)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # lifespan off: the session's services are already open, and the app's lifespan
        # would only freeze the garbage collector of the whole test process.
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve())
        for _ in range(500):
            if self.server.started:
                return
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.01)
        raise TimeoutError("uvicorn did not start")

    async def stop(self) -> None:
        if self.server and self.task:
            self.server.should_exit = True
            await asyncio.wait_for(self.task, timeout=15)
        self.server = self.task = None


@pytest.fixture
async def live_server(services: Services) -> AsyncIterator[LiveServer]:
    server = LiveServer(services)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async_playwright = _playwright()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


async def gql(base: str, api_key: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"X-API-Key": api_key},
        )
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def card(status: str, ticket_id: str) -> str:
    return f'#col-{status} li[data-id="{ticket_id}"]'


class TestLiveBoard:
    async def test_cards_follow_changes_live_and_after_a_reconnect(
        self, live_server: LiveServer, browser: Any, factory: Factory
    ) -> None:
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board, title="Printer <b>jam</b>")
        await factory.ticket(world.tenant, world.board, title="VPN drops every hour")
        board_id, ticket_id = gid("brd", world.board.id), gid("tkt", ticket.id)
        page = await browser.new_page(viewport={"width": 1280, "height": 720})
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: record_error(problems, m.type, m.text))
        urls: list[str] = []
        page.on("request", lambda request: urls.append(request.url))
        page.on(
            "response", lambda r: record_error(problems, r.status >= 400, f"{r.status} {r.url}")
        )
        frames: list[dict[str, Any]] = []
        page.on(
            "websocket",
            lambda ws: ws.on("framesent", lambda payload: frames.append(json.loads(payload))),
        )

        await page.goto(f"{live_server.url}/board/{board_id}#key={world.api_key}")
        await page.wait_for_selector(card("OPEN", ticket_id), timeout=10_000)
        await page.wait_for_selector('#connection[data-state="live"]', timeout=10_000)
        assert await page.text_content(f"{card('OPEN', ticket_id)} .title") == "Printer <b>jam</b>"
        assert await page.locator("#col-OPEN b").count() == 0  # text, never markup
        assert "#key" not in page.url
        assert all(world.api_key not in url for url in urls)
        inits = [f for f in frames if f["type"] == "connection_init"]
        assert inits == [
            {"type": "connection_init", "payload": {"authorization": f"Bearer {world.api_key}"}}
        ]

        agent = await factory.user(world.tenant, name="Ada Agent")
        update = {"input": {"id": ticket_id, "status": "IN_PROGRESS"}}
        await gql(live_server.url, world.api_key, UPDATE_TICKET, update)
        await page.wait_for_selector(card("IN_PROGRESS", ticket_id), timeout=5_000)
        assert await page.locator(card("OPEN", ticket_id)).count() == 0
        assign = {"input": {"id": ticket_id, "assigneeId": gid("usr", agent.id)}}
        await gql(live_server.url, world.api_key, UPDATE_TICKET, assign)
        assignee = page.locator(f"{card('IN_PROGRESS', ticket_id)} .assignee")
        await assignee.filter(has_text="Ada Agent").wait_for(timeout=5_000)

        create = {"input": {"boardId": board_id, "title": "New laptop", "priority": "HIGH"}}
        created = await gql(live_server.url, world.api_key, CREATE_TICKET, create)
        new_id = created["createTicket"]["ticket"]["id"]
        await page.wait_for_selector(card("OPEN", new_id), timeout=5_000)
        assert await page.text_content("#count-OPEN") == "2"
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        # Down, a change, up again: the page resumes after the last event it saw.
        await live_server.stop()
        await page.wait_for_selector('#connection[data-state="reconnecting"]', timeout=5_000)
        await factory.gql(
            UPDATE_TICKET, {"input": {"id": ticket_id, "status": "WAITING"}}, api_key=world.api_key
        )
        await live_server.start()
        await page.wait_for_selector(card("WAITING", ticket_id), timeout=15_000)
        await page.wait_for_selector('#connection[data-state="live"]', timeout=5_000)
        resumed = [f for f in frames if f["type"] == "subscribe"][-1]
        assert resumed["payload"]["variables"]["after"]
        assert problems == []

    async def test_asks_for_a_key_and_shows_api_errors(
        self, live_server: LiveServer, browser: Any, factory: Factory
    ) -> None:
        world: World = await factory.world()
        stranger = await factory.world()
        page = await browser.new_page(viewport={"width": 360, "height": 640})
        await page.goto(f"{live_server.url}/board/{gid('brd', stranger.board.id)}")
        await page.wait_for_selector("#sign-in:not([hidden])")
        await page.fill("#credential", world.api_key)
        await page.press("#credential", "Enter")
        # Another tenant's board: the API finds nothing, and the page says so.
        await page.wait_for_selector("#error:not([hidden])", timeout=10_000)
        assert await page.locator("li.card").count() == 0
        assert await page.evaluate("sessionStorage.getItem('haven.credential')") == world.api_key
        # Narrow screens stack the columns rather than scrolling sideways.
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360
