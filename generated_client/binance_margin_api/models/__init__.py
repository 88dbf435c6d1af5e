"""Contains all the data models used in inputs/outputs"""

from .binance_error import BinanceError
from .code_message import CodeMessage
from .futures_margin_type import FuturesMarginType
from .liability_coin import LiabilityCoin
from .margin_account_type import MarginAccountType

__all__ = (
    "BinanceError",
    "CodeMessage",
    "FuturesMarginType",
    "LiabilityCoin",
    "MarginAccountType",
)
