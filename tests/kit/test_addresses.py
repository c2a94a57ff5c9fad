"""The outbound address classifier: hosts read as resolvers and browsers read them, only public
addresses let through, and names checked against every address they resolve to."""

import ipaddress

import pytest

from app.kit.addresses import (
    RefusedDestination,
    Unresolved,
    check_url,
    resolve_public,
)

# How a host is written -> the address resolvers and browsers take it to mean.
SPELLINGS = {
    "2130706433": "127.0.0.1",
    "0x7f000001": "127.0.0.1",
    "0X7F000001": "127.0.0.1",
    "017700000001": "127.0.0.1",
    "127.1": "127.0.0.1",
    "127.0.1": "127.0.0.1",
    "0x7f.1": "127.0.0.1",
    "0177.0.0.01": "127.0.0.1",
    "127.0.0.1.": "127.0.0.1",
    "0": "0.0.0.0",
    "0x": "0.0.0.0",
    "169.254.43518": "169.254.169.254",
    "\uff11\uff12\uff17.0.0.1": "127.0.0.1",
    "[::ffff:127.0.0.1]": "the IPv4-mapped form of 127.0.0.1",
    "[0:0:0:0:0:ffff:7f00:1]": "the IPv4-mapped form of 127.0.0.1",
}

NOT_PUBLIC = {
    "127.0.0.1": "a loopback address",
    "127.255.255.254": "a loopback address",
    "10.1.2.3": "a private address",
    "172.16.0.1": "a private address",
    "192.168.1.1": "a private address",
    "100.64.0.1": "carrier-grade NAT",
    "169.254.1.1": "a link-local address",
    "169.254.169.254": "cloud metadata",
    "168.63.129.16": "cloud metadata",
    "0.0.0.0": "unspecified",
    "0.1.2.3": "unspecified",
    "192.0.0.8": "reserved",
    "192.0.2.1": "documentation",
    "198.51.100.1": "documentation",
    "203.0.113.1": "documentation",
    "198.18.0.1": "benchmarking",
    "198.19.255.255": "benchmarking",
    "224.0.0.251": "multicast",
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "broadcast",
    "::1": "a loopback address",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fc00::1": "private",
    "fd00:ec2::254": "cloud metadata",
    "fec0::1": "site-local",
    "ff02::1": "multicast",
    "2001:db8::1": "documentation",
    "2001:2::1": "benchmarking",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2": "Teredo",
    "64:ff9b:1::1": "local NAT64",
    "100::1": "discard",
    "::ffff:10.0.0.1": "IPv4-mapped form of 10.0.0.1, a private address",
    "::ffff:0:10.0.0.1": "IPv4-translated form of 10.0.0.1",
    "::127.0.0.1": "IPv4-compatible form of 127.0.0.1, a loopback",
    "2002:a9fe:a9fe::1": "6to4 form of 169.254.169.254, a cloud metadata",
    "64:ff9b::192.168.0.1": "NAT64 form of 192.168.0.1, a private",
}

PUBLIC = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "::ffff:93.184.216.34",
    "64:ff9b::808:808",
    "2002:5db8:d822::1",
]

SPECIAL_NAMES = {
    "localhost": "loopback name",
    "LOCALHOST.": "loopback name",
    "a.b.localhost": "loopback name",
    "printer.local": "(.local)",
    "metadata.google.internal": "(.internal)",
    "box.localdomain": "(.localdomain)",
    "nas.home.arpa": "(.home.arpa)",
    "metadata": "single-label",
    "instance-data": "single-label",
}

MALFORMED = [
    "ftp://example.com/",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "//example.com/x",
    "https:///x",
    "http://[::1/x",
    "http://example.com:99999/",
    "http://example.com:0/",
    "http://user@example.com/",
    "http://user:secret@example.com/",
    "http://@example.com/",
    "http://1.2.3.256/",
    "http://1.2.3.4.5/",
    "http://1.2.3.09/",
    "http://256.1/",
    "http://foo.123/",
    "http://a..b/",
    "http://exa mple.com/",
    "http://%6c%6fcalhost/",
    "http://127.0.0.1\\.example.com/",
    "http://[v1.fe80::1]/",
    "http://[not-an-address]/",
    "http://" + "a" * 64 + ".com/",
]


@pytest.mark.parametrize(("host", "meaning"), SPELLINGS.items())
def test_every_spelling_of_an_address_is_read_as_that_address(host: str, meaning: str) -> None:
    with pytest.raises(RefusedDestination) as refused:
        check_url(f"http://{host}/x")
    assert f" is {meaning}, " in str(refused.value)


@pytest.mark.parametrize(("address", "reason"), NOT_PUBLIC.items())
def test_non_public_addresses_are_refused_with_the_reason(address: str, reason: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(RefusedDestination) as refused:
        check_url(f"https://{host}:8443/hook")
    assert str(refused.value).startswith("must be a public address: ")
    assert reason in str(refused.value)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_let_through(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    destination = check_url(f"https://{host}/hook")
    assert destination.address == ipaddress.ip_address(address)
    assert destination.port == 443


@pytest.mark.parametrize(("name", "reason"), SPECIAL_NAMES.items())
def test_special_use_names_are_refused(name: str, reason: str) -> None:
    with pytest.raises(RefusedDestination) as refused:
        check_url(f"http://{name}/")
    assert reason in str(refused.value)


@pytest.mark.parametrize("url", MALFORMED)
def test_what_is_not_a_plain_http_url_is_refused(url: str) -> None:
    with pytest.raises(RefusedDestination):
        check_url(url)


def test_an_ordinary_name_is_kept_as_written_in_lower_case() -> None:
    destination = check_url("https://API.Example.com.:8443/v2?x=1")
    assert (destination.scheme, destination.host, destination.port) == (
        "https",
        "api.example.com",
        8443,
    )
    assert destination.address is None
    assert check_url("https://b\u00fccher.example/").host == "xn--bcher-kva.example"


async def test_localhost_is_refused_before_it_is_looked_up() -> None:
    with pytest.raises(RefusedDestination, match="localhost is a loopback name"):
        await resolve_public("localhost", 80)


async def test_a_literal_address_is_pinned_as_it_is() -> None:
    assert await resolve_public("93.184.216.34", 443) == [ipaddress.ip_address("93.184.216.34")]
    assert await resolve_public("[2606:4700:4700::1111]", 443) == [
        ipaddress.ip_address("2606:4700:4700::1111")
    ]
    with pytest.raises(RefusedDestination, match=r"127\.0\.0\.1, a loopback"):
        await resolve_public("2130706433", 80)


async def test_a_name_is_pinned_to_every_address_it_resolves_to() -> None:
    assert await resolve_public("dual.example.com", 443) == [
        ipaddress.ip_address("93.184.216.34"),
        ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"),
    ]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("inside.example.com", "inside.example.com resolves to 10.0.0.7, a private address"),
        ("mixed.example.com", "mixed.example.com resolves to 10.0.0.7, a private address"),
        ("mapped.example.com", "IPv4-mapped form of 169.254.169.254, a cloud metadata"),
    ],
)
async def test_one_non_public_answer_refuses_the_name(name: str, words: str) -> None:
    with pytest.raises(RefusedDestination) as refused:
        await resolve_public(name, 443)
    assert words in str(refused.value)


async def test_a_name_that_does_not_resolve_is_unresolved_when_called() -> None:
    with pytest.raises(Unresolved):
        await resolve_public("nowhere.example.com", 443)
