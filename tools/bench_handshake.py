"""How long the meshtastic library needs to connect to an emulated node (TCP and pty).

Prints a table: the library's own constructor (``TCPInterface``, ``SerialInterface``:
connect, the whole config handshake) and noodrelay's adapter ``start()`` (the same plus
the answered first heartbeat), median and max over ``--runs`` connections, on the
village scenario's hub (7 peers in its node database).

Run: ``python tools/bench_handshake.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from relay.emulator.mesh import EmulatedMesh
from relay.radio.meshtastic_adapter import MeshtasticTransport
from relay.radio.meshtastic_link import SerialEndpoint, TcpEndpoint
from relay.sim.scenario import load_scenario


async def _in_thread(fn: Callable[[], Any]) -> Any:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()

    def run() -> None:
        result = fn()
        loop.call_soon_threadsafe(done.set_result, result)

    threading.Thread(target=run).start()
    return await done


async def _library(make: Callable[[], Any]) -> float:
    start = time.perf_counter()
    iface = await _in_thread(make)
    elapsed = time.perf_counter() - start
    while iface.queueStatus is None:  # first heartbeat answered: safe to close
        await asyncio.sleep(0.01)
    await _in_thread(iface.close)
    return elapsed


async def _adapter(endpoint: TcpEndpoint | SerialEndpoint) -> float:
    transport = MeshtasticTransport(endpoint)
    start = time.perf_counter()
    await transport.start()
    elapsed = time.perf_counter() - start
    await transport.close()
    return elapsed


async def _measure(runs: int, case: Callable[[], Awaitable[float]]) -> list[float]:
    return [await case() for _ in range(runs)]


async def main(runs: int) -> None:
    from meshtastic.serial_interface import SerialInterface
    from meshtastic.tcp_interface import TCPInterface

    async with EmulatedMesh(load_scenario("village"), serial=["hub"]) as mesh:
        hub = mesh["hub"]
        port, path = hub.tcp_port, hub.serial_path
        cases: dict[str, Callable[[], Awaitable[float]]] = {
            "library TCPInterface": lambda: _library(
                lambda: TCPInterface("127.0.0.1", portNumber=port)
            ),
            "library SerialInterface (pty)": lambda: _library(
                lambda: SerialInterface(devPath=path)
            ),
            "adapter start() tcp://": lambda: _adapter(TcpEndpoint("127.0.0.1", port)),
            "adapter start() serial://": lambda: _adapter(SerialEndpoint(path)),
        }
        print(f"{'connection':<32} {'median ms':>10} {'max ms':>8}  ({runs} runs each)")
        for name, case in cases.items():
            times = await _measure(runs, case)
            print(f"{name:<32} {statistics.median(times) * 1000:>10.0f} {max(times) * 1000:>8.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    asyncio.run(main(parser.parse_args().runs))
