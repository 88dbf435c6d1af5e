"""The spec says what Binance documents. The per-operation facts are also checked against the doc pages
(tests/docs_check); the spec-wide ones (limits, used-weight headers, recvWindow, IP bans, hosts, test
nets, server time, the error table) appear on no operation's page, so nothing else would notice a typo
in them. The values below are copied by hand from the team's reference of Binance's documentation
(binance-facts.md, checked 2026-12-01), deliberately not from the spec: this is the one place that
restates them, to catch the spec drifting from the docs."""

from __future__ import annotations

from binance_margin_api.spec_metadata import (
    API_FAMILIES,
    ERROR_CODES,
    IP_BANS,
    OPERATIONS,
    RATE_LIMITS,
    SIGNING,
    MaxItems,
    MaxLiabilityValue,
    OncePerInterval,
    RequiredIf,
)


def test_the_rate_limits_and_their_used_weight_headers() -> None:
    buckets = {
        name: (limit.limit, limit.interval_seconds, limit.counted_by, limit.used_weight_header)
        for name, limit in RATE_LIMITS.items()
    }
    assert buckets == {
        "sapi-ip": (12000, 60, "IP", "X-SAPI-USED-IP-WEIGHT-1M"),
        "sapi-uid": (180000, 60, "UID", "X-SAPI-USED-UID-WEIGHT-1M"),
        "api-ip": (6000, 60, "IP", "X-MBX-USED-WEIGHT-1M"),
        "fapi-ip": (2400, 60, "IP", "X-MBX-USED-WEIGHT-1M"),
    }
    # SAPI counts each endpoint on its own; /api and FAPI share one budget per IP.
    assert {name: limit.scope for name, limit in RATE_LIMITS.items()} == {
        "sapi-ip": "endpoint",
        "sapi-uid": "endpoint",
        "api-ip": "shared",
        "fapi-ip": "shared",
    }


def test_signing_recv_window_and_ip_bans() -> None:
    assert (SIGNING.api_key_header, SIGNING.timestamp_parameter, SIGNING.signature_parameter) == (
        "X-MBX-APIKEY",
        "timestamp",
        "signature",
    )
    assert (SIGNING.recv_window_parameter, SIGNING.recv_window_default, SIGNING.recv_window_maximum) == (
        "recvWindow",
        5000,
        60000,
    )
    assert (IP_BANS.shortest_seconds, IP_BANS.longest_seconds) == (2 * 60, 3 * 24 * 3600)


def test_hosts_test_nets_server_time_and_timestamp_units() -> None:
    families = {
        name: (
            family.path_prefix,
            family.server,
            family.testnet_server,
            family.server_time.path,
            family.server_time.weight,
            family.server_time.rate_limit,
            family.timestamp_units,
        )
        for name, family in API_FAMILIES.items()
    }
    assert families == {
        "sapi": ("/sapi/", "https://api.binance.com", None, "/api/v3/time", 1, "api-ip", ("ms", "us")),
        "fapi": (
            "/fapi/",
            "https://fapi.binance.com",
            "https://testnet.binancefuture.com",
            "/fapi/v1/time",
            1,
            "fapi-ip",
            ("ms",),
        ),
    }
    # Binance's 10xx codes whose text says the execution status is unknown (-1000 "unknown error").
    assert {name: family.unknown_outcome_codes for name, family in API_FAMILIES.items()} == {
        "sapi": (-1000, -1006, -1007),
        "fapi": (-1000, -1006, -1007),
    }
    fapi = API_FAMILIES["fapi"]
    assert fapi.unknown_outcome_messages == ("Unknown error, please check your request or try again later.",)
    assert set(fapi.not_executed_messages) == {
        "Service Unavailable.",
        "Internal error; unable to process your request. Please try again.",
    }


def test_the_error_table_has_every_documented_code_in_its_families() -> None:
    documented = {
        -1003: {"all"},
        -1006: {"all"},
        -1007: {"all"},
        -1021: {"all"},
        -1022: {"all"},
        -1100: {"all"},
        -1101: {"all"},
        -1102: {"all"},
        -1121: {"all"},
        -1130: {"all"},
        -1131: {"sapi"},
        -2014: {"all"},
        -2015: {"all"},
        -3003: {"sapi"},
        -3026: {"sapi"},
        -3045: {"sapi"},
        -4046: {"sapi", "fapi"},
        -4047: {"sapi", "fapi"},
        -4048: {"fapi"},
        -4067: {"fapi"},
        -4168: {"fapi"},
    }
    assert {code: set(ERROR_CODES.get(code, {})) for code in documented} == documented
    # Same code, other meaning per family: the table must not merge them.
    assert "already set" in ERROR_CODES[-4046]["fapi"] and "Agreement" in ERROR_CODES[-4046]["sapi"]
    assert "open orders" in ERROR_CODES[-4047]["fapi"] and "0-7 days" in ERROR_CODES[-4047]["sapi"]
    assert "Multi-Assets" in ERROR_CODES[-4168]["fapi"]


def test_the_four_operations_and_their_rules() -> None:
    operations = {
        (op.method, op.path): (op.server, op.weight, op.weight_kind, op.security_type)
        for op in OPERATIONS.values()
    }
    assert operations == {
        ("GET", "/sapi/v1/margin/exchange-small-liability"): (
            "https://api.binance.com",
            100,
            "IP",
            "USER_DATA",
        ),
        ("POST", "/sapi/v1/margin/exchange-small-liability"): (
            "https://api.binance.com",
            3000,
            "UID",
            "MARGIN",
        ),
        ("POST", "/sapi/v1/margin/manual-liquidation"): ("https://api.binance.com", 3000, "UID", "MARGIN"),
        ("POST", "/fapi/v1/marginType"): ("https://fapi.binance.com", 1, "IP", "TRADE"),
    }
    exchange = OPERATIONS["smallLiabilityExchange"]
    rules = {type(rule): rule for rule in exchange.rules}
    max_items, below, once = rules[MaxItems], rules[MaxLiabilityValue], rules[OncePerInterval]
    assert isinstance(max_items, MaxItems) and max_items.maximum == 10
    assert isinstance(below, MaxLiabilityValue) and (below.asset, below.below) == ("USDT", 10)
    assert isinstance(once, OncePerInterval) and once.interval_seconds == 6 * 3600
    (required,) = OPERATIONS["marginManualLiquidation"].rules
    assert isinstance(required, RequiredIf)
    assert (required.parameter, required.when_parameter, required.when_value) == (
        "symbol",
        "type",
        "ISOLATED",
    )
    enums = {
        (op.operation_id, parameter.name): parameter.enum
        for op in OPERATIONS.values()
        for parameter in op.parameters
        if parameter.enum is not None
    }
    assert enums == {
        ("marginManualLiquidation", "type"): ("MARGIN", "ISOLATED"),
        ("changeMarginType", "marginType"): ("ISOLATED", "CROSSED"),
    }
