"""GraphiQL served from this server alone, so it works offline and under a strict CSP.

Strawberry's own GraphiQL page loads React and GraphiQL from a CDN. Here the built GraphiQL,
React and graphql-ws files come from the `graphene-django-graphiql-static` wheel (GraphiQL's
UMD build and its dependencies, BSD/MIT licensed; it needs no Django to be read as files), and
the page's own script and styles from `static/graphiql/`, all under `/graphiql/static/`.
"""

from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from app.kit.settings import Settings

ASSETS_PACKAGE = "graphene_django_graphiql_static"
OWN_ASSETS = Path(__file__).parent / "static" / "graphiql"
PREFIX = "/graphiql/static"

# As the board page, plus data: fonts and images, which GraphiQL's stylesheet embeds. No inline
# script: the configuration travels in data attributes read by graphiql.js.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>GraphiQL · Haven</title>
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{prefix}/graphiql.min.css">
  <link rel="stylesheet" href="{prefix}/style.css">
  <link rel="stylesheet" href="{prefix}/haven-graphiql.css">
  <script src="{prefix}/react.production.min.js" defer></script>
  <script src="{prefix}/react-dom.production.min.js" defer></script>
  <script src="{prefix}/graphiql.min.js" defer></script>
  <script src="{prefix}/graphql-ws.min.js" defer></script>
  <script src="{prefix}/graphiql-plugin-explorer.umd.js" defer></script>
  <script src="{prefix}/haven-graphiql.js" defer></script>
</head>
<body>
  <div id="graphiql" data-subscriptions="{subscriptions}">Loading GraphiQL…</div>
</body>
</html>
"""


def graphiql_page(subscriptions: bool) -> HTMLResponse:
    """The GraphiQL page; with `subscriptions` off it answers subscription operations with an
    error instead of opening a WebSocket."""
    html = PAGE.format(prefix=PREFIX, subscriptions="on" if subscriptions else "off")
    return HTMLResponse(html, headers=PAGE_HEADERS)


def graphiql_routes(settings: Settings) -> list[BaseRoute]:
    """The page's assets; none in production, where GraphiQL is off."""
    if settings.production:
        return []
    assets = StaticFiles(
        directory=OWN_ASSETS, packages=[(ASSETS_PACKAGE, f"static/{ASSETS_PACKAGE}")]
    )
    return [Mount(PREFIX, assets, name="graphiql-static")]
