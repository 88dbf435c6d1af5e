from enum import StrEnum


class FuturesMarginType(StrEnum):
    CROSSED = "CROSSED"
    ISOLATED = "ISOLATED"

    def __str__(self) -> str:
        return str(self.value)
