"""Name resolution from a fixed table for the whole test run, so that no test sends a DNS query
off the machine (checking an endpoint's name resolves it): the names below answer as listed,
`localhost` and literal addresses as the system says, and every other name does not resolve.
Patched at `socket.getaddrinfo`, which the event loop's resolver calls in every thread."""

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

NAMES = {
    "public.example.com": ["93.184.216.34"],
    "dual.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "inside.example.com": ["10.0.0.7"],
    "mixed.example.com": ["93.184.216.34", "10.0.0.7"],
    "mapped.example.com": ["::ffff:169.254.169.254"],
    # A public-looking name pointing at this machine: what an SSRF attempt registers.
    "loopback.example.com": ["127.0.0.1"],
    "receiver.example.com": ["127.0.0.1"],
}


def _local(host: Any) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    return True


@pytest.fixture(scope="session", autouse=True)
def names_resolve_locally() -> Iterator[None]:
    system = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **options: Any) -> list[Any]:
        if host in NAMES:
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    socket.SOCK_STREAM,
                    socket.IPPROTO_TCP,
                    "",
                    (address, port) if ":" not in address else (address, port, 0, 0),
                )
                for address in NAMES[host]
            ]
        if _local(host):
            return system(host, port, *args, **options)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield
