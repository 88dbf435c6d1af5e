from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.binance_error import BinanceError
from ...models.liability_coin import LiabilityCoin
from ...models.margin_account_type import MarginAccountType
from ...types import Unset


def _get_kwargs(
    *,
    type_: MarginAccountType,
    symbol: str | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    json_type_ = type_.value
    params["type"] = json_type_

    params["symbol"] = symbol

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/sapi/v1/margin/manual-liquidation",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BinanceError | LiabilityCoin | list[LiabilityCoin] | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> LiabilityCoin | list[LiabilityCoin]:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = LiabilityCoin.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            response_200_type_1 = []
            _response_200_type_1 = data
            for response_200_type_1_item_data in _response_200_type_1:
                response_200_type_1_item = LiabilityCoin.from_dict(
                    response_200_type_1_item_data
                )

                response_200_type_1.append(response_200_type_1_item)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = BinanceError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = BinanceError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = BinanceError.from_dict(response.json())

        return response_403

    if response.status_code == 418:
        response_418 = BinanceError.from_dict(response.json())

        return response_418

    if response.status_code == 429:
        response_429 = BinanceError.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = BinanceError.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = BinanceError.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[BinanceError | LiabilityCoin | list[LiabilityCoin]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    type_: MarginAccountType,
    symbol: str | Unset = UNSET,
) -> Response[BinanceError | LiabilityCoin | list[LiabilityCoin]]:
    """Margin Manual Liquidation (MARGIN)

     Liquidate the cross margin account (type MARGIN) or one isolated symbol (type ISOLATED, symbol
    required). Supports Cross Margin Classic Mode and Pro Mode; Isolated Margin only for restricted
    regions.

    Args:
        type_ (MarginAccountType): Which margin account to liquidate.
        symbol (str | Unset): A Binance symbol, such as BTCUSDT (non-ASCII symbols exist).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | LiabilityCoin | list[LiabilityCoin]]
    """

    kwargs = _get_kwargs(
        type_=type_,
        symbol=symbol,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    type_: MarginAccountType,
    symbol: str | Unset = UNSET,
) -> BinanceError | LiabilityCoin | list[LiabilityCoin] | None:
    """Margin Manual Liquidation (MARGIN)

     Liquidate the cross margin account (type MARGIN) or one isolated symbol (type ISOLATED, symbol
    required). Supports Cross Margin Classic Mode and Pro Mode; Isolated Margin only for restricted
    regions.

    Args:
        type_ (MarginAccountType): Which margin account to liquidate.
        symbol (str | Unset): A Binance symbol, such as BTCUSDT (non-ASCII symbols exist).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | LiabilityCoin | list[LiabilityCoin]
    """

    return sync_detailed(
        client=client,
        type_=type_,
        symbol=symbol,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    type_: MarginAccountType,
    symbol: str | Unset = UNSET,
) -> Response[BinanceError | LiabilityCoin | list[LiabilityCoin]]:
    """Margin Manual Liquidation (MARGIN)

     Liquidate the cross margin account (type MARGIN) or one isolated symbol (type ISOLATED, symbol
    required). Supports Cross Margin Classic Mode and Pro Mode; Isolated Margin only for restricted
    regions.

    Args:
        type_ (MarginAccountType): Which margin account to liquidate.
        symbol (str | Unset): A Binance symbol, such as BTCUSDT (non-ASCII symbols exist).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | LiabilityCoin | list[LiabilityCoin]]
    """

    kwargs = _get_kwargs(
        type_=type_,
        symbol=symbol,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    type_: MarginAccountType,
    symbol: str | Unset = UNSET,
) -> BinanceError | LiabilityCoin | list[LiabilityCoin] | None:
    """Margin Manual Liquidation (MARGIN)

     Liquidate the cross margin account (type MARGIN) or one isolated symbol (type ISOLATED, symbol
    required). Supports Cross Margin Classic Mode and Pro Mode; Isolated Margin only for restricted
    regions.

    Args:
        type_ (MarginAccountType): Which margin account to liquidate.
        symbol (str | Unset): A Binance symbol, such as BTCUSDT (non-ASCII symbols exist).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | LiabilityCoin | list[LiabilityCoin]
    """

    return (
        await asyncio_detailed(
            client=client,
            type_=type_,
            symbol=symbol,
        )
    ).parsed
