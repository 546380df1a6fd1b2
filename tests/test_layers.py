"""Imports flow one way: api -> search -> indexer -> parser -> store -> models -> vocab. This test keeps it so."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "evsearch"
ORDER = ["vocab", "models", "store", "parser", "indexer", "search", "api"]  # each layer may import only those before it


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in found if name.startswith("evsearch.") and name.count(".") >= 1}


def test_layers_import_only_downwards() -> None:
    wrong = []
    for layer in ORDER:
        allowed = set(ORDER[: ORDER.index(layer) + 1])
        for path in sorted((SRC / layer).rglob("*.py")):
            for target in _imports(path) & set(ORDER):
                if target not in allowed:
                    wrong.append(f"{path.relative_to(SRC)} imports evsearch.{target}")
    assert not wrong, "\n".join(wrong)


def test_there_is_code_in_every_layer() -> None:
    for layer in ORDER:
        assert len(list((SRC / layer).rglob("*.py"))) >= 3, layer


def test_no_attribute_probes_in_src() -> None:
    """Interfaces declare what callers use and records are typed, so nothing guesses with getattr/hasattr."""
    probes = [
        f"{path.relative_to(SRC)}:{node.lineno} {node.func.id}"
        for path in sorted(SRC.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
    ]
    assert probes == []
