from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.binance_error import BinanceError
from ...models.code_message import CodeMessage
from ...models.futures_margin_type import FuturesMarginType


def _get_kwargs(
    *,
    symbol: str,
    margin_type: FuturesMarginType,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    params["symbol"] = symbol

    json_margin_type = margin_type.value
    params["marginType"] = json_margin_type

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/fapi/v1/marginType",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BinanceError | CodeMessage | None:
    if response.status_code == 200:
        response_200 = CodeMessage.from_dict(response.json())

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
) -> Response[BinanceError | CodeMessage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    symbol: str,
    margin_type: FuturesMarginType,
) -> Response[BinanceError | CodeMessage]:
    """Change Margin Type (TRADE)

     Change symbol level margin type (USD-M futures).

    Args:
        symbol (str): A Binance symbol, such as BTCUSDT (non-ASCII symbols exist).
        margin_type (FuturesMarginType): USD-M futures margin type.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | CodeMessage]
    """

    kwargs = _get_kwargs(
        symbol=symbol,
        margin_type=margin_type,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    symbol: str,
    margin_type: FuturesMarginType,
) -> BinanceError | CodeMessage | None:
    """Change Margin Type (TRADE)

     Change symbol level margin type (USD-M futures).

    Args:
        symbol (str): A Binance symbol, such as BTCUSDT (non-ASCII symbols exist).
        margin_type (FuturesMarginType): USD-M futures margin type.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | CodeMessage
    """

    return sync_detailed(
        client=client,
        symbol=symbol,
        margin_type=margin_type,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    symbol: str,
    margin_type: FuturesMarginType,
) -> Response[BinanceError | CodeMessage]:
    """Change Margin Type (TRADE)

     Change symbol level margin type (USD-M futures).

    Args:
        symbol (str): A Binance symbol, such as BTCUSDT (non-ASCII symbols exist).
        margin_type (FuturesMarginType): USD-M futures margin type.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | CodeMessage]
    """

    kwargs = _get_kwargs(
        symbol=symbol,
        margin_type=margin_type,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    symbol: str,
    margin_type: FuturesMarginType,
) -> BinanceError | CodeMessage | None:
    """Change Margin Type (TRADE)

     Change symbol level margin type (USD-M futures).

    Args:
        symbol (str): A Binance symbol, such as BTCUSDT (non-ASCII symbols exist).
        margin_type (FuturesMarginType): USD-M futures margin type.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | CodeMessage
    """

    return (
        await asyncio_detailed(
            client=client,
            symbol=symbol,
            margin_type=margin_type,
        )
    ).parsed
