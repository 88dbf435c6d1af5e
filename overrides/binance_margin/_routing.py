"""Which host serves which API family: the spec's servers, each overridable (the local mock), or Binance's
test net where it has one; and through which proxy the environment names. Base URLs are checked when the
client is built, so no call can fail on one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import SplitResult, unquote, urlsplit

import attrs
from binance_margin_api.spec_metadata import API_FAMILIES

from ._errors import BinanceConfigError
from ._wire import Origin

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
# A base path is sent as it is: only what needs no percent-encoding, and escapes.
_PATH: Final = re.compile(r"(/[A-Za-z0-9\-._~%!$&'()*+,;=:@]*)*")
_HOSTNAME: Final = re.compile(r"[A-Za-z0-9\-._]+")
_IPV6: Final = re.compile(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")


# An "@" after the host: a user name or password with an unescaped "/", "?" or "#" cut the authority short.
_CUT_AUTHORITY: Final = "an @ follows its host (percent-encode a /, ? or # in a user name or password)"


def parse_base_url(what: str, given: object) -> Origin:
    """The origin of an http(s) base URL; BinanceConfigError naming `what` for anything else."""
    if not isinstance(given, str):
        raise BinanceConfigError(f"{what} must be a str, not {type(given).__name__}")
    try:
        parts = _split(given)
    except ValueError as problem:
        # The URL itself is not echoed: it may carry credentials (user:password@).
        raise BinanceConfigError(f"{what} is not a usable http(s) base URL: {problem}") from None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or _DEFAULT_PORTS[scheme]
    shown = f"[{host}]" if ":" in host else host
    netloc = shown if port == _DEFAULT_PORTS[scheme] else f"{shown}:{port}"
    return Origin(scheme=scheme, host=host, port=port, netloc=netloc, base_path=parts.path.rstrip("/"))


def _is_host_name(host: str) -> bool:
    # The IDNA codec is what the HTTP libraries encode a host with: an empty or over-long label fails there.
    try:
        return _HOSTNAME.fullmatch(host) is not None and bool(host.encode("idna"))
    except UnicodeError:
        return False


def _split(given: str) -> SplitResult:
    """The parts of `given`, a usable base URL; ValueError saying why it is not one."""
    if not given.isascii() or any(character.isspace() or ord(character) < 32 for character in given):
        raise ValueError(
            "it contains whitespace, control or non-ASCII characters (write an IDN host in punycode)"
        )
    parts = urlsplit(given)
    try:
        port = parts.port
    except ValueError:  # not urllib's message: it quotes the "port", which may be a password's start
        raise ValueError("its port is not a number from 1 to 65535") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise ValueError("the scheme must be http or https")
    host = parts.hostname
    if not host or not (_IPV6.fullmatch(host) or _is_host_name(host)):
        raise ValueError("it has no valid host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("it carries a user name or password")
    if parts.query or parts.fragment or given.endswith(("?", "#")):
        raise ValueError("it has a query or fragment")
    if "@" in parts.path:  # "user:pass/word@host": the authority ended at a password's "/"
        raise ValueError(_CUT_AUTHORITY)
    if port == 0:
        raise ValueError("port 0")
    if _PATH.fullmatch(parts.path) is None:
        raise ValueError("its path needs percent-encoding")
    return parts


class Routes:
    """The origin of each API family.

    `overrides` maps family names (sapi, fapi) to base URLs. With `testnet`, a family without an override
    goes to Binance's test net for it; a family Binance has no test net for (SAPI: margin) is then
    unavailable, and its calls raise BinanceConfigError before anything is sent.
    """

    def __init__(self, overrides: Mapping[str, str | None], *, testnet: bool = False) -> None:
        self._origins: dict[str, Origin] = {}
        for name, family in API_FAMILIES.items():
            given = overrides.get(name)
            if given is not None:
                self._origins[name] = parse_base_url(f"the {name} base URL", given)
            elif not testnet:
                self._origins[name] = parse_base_url(f"the spec's {name} server", family.server)
            elif family.testnet_server is not None:
                self._origins[name] = parse_base_url(f"the {name} test net", family.testnet_server)

    def origin(self, family: str) -> Origin:
        """The origin of `family`; BinanceConfigError when it is unavailable (see the class docstring)."""
        origin = self._origins.get(family)
        if origin is None:  # only a family with no test net has none
            prefix = API_FAMILIES[family].path_prefix
            raise BinanceConfigError(
                f"Binance has no test net for {family} (its spot test net has no {prefix} endpoints): "
                f"with testnet=True, give the {family} base URL (e.g. the local mock); nothing was sent"
            )
        return origin

    def url(self, family: str) -> str | None:
        """The family's base URL; None where it has none (SAPI on the test net)."""
        origin = self._origins.get(family)
        return origin.url if origin is not None else None

    def origins(self) -> list[Origin]:
        """The origins calls can go to."""
        return list(self._origins.values())


@attrs.frozen
class Proxy:
    """An HTTP(S) proxy: `url` as given, `address` without its user and password, which are in `auth`."""

    url: str = attrs.field(repr=False)  # may hold a password
    address: str
    auth: tuple[str, str] | None = attrs.field(repr=False)


def _proxy(variable: str, url: str) -> Proxy:
    what = f"the proxy of {variable} in the environment"
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")  # "host:port" means http, as curl reads it
    except ValueError:
        raise BinanceConfigError(f"{what} is not a URL") from None
    if "@" in parts.path + parts.query + parts.fragment:  # not where it is, nor who may use it
        raise BinanceConfigError(f"{what} is not a usable proxy URL: {_CUT_AUTHORITY}")
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise BinanceConfigError(
            f"{what} is a {scheme or 'schemeless'} proxy: the default HTTP clients use http(s) proxies only; "
            "for another kind pass transport= / async_transport= httpx transports with that proxy"
        )
    # Where it is, checked as a base URL is; who may use it goes apart (httpcore wants them so).
    address = parse_base_url(what, f"{scheme}://{parts.netloc.rpartition('@')[2]}").url
    user = parts.username
    auth = (unquote(user), unquote(parts.password or "")) if user is not None else None
    return Proxy(url=parts.geturl(), address=address, auth=auth)


def environment_proxies(origins: Iterable[Origin]) -> dict[Origin, Proxy]:
    """The proxy the environment names for each origin that has one: `<scheme>_proxy` or `all_proxy`, in
    either case, unless `no_proxy` excludes the host. The standard library reads them, as it does for
    requests and aiohttp (and the system's settings on macOS and Windows)."""
    from urllib.request import getproxies, proxy_bypass  # ~30 ms of imports: with the first call's sender

    named = getproxies()
    found: dict[Origin, Proxy] = {}
    for origin in origins:
        scheme = origin.scheme if named.get(origin.scheme) else "all"
        url = named.get(scheme)
        if url and not proxy_bypass(origin.host):
            found[origin] = _proxy(f"{scheme}_proxy", url)
    return found
