"""The client address behind proxies: X-Forwarded-For counts only from HAVEN_TRUSTED_PROXIES,
so rotating it neither resets per-address budgets nor puts a false address in custody."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app.kit.settings import Settings
from app.services import Services
from app.web.app import create_app
from app.web.client_address import ClientAddressMiddleware
from tests.evidence.helpers import PRESERVE, build_scene, preserve_input
from tests.factories import Factory, gid

PROXY = "10.0.0.2"
OTHER_PROXY = "10.0.0.3"
TRUSTED = ["10.0.0.0/30", "2001:db8:1::/64"]
STRANGER = "203.0.113.50"
LOGIN = 'mutation { login(input: {email: "a@example.com", password: "guess-guess"}) { tokenType } }'
CUSTODY = """query($id: ID!, $reason: String!) {
  evidenceItem(id: $id, reason: $reason) { custody { action ip } }
}"""

Peer = Callable[[str], Any]


@pytest.fixture
def peer(services: Services) -> Peer:
    """`async with peer("10.0.0.2") as client`: one app (so one set of budgets, two reports
    and two anonymous requests a minute per address) reached from the given address."""
    settings = services.settings.model_copy(
        update={
            "rate_limit_enabled": True,
            "redis_url": None,
            "rate_limit_public_per_minute": 2,
            "rate_limit_anonymous_per_minute": 2,
            "trusted_proxies": TRUSTED,
        }
    )
    app = create_app(settings, services)

    @asynccontextmanager
    async def connect(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 41000))
        async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
            yield client

    return connect


async def report(client: httpx.AsyncClient, forwarded_for: str) -> str:
    """ "limited" when the address's report budget is spent, else "answered"."""
    headers = {"X-Forwarded-For": forwarded_for}
    response = await client.post("/api/v1/reports", json={}, headers=headers)
    return "limited" if response.status_code == 429 else "answered"


async def sign_in(client: httpx.AsyncClient, forwarded_for: str) -> str:
    headers = {"X-Forwarded-For": forwarded_for}
    response = await client.post("/graphql", json={"query": LOGIN}, headers=headers)
    if response.status_code == 429:
        return "limited"
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    return "answered"


A, L = "answered", "limited"


async def test_rotating_forwarded_for_from_an_untrusted_peer_resets_no_budget(peer: Peer) -> None:
    async with peer(STRANGER) as client:
        reports = [await report(client, f"198.51.100.{n}") for n in range(1, 5)]
        sign_ins = [await sign_in(client, f"198.51.100.{n}") for n in range(1, 5)]
    assert reports == sign_ins == [A, A, L, L]


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget(peer: Peer) -> None:
    async with peer(PROXY) as proxy:
        first = [await report(proxy, "198.51.100.7") for _ in range(3)]
        second = [await report(proxy, "198.51.100.8") for _ in range(3)]
        sign_ins = [await sign_in(proxy, "198.51.100.9") for _ in range(3)]
    assert first == second == sign_ins == [A, A, L]


async def test_a_client_prepending_addresses_gains_nothing(peer: Peer) -> None:
    async with peer(PROXY) as proxy:
        statuses = [await report(proxy, f"192.0.2.{n}, 198.51.100.20") for n in range(1, 5)]
        # Writing a trusted proxy's address in front does not make the client one.
        statuses.append(await report(proxy, f"{OTHER_PROXY}, 198.51.100.20"))
    assert statuses == [A, A, L, L, L]


async def test_the_client_is_found_through_a_chain_of_trusted_proxies(peer: Peer) -> None:
    async with peer(PROXY) as proxy:
        statuses = [
            await report(proxy, f"192.0.2.{n}, 198.51.100.30, {OTHER_PROXY}") for n in range(3)
        ]
        # The same client arriving through the other proxy spends the same budget.
        statuses.append(await report(proxy, "198.51.100.30"))
    assert statuses == [A, A, L, L]


async def test_a_trusted_proxy_without_a_readable_client_is_limited_as_itself(
    peer: Peer,
) -> None:
    async with peer(PROXY) as proxy:
        statuses = [await report(proxy, hop) for hop in ("garbage", "unknown", "")]
        # Another client behind the same proxy still has its own budget.
        statuses.append(await report(proxy, "198.51.100.40"))
    assert statuses == [A, A, L, A]


async def test_custody_records_the_client_behind_a_trusted_proxy_only(
    peer: Peer, factory: Factory, services: Services
) -> None:
    scene = await build_scene(factory, services)
    lead = await factory.token(scene.people["safeguarding_lead"])
    case_id = gid("cas", scene.case.id)

    async def preserve(client: httpx.AsyncClient) -> str:
        response = await client.post(
            "/graphql",
            json={"query": PRESERVE, "variables": {"input": preserve_input(case_id)}},
            headers={"Authorization": f"Bearer {lead}", "X-Forwarded-For": "198.51.100.60"},
        )
        assert "errors" not in response.json(), response.text
        return str(response.json()["data"]["preserveEvidence"]["evidence"]["id"])

    async def custody_ips(client: httpx.AsyncClient, evidence: str) -> list[str]:
        response = await client.post(
            "/graphql",
            json={"query": CUSTODY, "variables": {"id": evidence, "reason": "Review"}},
            headers={"Authorization": f"Bearer {lead}"},
        )
        return [entry["ip"] for entry in response.json()["data"]["evidenceItem"]["custody"]]

    async with peer(PROXY) as proxy, peer(STRANGER) as stranger:
        behind_proxy = await preserve(proxy)
        claimed = await preserve(stranger)
        assert await custody_ips(stranger, behind_proxy) == ["198.51.100.60", STRANGER]
        assert await custody_ips(stranger, claimed) == [STRANGER, STRANGER]


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[str]:
    """`haven serve` as deployed, on a free loopback port: two reports a minute per address,
    no trusted proxies. Stopped by its own pid afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HAVEN_") and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    env = {
        **inherited,
        "DATABASE_URL": database_url,
        "HAVEN_HOME": str(tmp_path),
        "HAVEN_INLINE_WORKER": "false",
        "HAVEN_RATE_LIMIT_ENABLED": "true",
        "HAVEN_RATE_LIMIT_PUBLIC_PER_MINUTE": "2",
    }
    haven = Path(sys.executable).parent / "haven"
    command = [str(haven), "serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


async def wait_until_up(client: httpx.AsyncClient, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("haven serve did not start")


async def test_haven_serve_believes_no_forwarded_for_from_loopback(served: str) -> None:
    # uvicorn on its own trusts X-Forwarded-For from 127.0.0.1; `haven serve` must not.
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        await wait_until_up(client)
        reports = [await report(client, f"198.51.100.{n}") for n in range(1, 5)]
    assert reports == [A, A, L, L]


def echo_app(trusted: list[str]) -> ClientAddressMiddleware:
    """An app answering with the client address and scheme it was given."""

    async def http(request: Request) -> JSONResponse:
        client = request.client
        return JSONResponse(
            {"client": [client.host, client.port] if client else None, "scheme": request.url.scheme}
        )

    return ClientAddressMiddleware(Starlette(routes=[Route("/", http)]), trusted=trusted)


async def echoed(
    peer_address: str, headers: dict[str, Any], trusted: list[str] = TRUSTED
) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=echo_app(trusted), client=(peer_address, 41000))
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        return dict((await client.get("/", headers=headers)).json())


FORWARDED = {
    "plain": ("198.51.100.1", ["198.51.100.1", 0]),
    "with a port": ("198.51.100.1:5555", ["198.51.100.1", 5555]),
    "IPv6 with a port": ("[2001:db8:2::1]:5555", ["2001:db8:2::1", 5555]),
    "bare IPv6": ("2001:db8:2::1", ["2001:db8:2::1", 0]),
    "IPv4-mapped": ("::ffff:198.51.100.1", ["198.51.100.1", 0]),
    "spaces and empty entries": (" , 198.51.100.1 ,, ", ["198.51.100.1", 0]),
    "a trusted IPv6 proxy in the chain": ("198.51.100.1, 2001:db8:1::9", ["198.51.100.1", 0]),
    "only trusted proxies": ("10.0.0.1, 10.0.0.3", ["10.0.0.1", 0]),
    "garbage right of the client": ("198.51.100.1, not-an-ip", [PROXY, 41000]),
    "a name": ("client.example.com", [PROXY, 41000]),
    "a port out of range": ("198.51.100.1:99999", [PROXY, 41000]),
    "a port that is not a number": ("198.51.100.1:https", [PROXY, 41000]),
    "an unbalanced bracket": ("[2001:db8:2::1", [PROXY, 41000]),
    "Latin-1 bytes": (b"198.51.100.1\xe9", [PROXY, 41000]),
}


@pytest.mark.parametrize(("header", "client"), FORWARDED.values(), ids=FORWARDED.keys())
async def test_a_trusted_proxy_is_read_safely(header: str | bytes, client: list[Any]) -> None:
    answer = await echoed(PROXY, {"X-Forwarded-For": header})
    assert answer["client"] == client


async def test_several_forwarded_for_headers_read_as_one_list() -> None:
    transport = httpx.ASGITransport(app=echo_app(TRUSTED), client=(PROXY, 41000))
    async with httpx.AsyncClient(transport=transport, base_url="http://haven.test") as client:
        headers = [("X-Forwarded-For", "192.0.2.1"), ("X-Forwarded-For", "198.51.100.1")]
        answer = (await client.get("/", headers=headers)).json()
    assert answer["client"] == ["198.51.100.1", 0]


@pytest.mark.parametrize(
    ("peer_address", "trusted"),
    [
        (STRANGER, TRUSTED),
        ("127.0.0.1", TRUSTED),
        (PROXY, []),
    ],
    ids=["stranger", "loopback is not trusted by default", "nothing trusted"],
)
async def test_an_untrusted_peer_is_taken_as_the_client(
    peer_address: str, trusted: list[str]
) -> None:
    headers = {"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"}
    answer = await echoed(peer_address, headers, trusted)
    assert answer == {"client": [peer_address, 41000], "scheme": "http"}


async def test_a_mapped_ipv6_peer_counts_as_its_ipv4_proxy() -> None:
    answer = await echoed("::ffff:10.0.0.2", {"X-Forwarded-For": "198.51.100.1"})
    assert answer["client"] == ["198.51.100.1", 0]


@pytest.mark.parametrize(
    ("proto", "scheme"),
    [("https", "https"), ("HTTPS", "https"), ("http, https", "https"), ("wss", "https"),
     ("gopher", "http"), ("", "http")],
)  # fmt: skip
async def test_forwarded_proto_is_taken_from_a_trusted_proxy(proto: str, scheme: str) -> None:
    answer = await echoed(PROXY, {"X-Forwarded-Proto": proto})
    assert answer == {"client": [PROXY, 41000], "scheme": scheme}


@pytest.mark.parametrize(
    ("peer_address", "client", "scheme"),
    [(PROXY, ("198.51.100.1", 0), "wss"), (STRANGER, (STRANGER, 41000), "ws")],
)
async def test_a_websocket_behind_a_trusted_proxy_sees_the_client_and_wss(
    peer_address: str, client: tuple[str, int], scheme: str
) -> None:
    seen: list[Scope] = []

    async def socket(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    middleware = ClientAddressMiddleware(socket, trusted=TRUSTED)
    headers = [(b"x-forwarded-for", b"198.51.100.1"), (b"x-forwarded-proto", b"https")]
    scope = {
        "type": "websocket",
        "client": (peer_address, 41000),
        "scheme": "ws",
        "headers": headers,
    }
    await middleware(scope, None, None)  # type: ignore[arg-type]
    assert (seen[0]["client"], seen[0]["scheme"]) == (client, scheme)


@pytest.mark.parametrize(
    ("value", "networks"),
    [
        ("", []),
        ("10.0.0.2", ["10.0.0.2/32"]),
        (
            " 10.0.0.2 , 172.30.0.0/24,2001:db8::/32 ",
            ["10.0.0.2/32", "172.30.0.0/24", "2001:db8::/32"],
        ),
        ('["10.0.0.0/8", "::1"]', ["10.0.0.0/8", "::1/128"]),
        ("10.1.2.3/8", ["10.0.0.0/8"]),
    ],
)
def test_trusted_proxies_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, networks: list[str]
) -> None:
    monkeypatch.setenv("HAVEN_TRUSTED_PROXIES", value)
    assert Settings(env="test").trusted_proxies == networks


@pytest.mark.parametrize("value", ["nginx", "10.0.0.300", "10.0.0.0/33", "[1, 2", '["x"]'])
def test_a_malformed_trusted_proxy_is_refused_at_startup(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("HAVEN_TRUSTED_PROXIES", value)
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(env="test")
