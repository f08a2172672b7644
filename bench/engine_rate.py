"""Engine benchmark: message rate against bare simpy, and cost per order as load grows.

Run by hand or with ``make bench``. Prints ratios against a baseline measured in the same run, so
the figures compare like with like on whatever machine runs them. Goals (issue 3): the engine,
tracing every message to memory, keeps at least 1/3 of bare simpy's request/response rate, and the
cost per order stays flat from small to large workloads.

Cost per order is measured twice: with the trace kept in memory (what tests and the CLI summary
do) and streamed as JSON lines to a file (what a large run should do: ``--trace-out``). Keeping
hundreds of thousands of records in memory costs more per order as the run grows (the memory
they take, not the engine); streaming keeps the cost flat.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Generator
from typing import Any

import simpy

from lso_sim.architecture import Architecture, DomainKind, Role
from lso_sim.engine import Actor, ChannelSpec, Constant, MemoryTrace, Simulation
from lso_sim.messages import Flow
from lso_sim.scenarios import load_scenario, run_scenario
from lso_sim.scenarios.schema import Scenario
from lso_sim.trace.jsonl import JsonlTraceWriter


def bare_simpy(exchanges: int) -> float:
    """Messages per second of two simpy processes doing request/response through Stores."""
    env = simpy.Environment()
    to_server: simpy.Store = simpy.Store(env)
    to_client: simpy.Store = simpy.Store(env)

    def deliver(store: simpy.Store, item: Any) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(0.01)
        yield store.put(item)

    def client() -> Generator[simpy.Event, Any, None]:
        for i in range(exchanges):
            env.process(deliver(to_server, i))
            yield to_client.get()

    def server() -> Generator[simpy.Event, Any, None]:
        while True:
            item = yield to_server.get()
            env.process(deliver(to_client, item))

    env.process(client())
    env.process(server())
    start = time.perf_counter()
    env.run()
    return 2 * exchanges / (time.perf_counter() - start)


def lso_engine(exchanges: int) -> float:
    """Messages per second of two lso-sim actors doing request/response, traced to memory."""
    arch = Architecture()
    arch.add_domain("cus", DomainKind.CUSTOMER)
    arch.add_domain("sp", DomainKind.PROVIDER)
    arch.add_actor("cus", Role.CUSTOMER, "cus")
    arch.add_actor("bus", Role.BUS_SP, "sp")
    trace = MemoryTrace()
    sim = Simulation(arch, 1, default_channel=ChannelSpec(Constant(0.01)), observers=[trace])
    client = Actor(sim, arch.actor("cus"))
    server = Actor(sim, arch.actor("bus"))
    server.on("ping", lambda msg: server.respond(msg, 200, msg.payload))
    flow = Flow("bench", "b")

    def loop() -> Generator[simpy.Event, Any, None]:
        for i in range(exchanges):
            yield from client.request("bus", "ping", i, flow=flow, step="1")

    sim.env.process(loop())
    start = time.perf_counter()
    sim.run()
    elapsed = time.perf_counter() - start
    assert len(trace.records) == 2 * exchanges
    return 2 * exchanges / elapsed


def per_order_cost(base: Scenario, orders: int, *, stream: bool = False) -> float:
    """Wall seconds per 10.2 order for a generated workload of ``orders`` orders.

    ``stream``: write the trace as JSON lines to the null device instead of keeping it in memory.
    """
    data = base.model_dump(mode="json")
    for link in data["topology"]["links"]:
        link["capacity_mbps"] = 1e9
    for customer in data["customers"]:
        for site in customer["sites"]:
            site["capacity_mbps"] = 1e9
    data["workload"] = [
        {"thread": "10.2", "generate": {"count": orders, "interarrival": 60, "bandwidth_mbps": [10]}}
    ]
    data.pop("expect", None)
    scenario = Scenario.model_validate(data)
    # The previous run's world is cyclic garbage; collect it now, not inside this measurement.
    gc.collect()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        observer = JsonlTraceWriter(sink) if stream else MemoryTrace()
        start = time.perf_counter()
        result = run_scenario(scenario, [observer])
        elapsed = time.perf_counter() - start
    done = sum(o.state == "completed" for o in result.world.outcomes.values())
    assert done == orders, f"{orders - done} orders did not complete"
    return elapsed / orders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exchanges", type=int, default=50_000)
    parser.add_argument("--orders", type=int, nargs="+", default=[100, 1000, 5000])
    args = parser.parse_args()

    bare = max(bare_simpy(args.exchanges) for _ in range(3))
    ours = max(lso_engine(args.exchanges) for _ in range(3))
    print(f"bare simpy request/response : {bare:12,.0f} messages/s")
    print(f"lso-sim engine, traced      : {ours:12,.0f} messages/s")
    print(f"ratio engine / bare simpy   : {ours / bare:12.2f}  (goal >= 0.33)")

    base = load_scenario("scenarios/thread-10.2.yaml")
    for stream in (False, True):
        where = "streamed to JSONL" if stream else "kept in memory   "
        costs = {n: per_order_cost(base, n, stream=stream) for n in args.orders}
        first = costs[args.orders[0]]
        for n, cost in costs.items():
            ratio = cost / first
            figures = f"{cost * 1e3:8.2f} ms/order  ratio to the first: {ratio:5.2f}"
            print(f"10.2 orders {n:>7,}, trace {where}: {figures}")


if __name__ == "__main__":
    main()
