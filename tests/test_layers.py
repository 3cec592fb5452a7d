"""Imports flow one way (STYLE.md, "Layout"): every project module is parsed, and its imports,
at module level or inside a function, may reach only its own layer and the layers below it,
and never close a cycle."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: a module may import from its own layer and the layers before it. A name claims
# a package or a module; the longest name that matches a module wins (so `cobudget.money` is
# core and `cobudget.urls` is wiring). Two apps in one layer are peers and may not import each
# other, unless the pair (importer, imported) is in PEER_IMPORTS. A new app gets its place here.
LAYERS = [
    ("core", ["cobudget.errors", "cobudget.money", "cobudget.markdown", "cobudget.mail", "cobudget.hotsql",
              "cobudget.cache", "cobudget.drf", "cobudget.pages", "cobudget.confirm", "cobudget.middleware",
              "cobudget.api", "cobudget.health", "cobudget.context_processors", "cobudget.search", "cobudget.dates",
              "cobudget.typography", "cobudget.events", "cobudget.csvsafe", "cobudget.converters",
              "cobudget.clientip"]),
    ("audit", ["audit"]),
    ("groups", ["groups"]),
    ("notifications", ["notifications"]),
    ("buckets", ["buckets"]),
    # Money after funding; results' exports and the completion of a bucket read it.
    ("expenses", ["expenses"]),
    ("allocations", ["allocations"]),
    ("proposals", ["proposals"]),
    ("results", ["results"]),
    ("meetings", ["meetings"]),
    ("integrations", ["integrations"]),
    ("trust", ["trust"]),
    # settings, urls, views, celery, authentication, wsgi/asgi: what puts the apps together
    ("wiring", ["cobudget"]),
    ("demo", ["demo"]),
    ("bench", ["bench"]),
]
PEER_IMPORTS: set[tuple[str, str]] = set()

SKIPPED_DIRS = {"tests", "migrations", "templates", "static", "staticfiles", "locale", "node_modules"}


def project_sources(root: Path = ROOT) -> dict[str, tuple[str, bool]]:
    """module name -> (source, is a package), for every package at the repository root."""
    sources = {}
    for top in sorted(root.iterdir()):
        if not top.is_dir() or top.name.startswith(".") or top.name in SKIPPED_DIRS:
            continue
        if not (top / "__init__.py").exists() and not (top / "apps.py").exists():
            continue
        for path in sorted(top.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if SKIPPED_DIRS.intersection(parts[:-1]):
                continue
            package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if package else parts)
            sources[name] = (path.read_text(), package)
    return sources


def app_folders(root: Path = ROOT) -> list[str]:
    return sorted(path.parent.name for path in root.glob("*/apps.py"))


def _known(name: str, modules) -> str | None:
    """The project module an imported name lands in (its longest known prefix), if any."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(name: str, source: str, package: bool, modules) -> list[tuple[str, int]]:
    """(imported project module, line) for every import statement, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = name if package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    parent = parent.rpartition(".")[0]
                base = f"{parent}.{base}" if base else parent
            # `from a import b` imports the module a.b when there is one, else a name of a.
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            module = _known(target, modules)
            if module is not None and module != name:
                found.append((module, node.lineno))
    return found


def layer_of(module: str, layers=LAYERS) -> tuple[int, str] | None:
    """(rank, the name in the layers that claims it)."""
    best = None
    for rank, (_, names) in enumerate(layers):
        for claimed in names:
            if (module == claimed or module.startswith(claimed + ".")) and (best is None or len(claimed) > len(best[1])):
                best = (rank, claimed)
    return best


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a path back to its start) per strongly connected component (Tarjan)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []
    counter = [0]

    def visit(start):
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(set(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    cycles = []
    for component in components:
        start = min(component)
        paths = {start: [start]}
        queue = [start]
        while queue:  # the shortest way round, from start back to start, inside the component
            node = queue.pop(0)
            for child in sorted(graph[node] & component):
                if child == start:
                    cycles.append(paths[node] + [start])
                    queue = []
                    break
                if child not in paths:
                    paths[child] = paths[node] + [child]
                    queue.append(child)
    return cycles


def problems(sources: dict[str, tuple[str, bool]], apps: list[str], layers=LAYERS, peer_imports=PEER_IMPORTS) -> list[str]:
    found = []
    listed = {claimed.split(".")[0] for _, names in layers for claimed in names}
    for app in apps:
        if app not in listed:
            found.append(f"{app} has no layer: add {app} to LAYERS in tests/test_layers.py")
    graph: dict[str, set[str]] = {}
    for name, (source, package) in sorted(sources.items()):
        mine = layer_of(name, layers)
        if mine is None:
            top = name.split(".")[0]
            message = f"{top} has no layer: add {top} to LAYERS in tests/test_layers.py"
            if message not in found:
                found.append(message)
            continue
        graph.setdefault(name, set())
        for target, line in imports_of(name, source, package, sources):
            graph[name].add(target)
            theirs = layer_of(target, layers)
            if theirs is None:
                continue
            where = f"{name} (line {line}) imports {target}"
            if theirs[0] > mine[0]:
                found.append(f"{where}: layer {layers[theirs[0]][0]} is above {layers[mine[0]][0]}")
            elif (theirs[0] == mine[0] and name.split(".")[0] != target.split(".")[0]
                  and (name.split(".")[0], target.split(".")[0]) not in peer_imports):
                found.append(f"{where}: peers in layer {layers[mine[0]][0]} do not import each other")
    for cycle in _cycles(graph):
        found.append("import cycle: " + " -> ".join(cycle) + " (move the shared piece down)")
    return found


def test_imports_flow_one_way_without_a_cycle():
    assert problems(project_sources(), app_folders()) == []


def _added(sources, apps, *args) -> list[str]:
    """The problems that the added modules (or apps) bring, beside any the project has."""
    before = set(problems(project_sources(), app_folders(), *args))
    return [problem for problem in problems(sources, apps, *args) if problem not in before]


def test_a_climbing_import_inside_a_function_is_refused():
    sources = project_sources()
    sources["allocations.extra"] = ("def close():\n    from proposals import services\n", False)
    assert _added(sources, app_folders()) == [
        "allocations.extra (line 2) imports proposals.services: layer proposals is above allocations"
    ]


def test_a_cycle_broken_by_an_import_inside_a_function_is_refused():
    sources = project_sources()
    sources["results.first"] = ("from results import second\n", False)
    sources["results.second"] = ("def later():\n    from results.first import x\n", False)
    assert _added(sources, app_folders()) == [
        "import cycle: results.first -> results.second -> results.first (move the shared piece down)"
    ]


def test_peers_do_not_import_each_other():
    peers = [layer for layer in LAYERS if layer[0] != "proposals"]
    peers[[name for name, _ in peers].index("allocations")] = ("allocations, proposals", ["allocations", "proposals"])
    sources = project_sources()
    sources["proposals.extra"] = ("from allocations.models import Envelope\n", False)
    assert _added(sources, app_folders(), peers) == [
        "proposals.extra (line 1) imports allocations.models: peers in layer allocations, proposals "
        "do not import each other"
    ]
    assert _added(sources, app_folders(), peers, {("proposals", "allocations")}) == []


def test_an_app_missing_from_the_layers_is_named():
    sources = project_sources()
    sources["ledgerbook.services"] = ("from groups.models import User\n", False)
    assert _added(sources, [*app_folders(), "ledgerbook"]) == [
        "ledgerbook has no layer: add ledgerbook to LAYERS in tests/test_layers.py"]
