"""`binance-margin-mock`: serve the local Binance and print the demo credentials it accepts."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from ._extra import extra_message, missing_module
from ._scenario import DEFAULT_SCENARIO, Scenario, ScenarioError, check_window_seconds, load_scenario
from ._version import distribution_version

# Exit status when the `mock` extra is not installed, the scenario is malformed or the address cannot be
# bound (as for a usage error: nothing was started).
EXIT_MISSING_EXTRA = 2
EXIT_NOT_STARTED = 2


def _window_seconds(text: str) -> float:
    value = float(text)
    try:
        check_window_seconds("it", value)  # the scenario's own rule
    except ScenarioError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0 to 65535; 0 picks a free one)")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="binance-margin-mock", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {distribution_version()}")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=_port, default=8765, help="port (0: pick a free one; default 8765)")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario file (.toml/.json)")
    parser.add_argument(
        "--window-seconds", type=_window_seconds, help="shorten every rate-limit window to this"
    )
    parser.add_argument(
        "--log-level", type=str.lower, default="warning", help="uvicorn log level (default: warning)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:  # the server's modules need the `mock` extra; --help and --version do not
        from uvicorn.config import LOG_LEVELS

        from ._app import create_app
        from ._server import listen, make_server
    except ModuleNotFoundError as error:
        missing = missing_module(error)
        if missing is None:
            raise
        print(extra_message(missing), file=sys.stderr)
        return EXIT_MISSING_EXTRA
    if args.log_level not in LOG_LEVELS:  # checked before the banner says the mock is listening
        parser.error(f"argument --log-level: {args.log_level!r} is not one of {', '.join(LOG_LEVELS)}")

    try:
        scenario = load_scenario(args.scenario)
        if args.window_seconds is not None:
            scenario = dataclasses.replace(scenario, window_seconds=args.window_seconds)
        app = create_app(scenario)  # loads the keys: one that does not load is a ScenarioError
        sock = listen(args.host, args.port)
    except (ScenarioError, OSError) as error:  # a malformed scenario; the port in use
        print(f"binance-margin-mock: {error}", file=sys.stderr)
        return EXIT_NOT_STARTED
    host, port = sock.getsockname()[:2]
    base_url = f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"
    print(banner(base_url, scenario, args.scenario), flush=True)
    make_server(app, log_level=args.log_level).run(sockets=[sock])
    return 0


def banner(base_url: str, scenario: Scenario, source: Path) -> str:
    """What the CLI prints; the first line is stable: tests and scripts parse it."""
    from ._control import PREFIX

    lines = [
        f"binance-margin-mock listening on {base_url}",
        f"scenario: {source}",
        "demo credentials (PUBLIC, for this mock only):",
    ]
    for account in scenario.accounts:
        for key in account.keys:
            secret = (
                f"secret {key.secret}"
                if key.secret
                else f"private key {key.private_key_file or '(not named in the scenario)'}"
            )
            lines.append(f"  account {account.account_id} {key.kind:<7} api key {key.api_key}  {secret}")
    lines.append(f"control endpoints: {base_url}{PREFIX}/{{state,clock,faults,reset}}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
