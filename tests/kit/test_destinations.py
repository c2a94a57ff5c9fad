"""Where a call to an address a tenant gave may connect: public addresses only, in every
spelling, names resolved once and connected to as checked, an operator's allow-list on purpose,
HTTPS only when asked."""

import pytest

from app.kit.addresses import RefusedDestination
from app.kit.destinations import Allowed, check_saved, pin

REFUSED = [
    "http://127.0.0.1/hook",
    "http://localhost/hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://017700000001/hook",
    "http://127.1/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://[fe80::1]/",
    "http://[ff02::1]/",
    "http://loopback.example.com/hook",
    "http://inside.example.com/hook",
    "http://mixed.example.com/hook",
    "http://mapped.example.com/hook",
    "http://metadata.google.internal/",
    "http://printer.local/",
    "http://intranet/",
    "http://user:pass@public.example.com/",
    "ftp://public.example.com/",
    "http://nowhere.example.com/",
]


@pytest.mark.parametrize("url", REFUSED)
async def test_anything_but_a_public_address_is_refused(url: str) -> None:
    with pytest.raises(RefusedDestination):
        await pin(url, Allowed(), https_only=False)


async def test_a_name_is_connected_to_at_the_address_that_was_checked() -> None:
    pinned = await pin("https://public.example.com/hooks?a=1", Allowed(), https_only=True)
    assert pinned.url == "https://93.184.216.34/hooks?a=1"
    assert pinned.host == "public.example.com"
    dual = await pin("http://dual.example.com:8080/x", Allowed(), https_only=False)
    assert dual.url == "http://93.184.216.34:8080/x"


async def test_the_reason_names_what_the_host_resolves_to() -> None:
    with pytest.raises(RefusedDestination) as refused:
        await pin("http://loopback.example.com/", Allowed(), https_only=False)
    assert "loopback.example.com resolves to 127.0.0.1" in str(refused.value)
    assert "loopback" in str(refused.value)


async def test_https_only_refuses_plain_http() -> None:
    with pytest.raises(RefusedDestination, match="https"):
        await pin("http://public.example.com/", Allowed(), https_only=True)


async def test_an_operator_may_allow_hosts_and_networks_on_purpose() -> None:
    by_network = Allowed.of(["127.0.0.0/8"])
    pinned = await pin("http://loopback.example.com:9000/in", by_network, https_only=True)
    assert pinned.url == "http://127.0.0.1:9000/in"
    literal = await pin("http://127.0.0.1:9000/in", by_network, https_only=False)
    assert literal.url == "http://127.0.0.1:9000/in"
    by_name = Allowed.of(["receiver.example.com"])
    assert (await pin("http://receiver.example.com/", by_name, https_only=False)).host == (
        "receiver.example.com"
    )
    # Allowing one name or network allows nothing else.
    with pytest.raises(RefusedDestination):
        await pin("http://loopback.example.com/", by_name, https_only=False)
    with pytest.raises(RefusedDestination):
        await pin("http://10.0.0.1/", by_network, https_only=False)


async def test_saving_judges_a_url_as_calling_it_will() -> None:
    with pytest.raises(RefusedDestination):
        await check_saved("http://loopback.example.com/hook", Allowed())
    await check_saved("http://loopback.example.com/hook", Allowed.of(["127.0.0.0/8"]))
    await check_saved("http://receiver.example.com/hook", Allowed.of(["receiver.example.com"]))
    # A name that does not resolve yet is kept: it is checked again when called.
    await check_saved("https://nowhere.example.com/hook", Allowed())
    with pytest.raises(RefusedDestination, match=r"resolves to 10\.0\.0\.7"):
        await check_saved("https://inside.example.com/hook", Allowed())
