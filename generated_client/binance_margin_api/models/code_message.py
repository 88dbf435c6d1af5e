from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field
from .._exact import json_value


T = TypeVar("T", bound="CodeMessage")


@_attrs_define
class CodeMessage:
    """Futures acknowledgement, {"code":200,"msg":"success"} (a negative code is a BinanceError).

    Attributes:
        code (int):
        msg (str):
    """

    code: int
    msg: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        msg = self.msg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "msg": msg,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = json_value(d.pop("code"), int, "code")

        msg = json_value(d.pop("msg"), str, "msg")

        code_message = cls(
            code=code,
            msg=msg,
        )

        code_message.additional_properties = d
        return code_message

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
