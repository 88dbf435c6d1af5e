"""binance-margin: a typed client for Binance's margin endpoints that signs exactly what it sends.

The operations, weights and rules come from the OpenAPI spec through the generated `binance_margin_api`
package; this package adds signing, validation, routing, typed errors and the CLI around it, and the
production behaviour: weight budgets shared through `limits` storage (memory or Redis), server-time sync,
safe retries, the once-per-6-hours guard, idempotent helpers, call records and logging (docs/production.md).
"""

from typing import TYPE_CHECKING

from ._auth import BinanceAuth
from ._budget import Bucket, Budget
from ._client import BinanceClient
from ._credentials import (
    Credentials,
    Ed25519Credentials,
    HmacCredentials,
    RsaCredentials,
    credentials_from_env,
    private_key_credentials,
)
from ._encoding import encode_pairs, percent_encode, signed_query
from ._ensure import MarginTypeResult
from ._errors import (
    BinanceAPIError,
    BinanceConfigError,
    BinanceCooldownError,
    BinanceIPBannedError,
    BinanceMarginError,
    BinanceRateLimitError,
    BinanceResponseError,
    BinanceServerError,
    BinanceStorageError,
    BinanceTransportError,
    BinanceValidationError,
    BinanceWaitRefused,
)
from ._observe import BucketUsage, CallRecord
from ._retry import RetryPolicy
from ._timesync import Clock, SystemClock
from ._transport import HttpClientTransport

if TYPE_CHECKING:
    from ._async_transport import AsyncStreamTransport


def __getattr__(name: str) -> object:
    # The async transport pulls in asyncio (~13 ms): load it on first use (PEP 562).
    if name == "AsyncStreamTransport":
        from ._async_transport import AsyncStreamTransport

        return AsyncStreamTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "AsyncStreamTransport",
    "BinanceAPIError",
    "BinanceAuth",
    "BinanceClient",
    "BinanceConfigError",
    "BinanceCooldownError",
    "BinanceIPBannedError",
    "BinanceMarginError",
    "BinanceRateLimitError",
    "BinanceResponseError",
    "BinanceServerError",
    "BinanceStorageError",
    "BinanceTransportError",
    "BinanceValidationError",
    "BinanceWaitRefused",
    "Bucket",
    "BucketUsage",
    "Budget",
    "CallRecord",
    "Clock",
    "Credentials",
    "Ed25519Credentials",
    "HmacCredentials",
    "HttpClientTransport",
    "MarginTypeResult",
    "RetryPolicy",
    "RsaCredentials",
    "SystemClock",
    "credentials_from_env",
    "encode_pairs",
    "percent_encode",
    "private_key_credentials",
    "signed_query",
]
