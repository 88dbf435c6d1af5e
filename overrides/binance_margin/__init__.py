"""binance-margin: a typed, signed client for Binance margin endpoints."""
