"""Where outbound calls may go: http(s) to a public address, never to a private, loopback,
link-local or cloud metadata one, nor to a name that only means something inside a network.

One classifier serves every outbound URL (connector actions, webhooks); `app.kit.destinations`
applies it when a URL is saved and again, resolving the name once, when it is called, then
connects to the address it checked, so that a name cannot resolve one way when checked and
another way when called. Hosts are read
as resolvers and browsers read them: `0x7f000001`, `2130706433`, `127.1`, `017700000001`,
`127.0.0.1.` and `[::ffff:127.0.0.1]` all mean the loopback address. (`network_list` reads
the address ranges a setting lists, such as the trusted proxies.)"""

import asyncio
import ipaddress
import json
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SCHEMES = {"http": 80, "https": 443}
MAX_NAME = 253
LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
# The number forms inet_aton and the URL standard accept in each dotted part of an address.
IPV4_DIGITS = {
    16: re.compile(r"^[0-9a-f]*$"),
    8: re.compile(r"^[0-7]+$"),
    10: re.compile(r"^[0-9]+$"),
}
RESOLVE_SECONDS = 5.0


def _ranges(*pairs: tuple[str, str]) -> list[tuple[IPNetwork, str]]:
    return [(ipaddress.ip_network(network), reason) for network, reason in pairs]


# First match wins, so the narrow ranges give their reason before the wide ones around them.
IPV4_RANGES = _ranges(
    ("169.254.169.254/32", "a cloud metadata (link-local) address"),
    ("168.63.129.16/32", "a cloud metadata address"),
    ("0.0.0.0/8", "an unspecified address"),
    ("127.0.0.0/8", "a loopback address"),
    ("10.0.0.0/8", "a private address"),
    ("172.16.0.0/12", "a private address"),
    ("192.168.0.0/16", "a private address"),
    ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
    ("169.254.0.0/16", "a link-local address"),
    ("192.0.0.0/24", "a reserved protocol address"),
    ("192.0.2.0/24", "a documentation address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("192.88.99.0/24", "a reserved relay address"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the broadcast address"),
    ("240.0.0.0/4", "a reserved address"),
)
IPV6_RANGES = _ranges(
    ("fd00:ec2::254/128", "a cloud metadata (private) address"),
    ("::1/128", "a loopback address"),
    ("::/128", "an unspecified address"),
    ("fe80::/10", "a link-local address"),
    ("fc00::/7", "a private (unique local) address"),
    ("fec0::/10", "a private (site-local) address"),
    ("ff00::/8", "a multicast address"),
    ("2001:db8::/32", "a documentation address"),
    ("3fff::/20", "a documentation address"),
    ("2001:2::/48", "a benchmarking address"),
    ("2001::/32", "a Teredo tunnel address"),
    ("64:ff9b:1::/48", "a private (local NAT64) address"),
    ("100::/64", "a discard address"),
)
# Prefixes whose last 32 bits are the IPv4 address the packets end up at.
IPV4_EMBEDDING = _ranges(
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("::ffff:0:0:0/96", "IPv4-translated"),
    ("::/96", "IPv4-compatible"),
    ("64:ff9b::/96", "NAT64"),
)
# Names meant to resolve only inside a network (RFC 6761, 6762, 8375, and top-level names in
# common private use), so their answer is a private address or whatever a local resolver says.
SPECIAL_NAMES = {
    "localhost": "a loopback name",
    "local": "a multicast DNS name",
    "localdomain": "a private-network name",
    "internal": "a private-network name",
    "intranet": "a private-network name",
    "lan": "a private-network name",
    "home": "a private-network name",
    "corp": "a private-network name",
    "private": "a private-network name",
    "home.arpa": "a home-network name",
}


class RefusedDestination(ValueError):
    """Why a URL or host may not be called, worded to follow the field's name."""


class Unresolved(Exception):
    """A name that did not resolve, or not in time: whether it is public cannot be told yet."""


@dataclass(frozen=True)
class Destination:
    """A URL that may be called: its host (a name, or the address it spells) and port."""

    scheme: str
    host: str
    port: int
    address: IPAddress | None


def check_url(url: str) -> Destination:
    """The URL's destination when it may be called, else `RefusedDestination` saying why.

    A literal address is classified here; a name is refused here only when it is special-use,
    and must also pass `resolve_public` before anything connects to it."""
    try:
        parts = urlsplit(url)
        scheme, port, hostname = parts.scheme.lower(), parts.port, parts.hostname
    except ValueError:  # an unbalanced IPv6 bracket, a port that is not a number
        raise RefusedDestination("must be an http(s) URL") from None
    if scheme not in SCHEMES or not hostname:
        raise RefusedDestination("must be an http(s) URL")
    if "@" in parts.netloc:
        raise RefusedDestination("must not carry a user name or password")
    if port == 0:
        raise RefusedDestination("must not use port 0")
    host = host_of(hostname, bracketed=parts.netloc.startswith("["))
    port = port or SCHEMES[scheme]
    if isinstance(host, str):
        return Destination(scheme, host, port, None)
    refuse_address(host, hostname)
    return Destination(scheme, str(host), port, host)


def host_of(text: str, bracketed: bool = False) -> IPAddress | str:
    """The address a host spells (in any form a resolver accepts), or its name in lower case
    without the trailing dot; special-use and malformed names are refused."""
    if bracketed or ":" in text:
        return _ipv6(text)
    try:
        name = text.removesuffix(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise RefusedDestination(f"must have a valid host name, not {text!r}") from None
    labels = name.split(".")
    if len(name) > MAX_NAME or not all(LABEL.match(label) for label in labels):
        raise RefusedDestination(f"must have a valid host name, not {text!r}")
    last = labels[-1]
    # A host ending in a number is an IPv4 address to resolvers and browsers alike.
    if last.isdigit() or _ipv4_part(last) is not None:
        return _ipv4(labels, text)
    _refuse_name(name)
    return name


def refuse_address(address: IPAddress, written: str | None = None) -> None:
    """`RefusedDestination` unless the address is public; `written` is how the caller gave it."""
    problem = address_problem(address)
    if problem is None:
        return
    spelled = str(address)
    if written is None or written == spelled or ":" in written:
        subject = f"{spelled} is"
    else:
        subject = f"{written} is {spelled},"
    raise RefusedDestination(f"must be a public address: {subject} {problem}")


def address_problem(address: IPAddress) -> str | None:
    """Why connecting to the address is not allowed, or None when it is a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            kind, inner = embedded
            problem = address_problem(inner)
            return f"the {kind} form of {inner}, {problem}" if problem else None
        ranges = IPV6_RANGES
    else:
        ranges = IPV4_RANGES
    for network, reason in ranges:
        if address in network:
            return reason
    return None if address.is_global else "a reserved address"


async def resolve(name: str, port: int, seconds: float = RESOLVE_SECONDS) -> list[IPAddress]:
    """Every address `name` resolves to, in the resolver's order; `Unresolved` when none came."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(seconds):
            answers = await loop.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError) as error:
        raise Unresolved(f"{name} did not resolve ({error})") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unresolved(f"{name} did not resolve")
    return addresses


async def resolve_public(host: str, port: int, seconds: float = RESOLVE_SECONDS) -> list[IPAddress]:
    """The addresses to connect to for `host`, every one public: `RefusedDestination` when
    any is not (one private answer is enough to reach inside), `Unresolved` when none came."""
    target = host_of(host.strip("[]"), bracketed=host.startswith("["))
    if not isinstance(target, str):
        refuse_address(target, host)
        return [target]
    addresses = await resolve(target, port, seconds)
    for address in addresses:
        problem = address_problem(address)
        if problem is not None:
            raise RefusedDestination(
                f"must be a public address: {target} resolves to {address}, {problem}"
            )
    return addresses


def network_list(value: object) -> object:
    """Addresses and CIDR networks, from a list or from text (comma-separated or a JSON list),
    each in its canonical form; a malformed one raises ValueError naming it."""
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else text.split(",")
    if not isinstance(value, list):
        return value
    networks = []
    for item in value:
        text = str(item).strip()
        if text:
            try:
                networks.append(str(ipaddress.ip_network(text, strict=False)))
            except ValueError:
                raise ValueError(f"{text!r} is not an IP address or CIDR network") from None
    return networks


def _refuse_name(name: str) -> None:
    for suffix, reason in SPECIAL_NAMES.items():
        if name == suffix or name.endswith(f".{suffix}"):
            raise RefusedDestination(f"must be a public address: {name} is {reason} (.{suffix})")
    if "." not in name:
        raise RefusedDestination(
            f"must be a public address: {name} is a single-label name, which only resolves "
            "inside a private network"
        )


def _ipv6(text: str) -> ipaddress.IPv6Address:
    # A zone (`%25eth0` in a URL) only picks an interface; the address decides where it goes.
    try:
        return ipaddress.IPv6Address(text.split("%", 1)[0])
    except ValueError:
        raise RefusedDestination(f"must have a valid IPv6 address, not {text!r}") from None


def _ipv4(labels: list[str], written: str) -> ipaddress.IPv4Address:
    parts = [_ipv4_part(label) for label in labels]
    numbers = [part for part in parts if part is not None]
    # As inet_aton: a.b.c.d, a.b.c (c fills 16 bits), a.b (b fills 24), a (all 32 bits).
    if (
        len(labels) > 4
        or len(numbers) != len(labels)
        or any(number > 255 for number in numbers[:-1])
        or numbers[-1] >= 256 ** (5 - len(numbers))
    ):
        raise RefusedDestination(f"must have a valid host, not {written!r}")
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_part(label: str) -> int | None:
    """A dotted part as a number: 0x-prefixed hexadecimal, 0-prefixed octal, or decimal."""
    if label.startswith("0x"):
        digits, base = label[2:], 16
    elif len(label) > 1 and label.startswith("0"):
        digits, base = label[1:], 8
    else:
        digits, base = label, 10
    if not IPV4_DIGITS[base].match(digits):
        return None
    return int(digits, base) if digits else 0


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address in (ipaddress.IPv6Address("::"), ipaddress.IPv6Address("::1")):
        return None
    for network, kind in IPV4_EMBEDDING:
        if address in network:
            return kind, ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
