"""Where a call made for a tenant (a webhook endpoint, a platform's action URL) may connect.

The URL's host is resolved once, every address it resolves to checked
(`app.kit.addresses`), and the call then connects to the address that was checked, so a name
cannot answer one way when checked and another way when connected to (DNS rebinding). An
operator may allow hosts or networks on purpose (`HAVEN_OUTBOUND_ALLOW`: an internal system,
a test receiver); everything else must be public, and in production HTTPS."""

import ipaddress
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.kit.addresses import (
    RESOLVE_SECONDS,
    SCHEMES,
    IPAddress,
    RefusedDestination,
    Unresolved,
    address_problem,
    host_of,
    refuse_address,
    resolve,
)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Allowed:
    """Hosts and networks an operator allows although they are not public."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, entries: list[str]) -> "Allowed":
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (text.strip() for text in entries):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry.lower().removesuffix("."))
        return cls(frozenset(names), tuple(networks))

    def covers(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


# Saving a URL waits this long for its name to resolve; it is checked again on every call.
RESOLVE_ON_SAVE_SECONDS = 2.0


async def check_saved(url: str, allowed: Allowed) -> None:
    """For a URL being saved (a webhook endpoint, an action's endpoint): `RefusedDestination`
    unless it may be called, judged as it will be when called (HTTPS is asked for then, by
    the deployment, not of the saved URL). A name that does not resolve yet is kept: it is
    checked again on every call."""
    with suppress(Unresolved):
        await _pinned(url, allowed, https_only=False, seconds=RESOLVE_ON_SAVE_SECONDS)


@dataclass(frozen=True)
class Pinned:
    """A URL to connect to: the checked address in place of the host, and the host for the
    `Host` header and TLS (SNI and the certificate's name)."""

    url: str
    host: str
    address: IPAddress


async def pin(url: str, allowed: Allowed, *, https_only: bool) -> Pinned:
    """The address `url` may be called at, or `RefusedDestination` saying why not."""
    try:
        return await _pinned(url, allowed, https_only=https_only)
    except Unresolved as error:
        raise RefusedDestination(f"cannot be reached: {error}") from None


async def _pinned(
    url: str, allowed: Allowed, *, https_only: bool, seconds: float = RESOLVE_SECONDS
) -> Pinned:
    try:
        parts = urlsplit(url)
        scheme, hostname, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        raise RefusedDestination("must be an http(s) URL") from None
    if scheme not in SCHEMES or not hostname:
        raise RefusedDestination("must be an http(s) URL")
    if "@" in parts.netloc:
        raise RefusedDestination("must not carry a user name or password")
    if port == 0:
        raise RefusedDestination("must not use port 0")
    name = hostname.lower().removesuffix(".")
    named = name in allowed.names
    host = name if named else host_of(hostname, bracketed=parts.netloc.startswith("["))
    port = port or SCHEMES[scheme]
    addresses = [host] if not isinstance(host, str) else await resolve(host, port, seconds)
    for address in addresses:
        if named or allowed.covers(address):
            continue
        if host == address:
            refuse_address(address, hostname)
        problem = address_problem(address)
        if problem is not None:
            raise RefusedDestination(
                f"must be a public address: {host} resolves to {address}, {problem}"
            )
    address = addresses[0]
    if https_only and scheme != "https" and not (named or allowed.covers(address)):
        raise RefusedDestination("must be an https URL")
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal + (f":{parts.port}" if parts.port else "")
    return Pinned(parts._replace(netloc=netloc).geturl(), name, address)
