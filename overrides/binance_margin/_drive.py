"""The two drivers of the call engine: they carry out its steps, and decide nothing.

A sender's reply (an `Answer` or a `TransportFailure`) goes back into the flow as a value. An exception
while carrying out a step (a storage error, an interruption, a cancelled task) is thrown into the flow at
that step, so the engine settles the guard and the record before it propagates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ._engine import Flow, Offload, Send, Sleep
from ._timesync import Clock
from ._wire import Reply, WireRequest

T = TypeVar("T")


class SyncSender(Protocol):
    def send(self, request: WireRequest) -> Reply: ...

    def close(self) -> None: ...


class AsyncSender(Protocol):
    async def send(self, request: WireRequest) -> Reply: ...

    async def aclose(self) -> None: ...


def run(flow: Flow[T], sender: SyncSender, clock: Clock) -> T:
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.send(value) if error is None else flow.throw(error)
        except StopIteration as stop:
            result: T = stop.value
            return result
        value, error = None, None
        try:
            if type(step) is Send:
                value = sender.send(step.request)
            elif type(step) is Sleep:
                clock.sleep(step.seconds)
            else:
                assert type(step) is Offload
                value = step.action()
        except BaseException as raised:
            error = raised


def on_asyncio() -> bool:
    """Whether the running event loop is asyncio's (trio, through anyio, has none)."""
    import asyncio  # only async callers pay for it (~13 ms of import time)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _in_thread(action: Callable[[], T]) -> T:
    """Blocking storage I/O off the event loop (asyncio's thread pool, or anyio's elsewhere)."""
    if on_asyncio():
        import asyncio

        return await asyncio.to_thread(action)
    import anyio

    return await anyio.to_thread.run_sync(action)


async def arun(flow: Flow[T], sender: AsyncSender, clock: Clock) -> T:
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.send(value) if error is None else flow.throw(error)
        except StopIteration as stop:
            result: T = stop.value
            return result
        value, error = None, None
        try:
            if type(step) is Send:
                value = await sender.send(step.request)
            elif type(step) is Sleep:
                await clock.asleep(step.seconds)
            else:
                assert type(step) is Offload
                value = await _in_thread(step.action)
        except BaseException as raised:
            error = raised
