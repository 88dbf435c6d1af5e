"""`binance-margin`: the four operations from the shell, JSON on stdout.

Exit status: 0 success; 1 the call failed and did not execute (an error answer, no answer to a GET, or
refused by a budget, the 6-hour guard or the storage; why on stderr); 2 a usage, configuration or
validation error (nothing was sent); 3 a POST whose outcome is unknown (it may have executed: check the
account before running it again) or that executed but whose result could not be written; 130 interrupted
(Ctrl-C) with nothing executed. Amounts are printed with their exact digits.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from binance_margin_api.spec_metadata import OPERATIONS, RATE_LIMITS, SIGNING

from ._client import ENV_BASE_URL, ENV_FUTURES_BASE_URL, BinanceClient
from ._credentials import ENV_API_KEY, ENV_API_SECRET, ENV_PRIVATE_KEY_FILE, ENV_PRIVATE_KEY_PASSPHRASE
from ._errors import BinanceAPIError, BinanceConfigError, BinanceMarginError, BinanceValidationError
from ._observe import CallRecord
from ._options import DEFAULT_TIMEOUT
from ._version import __version__

_DESCRIPTION = f"""Call Binance's margin endpoints, signed; JSON on stdout.

Credentials: {ENV_API_KEY} with {ENV_API_SECRET}, or {ENV_PRIVATE_KEY_FILE} (+ {ENV_PRIVATE_KEY_PASSPHRASE}).
Hosts: --base-url / --futures-base-url, or {ENV_BASE_URL} / {ENV_FUTURES_BASE_URL} (give both, or
--allow-default-hosts), or --testnet for USD-M futures (Binance has no margin test net).
Exit status: 0 success; 1 failed, not executed; 2 a usage, configuration or validation error (nothing
was sent); 3 a POST whose outcome is unknown (it may have executed: check before running it again);
130 interrupted, nothing executed. The 6-hour guard outlives one run only with a shared --storage-uri
(Redis)."""


def _enum(operation_id: str, parameter: str) -> dict[str, Any]:
    """An enum argument: its values from the spec, accepted in any case, sent upper-case."""
    found = OPERATIONS[operation_id].parameter(parameter)
    assert found is not None and found.enum is not None, f"{operation_id}.{parameter} has no enum in the spec"
    return {"type": _upper_ascii, "choices": found.enum, "metavar": "{" + ",".join(found.enum) + "}"}


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options every command takes, before or after its name."""
    group = parser.add_argument_group("global options (before or after the command)")

    def option(flag: str, default: Any, **settings: Any) -> None:
        # On the subcommands the defaults are SUPPRESS: a value given before the command name is kept.
        group.add_argument(flag, default=default if defaults else argparse.SUPPRESS, **settings)

    option("--base-url", None, help=f"SAPI base URL (default: ${ENV_BASE_URL}, else Binance's)")
    option(
        "--futures-base-url", None, help=f"FAPI base URL (default: ${ENV_FUTURES_BASE_URL}, else Binance's)"
    )
    option("--testnet", False, action="store_true", help="futures calls to Binance's USD-M futures test net")
    option("--allow-default-hosts", False, action="store_true", help="a family without a URL goes to Binance")
    option(
        "--recv-window",
        SIGNING.recv_window_default,
        type=int,
        metavar="MS",
        help=f"at most {SIGNING.recv_window_maximum} (default {SIGNING.recv_window_default})",
    )
    option(
        "--timeout",
        DEFAULT_TIMEOUT,
        type=float,
        metavar="S",
        help=f"deadline per whole answer (default {DEFAULT_TIMEOUT:g})",
    )
    option("--show-weight", False, action="store_true", help="print each bucket's used weight on stderr")
    option("--time-sync", False, action="store_true", help="sync with Binance's server time before signing")
    option(
        "--storage-uri",
        "memory://",
        metavar="URI",
        help="budgets and the 6-hour guard (e.g. redis://h:6379/0)",
    )


_COMMANDS = {
    "coin-list": (
        "getSmallLiabilityExchangeCoinList",
        "list the coins eligible for small liability exchange",
    ),
    "exchange-small-liability": (
        "smallLiabilityExchange",
        "exchange the small liabilities of the given coins",
    ),
    "manual-liquidation": ("marginManualLiquidation", "liquidate a margin account"),
    "margin-type": ("changeMarginType", "set a USD-M futures symbol's margin type"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="binance-margin", description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub: dict[str, argparse.ArgumentParser] = {}
    for name, (operation_id, summary) in _COMMANDS.items():
        operation = OPERATIONS[operation_id]
        weight = f"weight {operation.weight}, {operation.weight_kind}"
        described = f"{summary}: {operation.method} {operation.path} ({weight})."
        sub[name] = commands.add_parser(name, help=summary, description=described)
        _global_options(sub[name], defaults=False)
    assets = OPERATIONS["smallLiabilityExchange"].parameter("assetNames")
    assert assets is not None
    sub["exchange-small-liability"].add_argument(
        "assets", nargs="+", metavar="ASSET", help=f"a coin such as BTC (1 to {assets.max_items}, distinct)"
    )
    liquidation = sub["manual-liquidation"]
    liquidation.add_argument(
        "--type",
        required=True,
        help="which margin account (any case)",
        **_enum("marginManualLiquidation", "type"),
    )
    liquidation.add_argument("--symbol", help="the isolated symbol (required for ISOLATED)")
    margin_type = sub["margin-type"]
    margin_type.add_argument("symbol", metavar="SYMBOL", help="a USD-M futures symbol such as BTCUSDT")
    margin_type.add_argument(
        "margin_type", help="the margin type (any case)", **_enum("changeMarginType", "marginType")
    )
    margin_type.add_argument(
        "--ensure",
        action="store_true",
        help="succeed when the symbol already has the margin type; "
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
        _say(f"{header}: {usage.used} (limit {usage.limit}, {usage.bucket}, {source})", prefix="")


def _upper_ascii(value: str) -> str:
    # ASCII only: str.upper folds "ı" (dotless i) or "ſ" (long s) into I or S, which are no case of the value.
    return value.upper() if value.isascii() else value


def _say(message: str, prefix: str = "binance-margin: ") -> None:
    """A line on stderr. A stderr that cannot be written (closed, a full disk) never changes the exit
    status: that says what the call did."""
    if sys.stderr is not None:
        try:
            print(prefix + message, file=sys.stderr, flush=True)
        except (OSError, ValueError):
            _silence(sys.stderr)


def _dumps(value: Any) -> str:
    # simplejson writes Decimal amounts as JSON numbers with their exact digits; the standard library cannot.
    import simplejson

    # ignore_nan: a NaN or Infinity the answer held (JSON has none) is written as null, not a ValueError
    # after the call executed.
    return str(simplejson.dumps(value, use_decimal=True, ensure_ascii=False, ignore_nan=True))


def _is_post(options: argparse.Namespace) -> bool:
    return OPERATIONS[_COMMANDS[options.command][0]].method == "POST"


def _interrupted(records: Sequence[CallRecord], options: argparse.Namespace) -> int:
    """Ctrl-C: 3 when a POST may have executed (or did), else 130 (the shell's code for it). Every
    attempt of the run counts: `--ensure` may be interrupted in a resend after an unknown first try."""
    outcomes = {record.outcome for record in records} if _is_post(options) else set()
    if outcomes & {"unknown", "ok"}:
        _say(
            "interrupted after the call executed"
            if "ok" in outcomes
            else "interrupted; the outcome is unknown (it may have executed)"
        )
        return 3
    _say("interrupted; nothing executed")
    return 130


def _write_result(value: Any, options: argparse.Namespace) -> int:
    """The JSON on stdout, UTF-8 whatever the locale (RFC 8259; a lone surrogate as its JSON escape). A
    POST's result that cannot be written (a closed pipe or stdout, a full disk) still executed: 3, never
    1, so nobody runs it again unawares."""
    line = (_dumps(value) + "\n").encode("utf-8", "backslashreplace")
    try:
        stream = sys.stdout
        if stream is None:
            raise OSError("stdout is closed")
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is None:  # a text-only stream an embedding program put there
            stream.write(line.decode())
            stream.flush()
        else:
            buffer.write(line)
            buffer.flush()
    except (OSError, ValueError) as error:  # ValueError: a closed file
        _silence(sys.stdout)
        executed = "; the call executed: do not run it again" if _is_post(options) else ""
        _say(f"the result could not be written to stdout ({error}){executed}")
        return 3 if _is_post(options) else 1
    return 0


def _silence(stream: TextIO | None) -> None:
    """Point a stream that failed at /dev/null: the interpreter's own flush at exit would fail again,
    print a traceback and exit 120. (ValueError: no file descriptor behind it, nothing to flush.)"""
    if stream is not None:
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    records: list[CallRecord] = []
    try:
        with BinanceClient.from_env(
            base_url=options.base_url,
            futures_base_url=options.futures_base_url,
            testnet=options.testnet,
            allow_default_hosts=options.allow_default_hosts,
            recv_window=options.recv_window,
            timeout=options.timeout,
            time_sync=options.time_sync,
            storage_uri=options.storage_uri,
            on_call=records.append,
        ) as client:
            try:
                result = _run(client, options)
            finally:
                if options.show_weight:
                    _print_weight(client.last_call)
        return _write_result(result, options)
    except KeyboardInterrupt:
        return _interrupted(records, options)
    except BinanceMarginError as error:
        if isinstance(error, BinanceAPIError):
            what = f"error {error.code}" if error.code is not None else f"HTTP {error.status}"
            _say(f"{what}: {error.message} ({error})")
        else:
            _say(str(error))
        if isinstance(error, BinanceConfigError | BinanceValidationError):
            return 2
        return 3 if getattr(error, "outcome_unknown", False) else 1


if __name__ == "__main__":
    raise SystemExit(main())
