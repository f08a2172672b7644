"""Imports flow one way: each package of lso_sim imports only from the layers listed below it.

The order is the one docs/architecture.md draws; a new upward import (the engine reaching for a
thread, a reader of traces reaching for the CLI) fails here with the file that made it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lso_sim"

LAYERS: list[set[str]] = [
    {"errors"},
    {"architecture", "topology", "lifecycle", "telemetry"},
    {"messages"},
    {"engine", "trace", "conformance"},
    {"actors"},
    {"sonata"},
    {"threads"},
    {"expect", "invariants"},
    {"scenarios"},
    {"replay", "report", "diagrams"},
    {"sweep"},
    {"viewer"},
    {"serve"},
    {"probe"},
    {"cli", "pytest_plugin"},
    {"__main__"},
]
"""Bottom first; a package imports only from layers below its own."""

RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


def _imports() -> list[tuple[Path, str, str]]:
    found: list[tuple[Path, str, str]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        source = parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")
        if source == "__init__":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lso_sim."):
                target = node.module.split(".")[1]
                if target != source:
                    found.append((path, source, target))
    return found


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert (packages | modules) - set(RANK) == set()


def test_imports_point_down() -> None:
    imports = _imports()
    assert len(imports) > 100  # the walk really found the package's imports
    upward = [
        f"{path.relative_to(PACKAGE.parent)}: {source} imports {target}"
        for path, source, target in imports
        if RANK.get(target, len(LAYERS)) >= RANK[source]
    ]
    assert upward == []
