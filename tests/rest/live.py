"""A real Haven server on a local port, on a thread and event loop of its own.

Synchronous clients (schemathesis drives `requests`) cannot share the test session's event loop,
which holds the session's database pool; this server opens its own pool on the same database,
so what the tests create through it is what the rest of the session sees."""

import asyncio
import gc
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvicorn

from app.kit.db import Database
from app.kit.settings import Settings
from app.services import Services
from app.web.app import create_app

T = TypeVar("T")
START_SECONDS = 30.0


class LiveServer:
    """Start with `start()`, run setup coroutines on the server's loop with `run()`."""

    def __init__(self, settings: Settings, database_url: str) -> None:
        self.settings = settings.model_copy(update={"inline_worker": False})
        self.services = Services.assemble(self.settings, Database(database_url))
        self.loop = asyncio.new_event_loop()
        config = uvicorn.Config(
            create_app(self.settings, self.services),
            host="127.0.0.1",
            port=0,
            lifespan="on",
            log_level="warning",
            loop="none",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve, name="haven-live", daemon=True)
        self.url = ""

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.serve())
            self.loop.run_until_complete(self.services.db.close())
        finally:
            self.loop.close()

    def start(self) -> str:
        # The app's lifespan tunes the garbage collector for a long-lived server; put it back
        # afterwards so the rest of the test session runs as before.
        self._thresholds = gc.get_threshold()
        self.thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        """Run a coroutine on the server's loop (where its services live) and return its
        result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        gc.unfreeze()
        gc.set_threshold(*self._thresholds)
