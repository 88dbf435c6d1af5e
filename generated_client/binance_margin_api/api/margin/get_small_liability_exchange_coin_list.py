from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response
from ... import errors

from ...models.binance_error import BinanceError
from ...models.liability_coin import LiabilityCoin


def _get_kwargs() -> dict[str, Any]:
    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sapi/v1/margin/exchange-small-liability",
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> BinanceError | list[LiabilityCoin] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = LiabilityCoin.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[BinanceError | list[LiabilityCoin]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[BinanceError | list[LiabilityCoin]]:
    """Get Small Liability Exchange Coin List (USER_DATA)

     Query the coins which can be small liability exchange.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | list[LiabilityCoin]]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> BinanceError | list[LiabilityCoin] | None:
    """Get Small Liability Exchange Coin List (USER_DATA)

     Query the coins which can be small liability exchange.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | list[LiabilityCoin]
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[BinanceError | list[LiabilityCoin]]:
    """Get Small Liability Exchange Coin List (USER_DATA)

     Query the coins which can be small liability exchange.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BinanceError | list[LiabilityCoin]]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> BinanceError | list[LiabilityCoin] | None:
    """Get Small Liability Exchange Coin List (USER_DATA)

     Query the coins which can be small liability exchange.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BinanceError | list[LiabilityCoin]
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
