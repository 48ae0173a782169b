"""Recipes and packages as a dependency graph, condensed into components (the things
the planner places; docs/planner.md#components).

Placement rules:
- a package needed (explicitly or as a dependency) by one recipe lands with that recipe;
- a package needed by several recipes lands with the one of them that all the others
  require (it is below them anyway); failing that it joins a *shared* component, one per set of
  recipes needing it, which must sit in the same or a lower layer than each of them;
- packages listed in the image's `base_packages` are the base's and are not planned;
- package dependency cycles (real distributions have them) are condensed into one component.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..config.catalog import Catalog
from ..config.recipe import Recipe
from ..errors import Problems
from . import graph
from .graph import Graph


@dataclass(frozen=True)
class Component:
    """The smallest thing the planner places: all of it goes into one layer. Ids:
    `recipe:NAME`, `shared:A+B`, `pkg:NAME`, `cycle:ID+ID` (or a package name with --all)."""

    id: str
    recipes: tuple[str, ...]
    packages: tuple[str, ...]
    size: int
    rate: float  # changes per year
    deps: tuple[str, ...] = ()  # ids of components that must sit in the same or a lower layer


def check_requires(recipes: Mapping[str, Recipe], problems: Problems) -> Graph:
    """Recipe -> required recipe graph; unknown recipes and cycles are problems."""
    g: Graph = {name: {} for name in sorted(recipes)}
    for name in sorted(recipes):
        for i, req in enumerate(recipes[name].requires):
            label = f"recipes/{name}.toml"
            if req not in recipes:
                problems.add(f"{label}: requires[{i + 1}]", f"unknown recipe {req!r}")
            else:
                graph.add_edge(g, name, req)
    path = graph.find_cycle(g)
    if path is not None:
        problems.add(f"recipes/{path[0]}.toml: requires",
                     "recipe cycle: " + " → ".join(path))
    return g


def package_graph(catalog: Catalog | None, names: Iterable[str] = ()) -> Graph:
    g: Graph = {}
    if catalog is not None:
        for p in catalog.packages.values():
            graph.add_node(g, p.name)
            for d in p.depends:
                graph.add_edge(g, p.name, d)
    for name in names:
        graph.add_node(g, name)
    return g


def recipe_components(recipes: Mapping[str, Recipe], catalog: Catalog | None,
                      base_packages: Iterable[str] = (), split: bool = False) -> list[Component]:
    """Components of an image's recipes. Raises LayerkitError on bad input.

    split: every package the catalog knows becomes a component of its own (`pkg:NAME`,
    still attributed to its recipe); for the independent model, where nothing forces a
    recipe's packages into one layer. The recipe's component keeps what the catalog
    does not know."""
    problems = Problems()
    req = check_requires(recipes, problems)
    problems.raise_if_any()
    base = set(base_packages)
    pkgs = package_graph(catalog, (p for r in recipes.values() for p in r.packages))
    closure = {name: _closure(pkgs, r.packages, base) for name, r in recipes.items()}
    needers: dict[str, set[str]] = {}
    for name, owned in closure.items():
        for p in owned:
            needers.setdefault(p, set()).add(name)
    below = {n: graph.descendants(req, n) for n in recipes}  # recipes n requires, transitively
    groups: dict[tuple[str, ...], set[str]] = {}
    for p, who in needers.items():
        groups.setdefault(_owner(who, below), set()).add(p)

    if split and catalog is not None:
        known = {p for ps in groups.values() for p in ps if p in catalog.packages}
        split_off = {p: key for key, ps in groups.items() for p in ps if p in known}
        groups = {key: ps - known for key, ps in groups.items()}
    else:
        split_off = {}
    members: dict[str, tuple[tuple[str, ...], set[str]]] = {}
    for name, r in recipes.items():
        if r.installs or groups.get((name,)):
            members[f"recipe:{name}"] = ((name,), groups.get((name,), set()))
    for key, ps in groups.items():
        if len(key) > 1 and ps:
            members["shared:" + "+".join(key)] = ((), ps)
    for p, key in sorted(split_off.items()):
        members[f"pkg:{p}"] = (key if len(key) == 1 else (), {p})

    owner_of = {p: uid for uid, (_, ps) in members.items() for p in ps}
    g: Graph = {uid: {} for uid in members}
    for uid, (rs, ps) in members.items():
        for p in ps:
            for d in pkgs[p]:
                if d in owner_of and owner_of[d] != uid:
                    graph.add_edge(g, uid, owner_of[d])
        for r in rs:
            for q in recipes[r].requires:
                if f"recipe:{q}" in members:
                    graph.add_edge(g, uid, f"recipe:{q}")
    for key in groups:
        if len(key) > 1 and "shared:" + "+".join(key) in members:
            for r in key:
                if f"recipe:{r}" in members:
                    graph.add_edge(g, f"recipe:{r}", "shared:" + "+".join(key))

    def measure(uids: list[str]) -> tuple[int, float]:
        known = [p for uid in uids for p in members[uid][1]
                 if catalog is not None and p in catalog.packages]
        size, rate = _catalog_measure(catalog, known)
        # a recipe's estimate covers what no catalog knows; its recipe component carries it
        carriers = [uid[len("recipe:"):] for uid in uids if uid.startswith("recipe:")]
        for r in carriers:
            # packages by URL or replaced from a repository: no catalog knows them
            named = recipes[r].packages + recipes[r].rpms + \
                tuple(p for rep in recipes[r].replace for p in rep.packages)
            unknown = [p for p in named if catalog is None or p not in catalog.packages]
            if unknown or not named:
                est_size, est_rate = recipes[r].size, recipes[r].rate
                label = f"recipes/{r}.toml"
                what = (f"the catalog does not know {', '.join(unknown)}" if catalog and unknown
                        else "no catalog gives sizes and rates")
                if est_size is None and named:
                    problems.add(f"{label}: size", f"required: {what}")
                if est_rate is None and named:
                    problems.add(f"{label}: update", f"required: {what}")
                size += est_size or 0
                rate += est_rate or 0.0
        return size, rate

    components = _condense(g, members, measure)
    problems.raise_if_any()
    return components


def catalog_components(catalog: Catalog) -> list[Component]:
    """Every catalog package as its own component (dependency cycles condensed)."""
    g = package_graph(catalog)
    members = {p: ((), {p}) for p in g}
    return _condense(g, members, lambda uids: _catalog_measure(catalog, uids))


def _closure(pkgs: Graph, roots: Iterable[str], base: set[str]) -> set[str]:
    out: set[str] = set()
    stack = [p for p in roots if p not in base]
    while stack:
        p = stack.pop()
        if p in out:
            continue
        out.add(p)
        stack.extend(d for d in pkgs[p] if d not in base and d not in out)
    return out


def _owner(who: set[str], below: Mapping[str, set[str]]) -> tuple[str, ...]:
    for r in sorted(who):
        if all(r == o or r in below[o] for o in who):
            return (r,)
    return tuple(sorted(who))


def _catalog_measure(catalog: Catalog | None, names: Iterable[str]) -> tuple[int, float]:
    """Size and rate of packages that change together by source package."""
    if catalog is None:
        return 0, 0.0
    size, by_source = 0, {}
    for n in names:
        p = catalog.packages[n]
        size += p.size
        by_source[p.source] = max(by_source.get(p.source, 0.0), catalog.rate(n))
    return size, sum(by_source.values())


def _condense(g: Graph, members, measure) -> list[Component]:
    """Merge dependency cycles; return components in a deterministic topological order."""
    sccs = [sorted(c) for c in graph.strongly_connected(g)]
    comp_of = {n: i for i, c in enumerate(sccs) for n in c}
    ids = [c[0] if len(c) == 1 else "cycle:" + "+".join(c) for c in sccs]
    dag: list[dict[int, None]] = [{} for _ in sccs]  # component -> what it depends on
    for u, vs in g.items():
        cu = comp_of[u]
        for v in vs:
            if comp_of[v] != cu:
                dag[cu][comp_of[v]] = None
    # dependencies first; ties by id so the same input always gives the same order
    order = graph.dependencies_first(dag, key=lambda i: ids[i])
    out = []
    for i in order:
        size, rate = measure(sccs[i])
        recipes, packages = [], []
        for uid in sccs[i]:
            recipes.extend(members[uid][0])
            packages.extend(members[uid][1])
        deps = sorted(ids[j] for j in dag[i])
        out.append(Component(ids[i], tuple(sorted(recipes)), tuple(sorted(packages)),
                             size, rate, tuple(deps)))
    return out
