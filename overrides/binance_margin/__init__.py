"""binance-margin: a typed client for Binance's margin endpoints that signs exactly what it sends.

The operations, weights and rules come from the OpenAPI spec through the generated `binance_margin_api`
package; this package adds signing, validation, routing, typed errors and the CLI around it.
"""

from ._auth import BinanceAuth
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
from ._errors import (
    BinanceAPIError,
    BinanceConfigError,
    BinanceIPBannedError,
    BinanceMarginError,
    BinanceRateLimitError,
    BinanceResponseError,
    BinanceServerError,
    BinanceTransportError,
    BinanceValidationError,
    BinanceWaitRefused,
)

__all__ = [
    "BinanceAPIError",
    "BinanceAuth",
    "BinanceClient",
    "BinanceConfigError",
    "BinanceIPBannedError",
    "BinanceMarginError",
    "BinanceRateLimitError",
    "BinanceResponseError",
    "BinanceServerError",
    "BinanceTransportError",
    "BinanceValidationError",
    "BinanceWaitRefused",
    "Credentials",
    "Ed25519Credentials",
    "HmacCredentials",
    "RsaCredentials",
    "credentials_from_env",
    "encode_pairs",
    "percent_encode",
    "private_key_credentials",
    "signed_query",
]
