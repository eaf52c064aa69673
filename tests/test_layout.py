"""The house's rules, checked on the source: floors, no import circles, no borrowed private names.

``FLOORS`` is the map of docs/architecture.md: a module imports only from its own floor or the
floors below it, never from above; no chain of imports comes back to where it started (inside
``extract/`` too); no module takes an underscored name from another; and no test module imports
another test module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pqcheck"

FLOORS = {
    1: [
        "records",
        "vocabulary",
        "departments",
        "speakers",
        "periods",
        "figures",
        "text",
        "http",
        "errors",
        "progress",
        "cache",
        "outputs",
        "jsonsafe",
        "data",
    ],
    2: ["sources", "extract", "db"],
    3: ["classify", "match"],
    4: [
        "checkpoints",
        "sync",
        "importer",
        "questions",
        "foi",
        "foi_ocr",
        "check",
        "contributions",
        "hansard_sync",
        "run_config",
    ],
    5: ["pairs", "explain", "evidence", "provenance"],
    6: ["report", "feed", "search", "review", "datasette_metadata"],
    7: ["web", "terminal", "demo", "watch"],
    8: ["cli", "__main__"],
}
FLOOR_OF = {name: floor for floor, names in FLOORS.items() for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for each pqcheck import in the file."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == "pqcheck" or target.startswith("pqcheck."):
                names = [alias.name for alias in node.names]
                submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules()]
                found += [(sub, []) for sub in submodules]
                found.append((target, [n for n in names if f"{target}.{n}" not in submodules]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names if alias.name.startswith("pqcheck")]
    return found


def floor(module: str) -> int | None:
    parts = module.split(".")
    return FLOOR_OF.get(parts[1]) if len(parts) > 1 else None


def test_every_module_has_a_floor():
    unplaced = [name for name in modules() if name != "pqcheck" and floor(name) is None]
    assert not unplaced, f"add these to FLOORS (and to docs/architecture.md): {unplaced}"


def test_no_module_imports_from_a_floor_above_it():
    upward = []
    for name, path in modules().items():
        for target, _ in imports(name, path):
            if floor(name) is not None and floor(target) is not None and floor(target) > floor(name):
                upward.append(f"{name} (floor {floor(name)}) imports {target} (floor {floor(target)})")
    assert not upward, "\n".join(upward)


def test_no_module_takes_a_private_name_from_another():
    borrowed = []
    for name, path in modules().items():
        for target, names in imports(name, path):
            if target != name:
                borrowed += [
                    f"{name} imports {target}.{n}" for n in names if n.startswith("_") and not n.startswith("__")
                ]
    assert not borrowed, "\n".join(borrowed)


def test_no_import_circle():
    graph = {
        name: {t for t, _ in imports(name, path) if t in modules() and t != name} for name, path in modules().items()
    }
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not circles, "\n".join(circles)


@pytest.mark.parametrize("path", sorted((ROOT / "tests").rglob("*.py")), ids=lambda p: p.name)
def test_no_test_module_imports_another(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    taken = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1].startswith("test_")
    ]
    assert not taken, f"{path.name} imports from {taken}: move what they share to tests/support/"


def test_the_map_names_every_module():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if f"`{path.relative_to(PACKAGE).as_posix()}`" not in text
    ]
    assert not missing, f"docs/architecture.md does not describe {missing}"
