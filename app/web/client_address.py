"""The client's address behind reverse proxies, as pure ASGI middleware.

Only a peer listed in HAVEN_TRUSTED_PROXIES is believed about whom it forwards for. From anyone
else X-Forwarded-For is ignored: a client could write any address in it and so start afresh
every per-address budget (sign-in, reports, intake) or put a false address in custody records.
Each proxy appends the address it was reached from, so the right-most entry that is not itself
a trusted proxy is the client; the entries left of it are whatever that client chose to send."""

import ipaddress
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
PORT = re.compile(r"[0-9]{1,5}")


class TrustedProxies:
    """The addresses and networks whose forwarding headers are believed."""

    def __init__(self, networks: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(network, strict=False) for network in networks]

    def __bool__(self) -> bool:
        return bool(self.networks)

    def __contains__(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


class ClientAddressMiddleware:
    """Puts the forwarded client and scheme in the scope of HTTP and WebSocket requests that
    come from a trusted proxy; with none configured it changes nothing."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted = TrustedProxies(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trusted and scope["type"] in ("http", "websocket"):
            scope = forwarded_scope(scope, self.trusted)
        await self.app(scope, receive, send)


def forwarded_scope(scope: Scope, trusted: TrustedProxies) -> Scope:
    """The scope with the forwarded client and scheme, when the peer is a trusted proxy."""
    peer = scope.get("client")
    address = parse_address(peer[0]) if peer else None
    if address is None or address not in trusted:
        return scope
    forwarded_for: list[str] = []
    proto = None
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            forwarded_for.extend(value.decode("latin-1").split(","))
        elif name == b"x-forwarded-proto":
            proto = value.decode("latin-1")
    changed = dict(scope)
    client = client_behind(forwarded_for, trusted)
    if client is not None:
        changed["client"] = client
    scheme = forwarded_scheme(proto, scope["type"])
    if scheme is not None:
        changed["scheme"] = scheme
    return changed


def client_behind(entries: list[str], trusted: TrustedProxies) -> tuple[str, int] | None:
    """The right-most forwarded address that is not a trusted proxy, or None when there is
    none to believe (no header, or garbage where a proxy should have written an address)."""
    hops = [entry.strip() for entry in entries if entry.strip()]
    for hop in reversed(hops):
        parsed = parse_hop(hop)
        if parsed is None:
            # Only a trusted proxy writes right of the client; garbage here means the chain
            # cannot be read, and the peer's own address is the honest answer.
            return None
        if parsed[0] not in trusted:
            return str(parsed[0]), parsed[1]
    # Every hop is a trusted proxy: the request began at the left-most of them.
    first = parse_hop(hops[0]) if hops else None
    return (str(first[0]), first[1]) if first else None


def forwarded_scheme(proto: str | None, scope_type: str) -> str | None:
    # A proxy chain may list one scheme per hop; the nearest proxy's is the last.
    value = (proto or "").split(",")[-1].strip().lower()
    scheme = SCHEMES.get(value)
    if scheme is None:
        return None
    return scheme.replace("http", "ws") if scope_type == "websocket" else scheme


def parse_hop(hop: str) -> tuple[IPAddress, int] | None:
    """`1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:5678` or `2001:db8::1`; None for anything
    else (`unknown`, obfuscated identifiers, names, garbage)."""
    host, port = hop, 0
    if hop.startswith("["):
        host, bracket, rest = hop[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and PORT.fullmatch(rest[1:]))):
            return None
        port = int(rest[1:]) if rest else 0
    elif hop.count(":") == 1:
        host, _, text = hop.partition(":")
        if not PORT.fullmatch(text):
            return None
        port = int(text)
    address = parse_address(host)
    if address is None or not 0 <= port <= 65535:
        return None
    return address, port


def parse_address(text: str) -> IPAddress | None:
    """An address in its plain form; an IPv4-mapped IPv6 peer counts as its IPv4 address."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
