"""Turns spec/openapi.yaml into generated_client/ and checks that the two (and Binance's docs) agree."""
