"""The layers of docs/design.md, checked on the source: imports point down, never up.

Parsed with :mod:`ast` (no imports run), so a violation names the file and the line.
``TYPE_CHECKING`` blocks count too: a cycle hidden there is still a cycle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "relay"

#: package -> packages it must never import (the layers above it, and its own radio
#: neighbours where the design keeps them apart).
EVERY_LAYER = {
    "link",
    "wire",
    "engine",
    "radio",
    "sim",
    "emulator",
    "store",
    "federation",
    "daemon",
    "web",
    "cli",
    "report",
    "export",
}
FORBIDDEN = {
    "csvfile": EVERY_LAYER,  # a leaf helper, like errors
    "waits": EVERY_LAYER,
    "link": {
        "engine",
        "radio",
        "sim",
        "emulator",
        "store",
        "federation",
        "daemon",
        "web",
        "cli",
        "wire",
        "report",
    },
    "wire": {
        "engine",
        "radio",
        "sim",
        "emulator",
        "store",
        "federation",
        "daemon",
        "web",
        "cli",
        "demo",
        "report",
        "export",
    },
    "engine": {
        "radio",
        "sim",
        "emulator",
        "store",
        "federation",
        "daemon",
        "web",
        "cli",
        "demo",
        "report",
        "export",
    },
    "sim": {"radio", "store", "federation", "daemon", "web", "cli", "demo", "report", "export"},
    "store": {"federation", "daemon", "web", "cli", "demo", "report", "export"},
    # Exports read the store's records and write other systems' formats; the CLI and the
    # screens call them, never the other way round.
    "export": {"daemon", "web", "cli", "demo", "report", "radio", "sim", "emulator", "federation"},
    # Federation over MQTT sits above the store (its outbox is there), below the daemon.
    "federation": {"daemon", "web", "cli", "demo", "report", "export"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def _sources(layer: str) -> list[Path]:
    single = PACKAGE / f"{layer}.py"
    return [single] if single.exists() else sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_point_down(layer: str) -> None:
    bad = []
    for path in _sources(layer):
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[0] == "relay" and len(parts) > 1 and parts[1] in FORBIDDEN[layer]:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    assert not bad, "\n".join(bad)


def test_no_import_cycle_inside_the_engine() -> None:
    """engine/help.py serves both engines; it must not import either of them back."""
    modules = {m for _, m in _imports(PACKAGE / "engine" / "help.py")}
    assert not modules & {"relay.engine.hub", "relay.engine.point"}
