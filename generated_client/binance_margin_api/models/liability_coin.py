from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from decimal import Decimal

from .._exact import decimal_from_json, decimal_to_json_string, json_value


T = TypeVar("T", bound="LiabilityCoin")


@_attrs_define
class LiabilityCoin:
    """One coin's liability.

    Attributes:
        asset (str):
        interest (Decimal): Decimal as a string.
        principal (Decimal): Decimal as a string.
        liability_asset (str):
        liability_qty (Decimal):
    """

    asset: str
    interest: Decimal
    principal: Decimal
    liability_asset: str
    liability_qty: Decimal
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asset = self.asset

        interest = decimal_to_json_string(self.interest)

        principal = decimal_to_json_string(self.principal)

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
        asset = json_value(d.pop("asset"), str, "asset")

        interest = decimal_from_json(d.pop("interest"), "interest")

        principal = decimal_from_json(d.pop("principal"), "principal")

        liability_asset = json_value(d.pop("liabilityAsset"), str, "liabilityAsset")

        liability_qty = decimal_from_json(d.pop("liabilityQty"), "liabilityQty")

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
