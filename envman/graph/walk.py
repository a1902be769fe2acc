"""Run a function over graph nodes, each after its upstreams, independent ones in parallel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from envman.graph.model import Edges, topo_order

T = TypeVar("T")


@dataclass
class WalkResult(Generic[T]):
    done: dict[str, T] = field(default_factory=dict)  # node -> its result, in finishing order
    failed: dict[str, BaseException] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # never started: an upstream failed


def walk(
    edges: Edges, nodes: list[str], step: Callable[[str], T], parallel: int = 2
) -> WalkResult[T]:
    """Call ``step(node)`` for every node once all its upstreams among ``nodes`` finished,
    at most ``parallel`` at a time. After a failure nothing new starts; the running steps
    finish. KeyboardInterrupt stops scheduling and is raised once the running steps end."""
    order = topo_order(edges, nodes)
    wanted = set(order)
    result: WalkResult[T] = WalkResult()
    running: dict[Future[T], str] = {}
    stop: BaseException | None = None
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        while True:
            if stop is None and not result.failed:
                for node in _ready(order, edges, wanted, result, running):
                    if len(running) >= max(1, parallel):
                        break
                    running[pool.submit(step, node)] = node
            if not running:
                break
            try:
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            except KeyboardInterrupt as exc:
                stop = exc
                continue
            for future in finished:
                node = running.pop(future)
                error = future.exception()
                if error is None:
                    result.done[node] = future.result()
                else:
                    result.failed[node] = error
    started = set(result.done) | set(result.failed)
    result.skipped = [n for n in order if n not in started]
    if stop is not None:
        raise stop
    return result


def _ready(
    order: list[str],
    edges: Edges,
    wanted: set[str],
    result: WalkResult[T],
    running: Mapping[Future[T], str],
) -> list[str]:
    busy = set(running.values()) | set(result.done) | set(result.failed)
    return [
        node
        for node in order
        if node not in busy and all(u in result.done for u in edges.get(node, ()) if u in wanted)
    ]
