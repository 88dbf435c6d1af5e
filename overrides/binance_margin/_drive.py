"""The two drivers of the call engine: they carry out its steps, and decide nothing.

Each request goes to the sender that `sender()` returns at that step: a client closed during the call
refuses it inside the flow, where it is recorded like any other failure. A sender's reply (an `Answer`
or a `TransportFailure`) goes back into the flow as a value. An exception while carrying out a step (a
storage error, an interruption, a cancelled task) is thrown into the flow at that step, so the engine
settles the guard and the record before it propagates. A storage operation is never abandoned half-way:
a task cancelled during one is cancelled at the flow's next step, once the flow has its result.
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


def run(flow: Flow[T], sender: Callable[[], SyncSender], clock: Clock) -> T:
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
                value = sender().send(step.request)
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


async def arun(flow: Flow[T], sender: Callable[[], AsyncSender], clock: Clock) -> T:
    value: Any = None
    error: BaseException | None = None
    held: BaseException | None = None  # a cancellation that came during a storage operation
    while True:
        try:
            step = flow.send(value) if error is None else flow.throw(error)
        except StopIteration as stop:
            if held is not None:
                raise held from None
            result: T = stop.value
            return result
        except BaseException:
            if held is not None:
                raise held  # noqa: B904 (the flow's own error stays attached as the context)
            raise
        value, error = None, None
        if held is not None:  # the storage operation is done: now the cancellation, at this step
            error, held = held, None
            continue
        try:
            if type(step) is Send:
                value = await sender().send(step.request)
            elif type(step) is Sleep:
                await clock.asleep(step.seconds)
            else:
                assert type(step) is Offload
                if on_asyncio():
                    # Blocking storage I/O on asyncio's thread pool, run to its end: a cancellation
                    # meanwhile is held back, to be handed on at the flow's next step (a claim or keep of
                    # the guard abandoned half-way would leave it taken with no one to settle it).
                    import asyncio  # only async callers pay for it (~13 ms of import time)

                    task = asyncio.ensure_future(asyncio.to_thread(step.action))
                    while not task.done():
                        try:
                            await asyncio.wait((task,))
                        except asyncio.CancelledError as cancelled:
                            held = cancelled
                    value = task.result()
                else:  # anyio (trio): shielded, so that a cancelled scope does not skip the step
                    import anyio

                    with anyio.CancelScope(shield=True):
                        value = await anyio.to_thread.run_sync(step.action)
        except BaseException as raised:
            error = raised
