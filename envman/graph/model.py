"""Pure graph operations over component names: cycles, order, closures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Edges = Mapping[str, Iterable[str]]  # node -> its upstreams


def find_cycle(edges: Edges) -> list[str] | None:
    """One cycle as the list of its nodes in dependency order (a needs b needs ... a),
    or None. Nodes are visited in the mapping's order, so the answer is stable."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for upstream in edges.get(node, ()):
            if state.get(upstream) == 1:
                return path[path.index(upstream) :]
            if upstream in edges and upstream not in state:
                found = visit(upstream)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in edges:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def topo_order(edges: Edges, nodes: Iterable[str] | None = None) -> list[str]:
    """``nodes`` (default all) upstreams first; ties keep the mapping's order."""
    wanted = list(edges) if nodes is None else [n for n in edges if n in set(nodes)]
    done: set[str] = set()
    order: list[str] = []
    while len(order) < len(wanted):
        progressed = False
        for node in wanted:
            if node in done:
                continue
            if all(u in done or u not in wanted for u in edges.get(node, ())):
                order.append(node)
                done.add(node)
                progressed = True
        if not progressed:
            raise ValueError("the graph has a cycle")
    return order


def upstream_closure(edges: Edges, nodes: Iterable[str]) -> set[str]:
    """``nodes`` and everything they depend on."""
    seen: set[str] = set()
    todo = list(nodes)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen


def downstream_closure(edges: Edges, nodes: Iterable[str]) -> set[str]:
    """``nodes`` and everything that depends on them."""
    return upstream_closure(reverse_edges(edges), nodes)


def levels(edges: Edges, nodes: Iterable[str] | None = None) -> list[list[str]]:
    """Nodes grouped by depth: each group depends only on earlier groups."""
    order = topo_order(edges, nodes)
    depth: dict[str, int] = {}
    for node in order:
        ups = [depth[u] for u in edges.get(node, ()) if u in depth]
        depth[node] = 1 + max(ups) if ups else 0
    grouped: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in order:
        grouped[depth[node]].append(node)
    return grouped


def reverse_edges(edges: Edges) -> dict[str, tuple[str, ...]]:
    """node -> the nodes that depend on it (to walk dependents first)."""
    reverse: dict[str, list[str]] = {node: [] for node in edges}
    for node, ups in edges.items():
        for up in ups:
            reverse.setdefault(up, []).append(node)
    return {node: tuple(downs) for node, downs in reverse.items()}
