"""binance-margin: a typed client for Binance's margin endpoints that signs exactly what it sends.

The operations, weights and rules come from the OpenAPI spec through the generated `binance_margin_api`
package. This package runs every call through one engine (ARCHITECTURE.md): validation, signing, routing,
typed errors, and the production behaviour: weight budgets shared through `limits` storage (memory or
Redis), server-time sync, safe retries, the once-per-6-hours guard, idempotent helpers, call records and
logging (docs/production.md); and the CLI.
"""

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
from ._options import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_WAIT
from ._retry import RetryPolicy
from ._timesync import Clock, SystemClock
from ._version import __version__

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_WAIT",
    "BinanceAPIError",
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
    "MarginTypeResult",
    "RetryPolicy",
    "RsaCredentials",
    "SystemClock",
    "__version__",
    "credentials_from_env",
    "encode_pairs",
    "percent_encode",
    "private_key_credentials",
    "signed_query",
]
