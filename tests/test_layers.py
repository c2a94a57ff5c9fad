"""Haven's modules import each other without cycles, except the GraphQL type graph.

A ticket shows its comments and a comment its ticket: Strawberry types (and the resolvers
that build them) refer to each other, lazily or from inside a resolver. Every other cycle ties
modules that should stand in layers. The layers themselves are import-linter's contracts in
pyproject.toml; its acyclic contract is between sibling packages, which those same types
cannot keep, so cycles between modules are checked here."""

import grimp

# Modules of the GraphQL type graph: they may import each other in a cycle.
TYPE_GRAPH = {"types", "resolvers"}


def _in_type_graph(module: str) -> bool:
    return module.rpartition(".")[2] in TYPE_GRAPH


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The shortest cycle through each import that closes one outside the type graph, each
    cycle once, starting from its first module by name."""
    cycles: set[tuple[str, ...]] = set()
    for importer in graph.modules:
        if _in_type_graph(importer):
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                loop = [importer, *back[:-1]]
                first = loop.index(min(loop))
                cycles.add((*loop[first:], *loop[:first], loop[first]))
    return [list(cycle) for cycle in sorted(cycles)]


def test_no_module_is_in_an_import_cycle_outside_the_type_graph() -> None:
    cycles = _cycles(grimp.build_graph("app", cache_dir=None))
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_a_cycle_is_found_unless_it_is_all_types_and_resolvers() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [
        ("app.tickets.types", "app.comments.types"),
        ("app.comments.types", "app.tickets.types"),
        ("app.tickets.service", "app.comments.service"),
        ("app.comments.service", "app.tickets.types"),
        ("app.tickets.types", "app.tickets.service"),
    ]:
        graph.add_import(importer=importer, imported=imported)
    assert _cycles(graph) == [
        ["app.comments.service", "app.tickets.types", "app.tickets.service", "app.comments.service"]
    ]
