"""GraphiQL is served from Haven's own assets: it works offline and under a strict CSP."""

import json
import re
import shutil
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.services import Services
from app.web.app import create_app
from app.web.graphiql import graphiql_page
from tests.factories import Factory
from tests.test_board_page import CHROMIUM_ARGS, LiveServer, record_error

HTML = {"Accept": "text/html"}
SCREENSHOT = "/tmp/graphiql-page.png"


async def page_links(client: httpx.AsyncClient) -> list[str]:
    html = (await client.get("/graphql", headers=HTML)).text
    return re.findall(r"\b(?:src|href)=\"([^\"]*)\"", html)


class TestServedPage:
    async def test_page_loads_nothing_from_other_origins(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/graphql", headers=HTML)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert "https://" not in html and "http://" not in html and "//unpkg" not in html
        links = await page_links(client)
        assert links and all(link.startswith("/") and not link.startswith("//") for link in links)
        # No inline script for the policy to have to allow.
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []

    async def test_page_has_a_strict_content_security_policy(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/graphql", headers=HTML)
        policy = response.headers["content-security-policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "connect-src 'self' ws: wss:"):
            assert directive in policy
        assert "unsafe" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"

    async def test_every_asset_is_served_with_its_content_type(
        self, client: httpx.AsyncClient
    ) -> None:
        links = await page_links(client)
        scripts = [link for link in links if link.endswith(".js")]
        styles = [link for link in links if link.endswith(".css")]
        assert len(scripts) >= 3 and len(styles) >= 1
        for link in scripts:
            response = await client.get(link)
            assert response.status_code == 200, link
            assert "javascript" in response.headers["content-type"], link
        for link in styles:
            response = await client.get(link)
            assert response.status_code == 200, link
            assert response.headers["content-type"].startswith("text/css"), link

    async def test_subscriptions_off_tells_the_page(self) -> None:
        page = bytes(graphiql_page(subscriptions=False).body).decode()
        assert 'data-subscriptions="off"' in page
        assert 'data-subscriptions="on"' in bytes(graphiql_page(subscriptions=True).body).decode()

    async def test_production_serves_neither_page_nor_assets(self, services: Services) -> None:
        settings = services.settings.model_copy(update={"env": "production"})
        app = create_app(settings, services)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as http:
            page = await http.get("/graphql", headers=HTML)
            asset = await http.get("/graphiql/static/graphiql.min.js")
        assert "GraphiQL" not in page.text
        assert asset.status_code == 404


# --- in a real browser, with every other origin blocked ----------------------------------------


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    chromium = shutil.which("chromium")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("needs the playwright package (pip install -e '.[dev]')")
    if chromium is None:
        pytest.skip("needs chromium (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def live_server(services: Services) -> AsyncIterator[LiveServer]:
    server = LiveServer(services)
    await server.start()
    yield server
    await server.stop()


class OfflinePage:
    """A browser page that may reach 127.0.0.1 alone, recording whatever else it tried."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.problems: list[str] = []
        self.frames: list[dict[str, Any]] = []
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.on("console", lambda m: record_error(self.problems, m.type, m.text))
        page.on(
            "websocket",
            lambda ws: ws.on("framesent", lambda payload: self.frames.append(json.loads(payload))),
        )

    async def block_other_origins(self) -> None:
        async def route(request_route: Any) -> None:
            if urlsplit(request_route.request.url).hostname == "127.0.0.1":
                await request_route.continue_()
            else:
                self.blocked.append(request_route.request.url)
                await request_route.abort()

        await self.page.route("**/*", route)

    async def set_editor(self, selector: str, text: str) -> None:
        await self.page.eval_on_selector(
            f"{selector} .CodeMirror", "(node, text) => node.CodeMirror.setValue(text)", text
        )

    async def result(self) -> str:
        text: str = await self.page.eval_on_selector(
            ".result-window .CodeMirror", "node => node.CodeMirror.getValue()"
        )
        return text


class TestInTheBrowser:
    async def test_editor_renders_and_runs_queries_and_subscriptions_offline(
        self, live_server: LiveServer, browser: Any, factory: Factory
    ) -> None:
        world = await factory.world()
        offline = OfflinePage(await browser.new_page(viewport={"width": 1280, "height": 800}))
        await offline.block_other_origins()
        await offline.page.goto(f"{live_server.url}/graphql")
        await offline.page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=15_000)

        # The Headers tab is open from the start.
        headers = ".graphiql-editor-tool .graphiql-editor:not(.hidden)"
        await offline.set_editor(headers, json.dumps({"X-API-Key": world.api_key}))
        await offline.set_editor(".graphiql-query-editor", "query { boards { name } }")
        await offline.page.click(".graphiql-execute-button")
        result = offline.page.locator(".result-window")
        await result.filter(has_text="boards").wait_for(timeout=10_000)
        assert json.loads(await offline.result()) == {
            "data": {"boards": [{"name": world.board.name}]}
        }
        await offline.page.screenshot(path=SCREENSHOT)

        # A subscription goes over the socket, with the same headers in connection_init, and
        # shows the board's next event.
        board_id = f"brd_{world.board.id}"
        await offline.set_editor(
            ".graphiql-query-editor",
            f'subscription {{ boardEvents(boardId: "{board_id}") {{ kind ticket {{ title }} }} }}',
        )
        await offline.page.click(".graphiql-execute-button")
        for _ in range(200):
            if any(frame["type"] == "subscribe" for frame in offline.frames):
                break
            await offline.page.wait_for_timeout(50)
        inits = [frame for frame in offline.frames if frame["type"] == "connection_init"]
        assert inits == [{"type": "connection_init", "payload": {"X-API-Key": world.api_key}}]
        await factory.ticket(world.tenant, world.board, title="Seen in GraphiQL")
        await result.filter(has_text="Seen in GraphiQL").wait_for(timeout=10_000)
        assert "TICKET_CREATED" in await offline.result()

        assert offline.blocked == []
        assert offline.problems == []
