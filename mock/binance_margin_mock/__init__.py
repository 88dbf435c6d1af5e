"""The local Binance: a faithful mock of the endpoints binance-margin covers."""
