from enum import StrEnum


class MarginAccountType(StrEnum):
    ISOLATED = "ISOLATED"
    MARGIN = "MARGIN"

    def __str__(self) -> str:
        return str(self.value)
