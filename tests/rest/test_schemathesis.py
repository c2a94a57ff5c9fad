"""Property-based tests of every REST operation against a real server: whatever schemathesis
generates from the document (valid and invalid), the server never answers 5xx, and what it
answers matches the document: status codes, content types, headers and body schemas."""

import base64
import hashlib
import hmac
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.auth.models import Role
from app.auth.principal import Principal
from app.connectors.service import create_connector
from app.intake.service import FormFields, create_form
from app.kit.actors import ActorKind
from app.kit.settings import Settings
from app.knowledge.service import ArticleFields, create_article
from app.web.openapi import document
from app.widgets.service import create_widget_token
from tests.factories import Factory
from tests.rest.live import LiveServer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CREDENTIAL_HEADERS = {"authorization", "x-api-key", "x-widget-token"}
# One draw in this many keeps whatever credentials schemathesis generated, so refusals of
# malformed ones are exercised too; the rest carry real ones and reach validation.
GENERATED_CREDENTIALS_ONE_IN = 5


@dataclass(frozen=True)
class Credentials:
    """A tenant as a platform and its users would hold it, and rows to aim requests at."""

    api_key: str
    token: str
    signing_secret: str
    widget_token: str
    ticket_id: str
    connector_id: str
    form_slug: str
    article_id: str


class SignedBody(requests.auth.AuthBase):
    """Signs the exact bytes sent, as a platform does: Standard Webhooks when the request
    carries `webhook-signature`, otherwise `X-Signature-256`."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        assert isinstance(body, bytes | str), "the generated bodies are sent whole"
        raw = body.encode() if isinstance(body, str) else body
        if "webhook-signature" in request.headers:
            sent = request.headers.get("webhook-id")
            sent = sent.decode() if isinstance(sent, bytes) else sent
            message_id = sent or f"msg_{uuid.uuid4().hex}"
            stamp = str(int(time.time()))
            key = base64.b64decode(self.secret.removeprefix("whsec_"))
            digest = hmac.new(key, f"{message_id}.{stamp}.".encode() + raw, hashlib.sha256)
            request.headers["webhook-id"] = message_id
            request.headers["webhook-timestamp"] = stamp
            request.headers["webhook-signature"] = (
                "v1," + base64.b64encode(digest.digest()).decode()
            )
        else:
            digest = hmac.new(self.secret.encode(), raw, hashlib.sha256)
            request.headers["X-Signature-256"] = "sha256=" + digest.hexdigest()
        return request


async def make_credentials(live: LiveServer) -> Credentials:
    services = live.services
    async with httpx.AsyncClient(base_url=live.url) as client:
        factory = Factory(services, client)
        world = await factory.world()
        ticket = await factory.ticket(world.tenant, world.board, requester_email="jane@acme.com")
    admin = Principal(world.tenant.id, Role.ADMIN, ActorKind.USER, world.admin.id, "tests")
    async with services.db.transaction() as work:
        # Events are signed for one connector; the generated requests rotate and deactivate
        # the other, so signing keeps working whatever order the operations run in.
        _, secret = await create_connector(
            work.session, world.tenant.id, services.sealer, name="Platform", type="webhook"
        )
        target, _ = await create_connector(
            work.session, world.tenant.id, services.sealer, name="Target", type="api"
        )
        _, widget_token = await create_widget_token(work.session, admin, name="Widget", origins=[])
        slug = f"st-{uuid.uuid4().hex[:10]}"
        form = await create_form(work.session, admin, FormFields(slug=slug, title="Help"))
        article = await create_article(
            work.session,
            admin,
            ArticleFields(title="Refunds", content="Within 30 days.", category="faq"),
        )
    return Credentials(
        api_key=world.api_key,
        token=world.token,
        signing_secret=secret,
        widget_token=widget_token,
        ticket_id=f"tkt_{ticket.id}",
        connector_id=f"con_{target.id}",
        form_slug=form.slug,
        article_id=f"ka_{article.id}",
    )


@pytest.fixture(scope="module")
def live(settings: Settings, database_url: str) -> Iterator[LiveServer]:
    server = LiveServer(settings, database_url)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def credentials(live: LiveServer) -> Credentials:
    return live.run(make_credentials(live))


def _credential_headers(path: str, credentials: Credentials, draw: int) -> dict[str, str]:
    if path.startswith("/v1/"):
        return {"Authorization": f"Bearer {credentials.api_key}"}
    if path == "/api/v1/webhooks/events":
        return {"X-API-Key": credentials.api_key}
    if path == "/api/v1/reports":
        return {"X-Widget-Token": credentials.widget_token}
    if path.startswith("/api/v1/"):
        # Users with access tokens and servers with API keys both read these.
        return (
            {"X-API-Key": credentials.api_key}
            if draw % 2
            else {"Authorization": f"Bearer {credentials.token}"}
        )
    return {}


def draw_for(case: Any) -> int:
    """A number fixed by what the case holds, spreading the choices below over the cases
    hypothesis generates while keeping every run (derandomized) the same."""
    content = (case.body, case.query, case.headers, case.path_parameters)
    return zlib.crc32(repr(content).encode())


def authorize(case: Any, credentials: Credentials, draw: int) -> None:
    """Real credentials for most draws, in place of the ones schemathesis generated."""
    if draw % GENERATED_CREDENTIALS_ONE_IN:
        headers = {
            name: value
            for name, value in (case.headers or {}).items()
            if name.lower() not in CREDENTIAL_HEADERS
        }
        case.headers = {**headers, **_credential_headers(case.path, credentials, draw)}


def aim(case: Any, credentials: Credentials, draw: int) -> None:
    """For some draws, real ids and slugs, so found rows are exercised as well as missing ones."""
    if draw % 3:
        return
    real = {
        "ticket_id": credentials.ticket_id,
        "connector_id": credentials.connector_id,
        "slug": credentials.form_slug,
        "article_id": credentials.article_id,
    }
    for name in case.path_parameters or {}:
        if name in real:
            case.path_parameters[name] = real[name]
    if isinstance(case.body, dict) and "form_slug" in case.body:
        case.body["form_slug"] = credentials.form_slug


def call_kwargs(case: Any, live: LiveServer, credentials: Credentials) -> dict[str, Any]:
    webhook = case.path == "/api/v1/webhooks/events"
    signer = SignedBody(credentials.signing_secret) if webhook else None
    return {"base_url": live.url, "auth": signer, "timeout": 30}


# Loaded when the module is collected, so each operation is a test of its own; the first test
# proves it is the document the server serves.
schema = schemathesis.openapi.from_dict(document())


def test_the_server_serves_the_document_under_test(live: LiveServer) -> None:
    response = requests.get(f"{live.url}/api/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json() == schema.raw_schema


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/tickets", '{"subject": "Printer", "body": "jammed \\u0000"}'),
        ("/api/v1/reports", '{"category": "spam", "description": "x", "metadata": {"\\ud800": 1}}'),
        (
            "/functions/v1/public-ticket-submit",
            '{"action": "lookup", "email": "a@b.co", "form_slug": "\\u0000"}',
        ),
    ],
)
def test_text_postgresql_cannot_store_is_refused(
    live: LiveServer, credentials: Credentials, path: str, body: str
) -> None:
    """Found by the run below: NUL and unpaired surrogates used to fail on insert, as 500s."""
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {credentials.api_key}",
        "X-Widget-Token": credentials.widget_token,
    }
    response = requests.post(f"{live.url}{path}", data=body, headers=headers, timeout=10)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_nul_in_a_ticket_filter_is_refused(live: LiveServer, credentials: Credentials) -> None:
    response = requests.get(
        f"{live.url}/api/v1/tickets?category=%00",
        headers={"Authorization": f"Bearer {credentials.token}"},
        timeout=10,
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/intake/%00", None),
        ("POST", "/functions/v1/public-ticket-submit", "form_slug=%00"),
        ("POST", "/functions/v1/public-ticket-submit", "action=lookup&email=a@b.co&form_slug=%00"),
        ("POST", "/functions/v1/public-ticket-submit", "name=a&email=a@b.co&subject=%00"),
    ],
)
def test_nul_in_public_pages_is_no_server_error(
    live: LiveServer, credentials: Credentials, method: str, path: str, body: str | None
) -> None:
    if body and "form_slug" not in body:
        body += f"&form_slug={credentials.form_slug}&description=d"
    response = requests.request(method, f"{live.url}{path}", data=body, headers=FORM, timeout=10)
    assert response.status_code in (400, 404), response.text


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_operations_never_fail_and_match_the_document(
    case: Any, live: LiveServer, credentials: Credentials
) -> None:
    draw = draw_for(case)
    authorize(case, credentials, draw)
    aim(case, credentials, draw)
    case.call_and_validate(checks=CHECKS, **call_kwargs(case, live, credentials))
