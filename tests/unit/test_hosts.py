"""Which host each family's calls go to: the spec's, an override for both, the futures test net, and
a clear refusal for a half-set pair (so no call leaves for production unnoticed)."""

from __future__ import annotations

import httpx
import pytest
from binance_margin import BinanceClient, BinanceConfigError, HmacCredentials
from binance_margin._routing import Routes, parse_base_url
from binance_margin_api.spec_metadata import API_FAMILIES

from tests._env import clear_proxies

MOCK = "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    ("given", "netloc", "base_path"),
    [
        ("https://api.binance.com", "api.binance.com", ""),
        ("https://api.binance.com:443/", "api.binance.com", ""),
        ("http://127.0.0.1:8765", "127.0.0.1:8765", ""),
        ("http://[::1]:8765/prefix/", "[::1]:8765", "/prefix"),
        ("HTTPS://API.binance.com", "api.binance.com", ""),
    ],
)
def test_base_urls_parse_to_origins(given: str, netloc: str, base_path: str) -> None:
    origin = parse_base_url("base_url", given)
    assert (origin.netloc, origin.base_path) == (netloc, base_path)


def test_the_spec_hosts_are_the_defaults() -> None:
    routes = Routes({})
    for name, family in API_FAMILIES.items():
        assert routes.origin(name).url == family.server


def _sent_to(**options: object) -> list[str]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.scheme}://{request.url.netloc.decode()}")
        body = b"[]" if request.url.path.startswith("/sapi") else b'{"code":200,"msg":"success"}'
        return httpx.Response(200, content=body)

    with BinanceClient(
        HmacCredentials("k", "s"), transport=httpx.MockTransport(handler), **options
    ) as client:  # type: ignore[arg-type]
        try:
            client.coin_list()
        except BinanceConfigError as error:
            seen.append(f"refused: {error}")
        client.change_margin_type("BTCUSDT", "CROSSED")
    return seen


def test_testnet_sends_futures_to_the_test_net_and_refuses_margin_calls() -> None:
    fapi = API_FAMILIES["fapi"].testnet_server
    assert fapi is not None and API_FAMILIES["sapi"].testnet_server is None
    sapi, futures = _sent_to(testnet=True)
    assert sapi.startswith("refused:") and "no test net" in sapi and "nothing was sent" in sapi
    assert futures == fapi
    # With the mock for SAPI, both work: margin to the mock, futures to the test net.
    assert _sent_to(testnet=True, base_url=MOCK) == [MOCK, fapi]


def test_one_url_without_the_other_is_refused_unless_confirmed() -> None:
    with pytest.raises(BinanceConfigError, match="futures_base_url is not"):
        BinanceClient(HmacCredentials("k", "s"), base_url=MOCK)
    with pytest.raises(BinanceConfigError, match="base_url is not"):
        BinanceClient(HmacCredentials("k", "s"), futures_base_url=MOCK)
    assert _sent_to(base_url=MOCK, allow_default_hosts=True) == [MOCK, API_FAMILIES["fapi"].server]


def test_from_env_reads_both_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {
        "BINANCE_API_KEY": "k",
        "BINANCE_API_SECRET": "s",
        "BINANCE_BASE_URL": MOCK,
        "BINANCE_FUTURES_BASE_URL": MOCK + "/f",
    }
    client = BinanceClient.from_env(environ)
    assert "8765'" in repr(client) and "8765/f'" in repr(client)
    with pytest.raises(BinanceConfigError, match="is not"):
        BinanceClient.from_env({**environ, "BINANCE_FUTURES_BASE_URL": ""})
    monkeypatch.setenv("BINANCE_API_KEY", "k")
    monkeypatch.setenv("BINANCE_API_SECRET", "s")
    monkeypatch.setenv("BINANCE_BASE_URL", MOCK)
    monkeypatch.delenv("BINANCE_FUTURES_BASE_URL", raising=False)
    with pytest.raises(BinanceConfigError, match="is not"):
        BinanceClient()  # credentials from the environment: its URLs too


def test_from_env_takes_exactly_the_constructors_keyword_options() -> None:
    import inspect

    from binance_margin._client import ClientOptions

    parameters = inspect.signature(BinanceClient).parameters
    keyword = {
        name: p.annotation for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    declared = {
        name: getattr(hint, "__forward_arg__", hint) for name, hint in ClientOptions.__annotations__.items()
    }
    assert declared == keyword  # the same names, with the same types


# A password with an unescaped "/", "?" or "#" ends the authority early: urllib reads its start as a port
# (quoted in its error), or, when that start is a number, the user name as the host.
_SPLIT_PASSWORDS = [
    "https://alice:Hunter2/x@h.example",
    "https://alice:Hunter2?x@h.example",
    "http://alice:Hunter2#@h",
    "https://alice:2024/Hunter2@h.example",
    "http://alice:2024/Hunter2@h.example:3128",
]


@pytest.mark.parametrize("url", _SPLIT_PASSWORDS)
def test_a_url_whose_password_cuts_its_authority_short_is_refused_without_quoting_it(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(BinanceConfigError) as as_base_url:
        BinanceClient(HmacCredentials("k", "s"), base_url=url, futures_base_url=MOCK)
    clear_proxies(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", url)
    client = BinanceClient(HmacCredentials("k", "s"), base_url="https://h.example", futures_base_url=MOCK)
    with pytest.raises(BinanceConfigError) as as_proxy:
        client.coin_list()
    for raised in (as_base_url, as_proxy):
        message = str(raised.value)
        assert "port is not a number" in message or "an @ follows its host" in message, message
        assert "Hunter2" not in message and "2024" not in message
