"""The live board page: a static shell; the browser fetches every ticket with its own credentials.

The page carries no data, so it is public; the board id in the path is only read by board.js.
"""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"

# Only the app's own script and styles run; the socket may be ws: or wss: behind a proxy.
# form-action 'none': should the script not load, the sign-in form must never be submitted,
# which would put the key in a URL and so in logs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


async def board_page(request: Request) -> Response:
    return FileResponse(STATIC / "board.html", headers=PAGE_HEADERS)


def board_routes() -> list[BaseRoute]:
    return [
        Route("/board/{board_id}", board_page, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
