from http import HTTPStatus
from typing import Any, cast

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.binance_error import BinanceError


def _get_kwargs(
    *,
    asset_names: list[str],
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    json_asset_names = asset_names

    params["assetNames"] = json_asset_names

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/sapi/v1/margin/exchange-small-liability",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | BinanceError | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
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
) -> Response[Any | BinanceError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    asset_names: list[str],
) -> Response[Any | BinanceError]:
    """Small Liability Exchange (MARGIN)

     Exchange the small liabilities of the given coins.

    Args:
        asset_names (list[str]): The assets list of small liability exchange, sent as one comma-
            joined value (assetNames=BTC,ETH).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | BinanceError]
    """

    kwargs = _get_kwargs(
        asset_names=asset_names,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    asset_names: list[str],
) -> Any | BinanceError | None:
    """Small Liability Exchange (MARGIN)

     Exchange the small liabilities of the given coins.

    Args:
        asset_names (list[str]): The assets list of small liability exchange, sent as one comma-
            joined value (assetNames=BTC,ETH).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | BinanceError
    """

    return sync_detailed(
        client=client,
        asset_names=asset_names,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    asset_names: list[str],
) -> Response[Any | BinanceError]:
    """Small Liability Exchange (MARGIN)

     Exchange the small liabilities of the given coins.

    Args:
        asset_names (list[str]): The assets list of small liability exchange, sent as one comma-
            joined value (assetNames=BTC,ETH).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | BinanceError]
    """

    kwargs = _get_kwargs(
        asset_names=asset_names,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    asset_names: list[str],
) -> Any | BinanceError | None:
    """Small Liability Exchange (MARGIN)

     Exchange the small liabilities of the given coins.

    Args:
        asset_names (list[str]): The assets list of small liability exchange, sent as one comma-
            joined value (assetNames=BTC,ETH).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | BinanceError
    """

    return (
        await asyncio_detailed(
            client=client,
            asset_names=asset_names,
        )
    ).parsed
