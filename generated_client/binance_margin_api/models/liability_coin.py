from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field


T = TypeVar("T", bound="LiabilityCoin")


@_attrs_define
class LiabilityCoin:
    """One coin's liability.

    Attributes:
        asset (str):
        interest (str): Decimal as a string.
        principal (str): Decimal as a string.
        liability_asset (str):
        liability_qty (float):
    """

    asset: str
    interest: str
    principal: str
    liability_asset: str
    liability_qty: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asset = self.asset

        interest = self.interest

        principal = self.principal

        liability_asset = self.liability_asset

        liability_qty = self.liability_qty

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "asset": asset,
                "interest": interest,
                "principal": principal,
                "liabilityAsset": liability_asset,
                "liabilityQty": liability_qty,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        asset = d.pop("asset")

        interest = d.pop("interest")

        principal = d.pop("principal")

        liability_asset = d.pop("liabilityAsset")

        liability_qty = d.pop("liabilityQty")

        liability_coin = cls(
            asset=asset,
            interest=interest,
            principal=principal,
            liability_asset=liability_asset,
            liability_qty=liability_qty,
        )

        liability_coin.additional_properties = d
        return liability_coin

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
