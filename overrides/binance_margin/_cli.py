"""`binance-margin`: the four operations from the shell, JSON on stdout.

Exit status: 0 success, 1 Binance or the network answered with an error (code and message on stderr),
2 usage, configuration or validation error (nothing was sent). Amounts are printed with their exact digits.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from binance_margin_api.spec_metadata import OPERATIONS, RATE_LIMITS, SIGNING

from ._client import ENV_BASE_URL, ENV_FUTURES_BASE_URL, BinanceClient
from ._credentials import ENV_API_KEY, ENV_API_SECRET, ENV_PRIVATE_KEY_FILE, ENV_PRIVATE_KEY_PASSPHRASE
from ._errors import BinanceAPIError, BinanceConfigError, BinanceMarginError, BinanceValidationError
from ._observe import CallRecord

_DESCRIPTION = f"""Call Binance's margin endpoints, signed; JSON on stdout.

Credentials: {ENV_API_KEY} with {ENV_API_SECRET}, or {ENV_PRIVATE_KEY_FILE} (+ {ENV_PRIVATE_KEY_PASSPHRASE}).
Hosts: --base-url / --futures-base-url, or {ENV_BASE_URL} / {ENV_FUTURES_BASE_URL} (give both, or
--allow-default-hosts), or --testnet for USD-M futures (Binance has no margin test net).
Exit status: 0 success, 1 an error answer or no answer, 2 a usage, configuration or validation error
(nothing was sent)."""


def _choices(operation_id: str, parameter: str) -> tuple[str, ...]:
    found = OPERATIONS[operation_id].parameter(parameter)
    assert found is not None and found.enum is not None, f"{operation_id}.{parameter} has no enum in the spec"
    return found.enum


def _upper(text: str) -> str:
    return text.upper()


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options every command takes, before or after its name. On the subcommands they default to
    SUPPRESS, so a value given before the command name is not overwritten by the subcommand's default."""

    def default(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument(
        "--base-url", default=default(None), help=f"SAPI base URL (default: ${ENV_BASE_URL}, else Binance's)"
    )
    group.add_argument(
        "--futures-base-url",
        default=default(None),
        help=f"FAPI base URL (default: ${ENV_FUTURES_BASE_URL}, else Binance's)",
    )
    group.add_argument(
        "--testnet",
        action="store_true",
        default=default(False),
        help="send futures calls to Binance's USD-M futures test net (margin calls then need --base-url)",
    )
    group.add_argument(
        "--allow-default-hosts",
        action="store_true",
        default=default(False),
        help="confirm that a family without a base URL goes to Binance's production host",
    )
    group.add_argument(
        "--recv-window",
        type=int,
        default=default(SIGNING.recv_window_default),
        metavar="MS",
        help=f"recvWindow in ms (default {SIGNING.recv_window_default}, "
        f"at most {SIGNING.recv_window_maximum})",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=default(10.0),
        metavar="SECONDS",
        help="the deadline for each answer, whole (default 10)",
    )
    group.add_argument(
        "--show-weight",
        action="store_true",
        default=default(False),
        help="print each rate-limit bucket's used weight and limit on stderr after the call",
    )
    group.add_argument(
        "--time-sync",
        action="store_true",
        default=default(False),
        help="sync with Binance's server time before signing",
    )
    group.add_argument(
        "--storage-uri",
        default=default("memory://"),
        metavar="URI",
        help="where weight budgets and the 6-hour guard live (e.g. redis://host:6379/0 to share them)",
    )


def _parser() -> argparse.ArgumentParser:
    from ._version import installed_version

    parser = argparse.ArgumentParser(
        prog="binance-margin", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {installed_version()}")
    _global_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, operation_id: str, summary: str) -> argparse.ArgumentParser:
        operation = OPERATIONS[operation_id]
        sub = commands.add_parser(
            name,
            help=summary,
            description=f"{summary}: {operation.method} {operation.path} (weight {operation.weight}, "
            f"{operation.weight_kind}).",
        )
        _global_options(sub, defaults=False)
        return sub

    command(
        "coin-list",
        "getSmallLiabilityExchangeCoinList",
        "list the coins eligible for small liability exchange",
    )
    exchange = command(
        "exchange-small-liability",
        "smallLiabilityExchange",
        "exchange the small liabilities of the given coins",
    )
    asset_names = OPERATIONS["smallLiabilityExchange"].parameter("assetNames")
    assert asset_names is not None
    exchange.add_argument(
        "assets",
        nargs="+",
        metavar="ASSET",
        help=f"a coin such as BTC (1 to {asset_names.max_items}, distinct)",
    )
    liquidation = command("manual-liquidation", "marginManualLiquidation", "liquidate a margin account")
    account_types = _choices("marginManualLiquidation", "type")
    liquidation.add_argument(
        "--type",
        required=True,
        type=_upper,
        choices=account_types,
        metavar="{" + ",".join(account_types) + "}",
        help="which margin account (any case)",
    )
    liquidation.add_argument("--symbol", help="the isolated symbol (required for ISOLATED)")
    margin_type = command("margin-type", "changeMarginType", "set a USD-M futures symbol's margin type")
    margin_types = _choices("changeMarginType", "marginType")
    margin_type.add_argument("symbol", metavar="SYMBOL", help="a USD-M futures symbol such as BTCUSDT")
    margin_type.add_argument(
        "margin_type",
        type=_upper,
        choices=margin_types,
        metavar="{" + ",".join(margin_types) + "}",
        help="the margin type (any case)",
    )
    margin_type.add_argument(
        "--ensure",
        action="store_true",
        help="succeed when the symbol already has the margin type (-4046, or -4067 for the same no-op); "
        'prints {"symbol", "marginType", "changed", "code"}',
    )
    return parser


def _run(client: BinanceClient, options: argparse.Namespace) -> Any:
    if options.command == "coin-list":
        return [coin.to_dict() for coin in client.coin_list()]
    if options.command == "exchange-small-liability":
        client.exchange_small_liability(options.assets)
        return {}
    if options.command == "manual-liquidation":
        return [coin.to_dict() for coin in client.manual_liquidation(options.type, options.symbol)]
    if options.ensure:
        return client.ensure_margin_type(options.symbol, options.margin_type).to_dict()
    return client.change_margin_type(options.symbol, options.margin_type).to_dict()


def _print_weight(record: CallRecord | None) -> None:
    if record is None:
        return
    for usage in record.buckets:
        header = RATE_LIMITS[usage.rate_limit].used_weight_header
        source = "from the server" if usage.from_server else "local count"
        print(f"{header}: {usage.used} (limit {usage.limit}, {usage.bucket}, {source})", file=sys.stderr)


def _dumps() -> Callable[[Any], str]:
    # simplejson writes Decimal amounts as JSON numbers with their exact digits; the standard library cannot.
    import simplejson

    return lambda value: str(simplejson.dumps(value, use_decimal=True, ensure_ascii=False))


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    try:
        with BinanceClient.from_env(
            os.environ,
            base_url=options.base_url or os.environ.get(ENV_BASE_URL) or None,
            futures_base_url=options.futures_base_url or os.environ.get(ENV_FUTURES_BASE_URL) or None,
            testnet=options.testnet,
            allow_default_hosts=options.allow_default_hosts,
            recv_window=options.recv_window,
            timeout=options.timeout,
            time_sync=options.time_sync,
            storage_uri=options.storage_uri,
        ) as client:
            try:
                result = _run(client, options)
            finally:
                if options.show_weight:
                    _print_weight(client.last_call)
    except (BinanceConfigError, BinanceValidationError) as error:
        print(f"binance-margin: {error}", file=sys.stderr)
        return 2
    except BinanceAPIError as error:
        print(f"binance-margin: error {error.code}: {error.message} ({error})", file=sys.stderr)
        return 1
    except BinanceMarginError as error:  # no answer (transport), refused by a budget or the guard
        print(f"binance-margin: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(_dumps()(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
