"""`binance-margin`: the four operations from the shell, JSON on stdout.

Exit status: 0 success, 1 Binance or the network answered with an error (code and message on stderr),
2 usage, configuration or validation error (nothing was sent).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from binance_margin_api.spec_metadata import OPERATIONS, RATE_LIMITS, SIGNING

from ._client import BinanceClient
from ._errors import (
    BinanceAPIError,
    BinanceConfigError,
    BinanceMarginError,
    BinanceValidationError,
)
from ._observe import CallRecord


def _choices(operation_id: str, parameter: str) -> tuple[str, ...]:
    found = OPERATIONS[operation_id].parameter(parameter)
    assert found is not None and found.enum is not None, f"{operation_id}.{parameter} has no enum in the spec"
    return found.enum


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="binance-margin",
        description="Call Binance margin endpoints. Credentials come from BINANCE_API_KEY with "
        "BINANCE_API_SECRET, or BINANCE_PRIVATE_KEY_FILE (+ BINANCE_PRIVATE_KEY_PASSPHRASE).",
    )
    parser.add_argument("--base-url", help="SAPI base URL (default: the spec's host)")
    parser.add_argument("--futures-base-url", help="FAPI base URL (default: the spec's host)")
    parser.add_argument(
        "--recv-window",
        type=int,
        default=SIGNING.recv_window_default,
        help=f"recvWindow in ms (default {SIGNING.recv_window_default}, "
        f"at most {SIGNING.recv_window_maximum})",
    )
    parser.add_argument(
        "--show-weight",
        action="store_true",
        help="print each rate-limit bucket's used-weight header and limit on stderr after the call",
    )
    parser.add_argument(
        "--time-sync", action="store_true", help="sync with Binance's server time before signing"
    )
    parser.add_argument(
        "--storage-uri",
        default="memory://",
        help="where weight budgets and the 6-hour guard live (e.g. redis://host:6379/0 to share them)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("coin-list", help="list the coins eligible for small liability exchange")
    exchange = commands.add_parser("exchange-small-liability", help="exchange small liabilities")
    exchange.add_argument("assets", nargs="+", metavar="ASSET")
    liquidation = commands.add_parser("manual-liquidation", help="liquidate a margin account")
    liquidation.add_argument("--type", required=True, choices=_choices("marginManualLiquidation", "type"))
    liquidation.add_argument("--symbol", help="the isolated symbol (required for ISOLATED)")
    margin_type = commands.add_parser("margin-type", help="set a USD-M futures symbol's margin type")
    margin_type.add_argument("symbol", metavar="SYMBOL")
    margin_type.add_argument(
        "margin_type", choices=_choices("changeMarginType", "marginType"), metavar="MARGIN_TYPE"
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


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    try:
        with BinanceClient(
            base_url=options.base_url,
            futures_base_url=options.futures_base_url,
            recv_window=options.recv_window,
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
    except BinanceMarginError as error:  # no answer (transport) or anything else of ours
        print(f"binance-margin: {error}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
