"""The house's rules, held on the source (issue 28): every package's map names its modules, no module over
350 lines, no class name twice, no import circle (counting every import: top level, inside functions and under
TYPE_CHECKING), package data through importlib.resources, and the screening path free of the store."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT, TESTS

PROJECT = ("screening", "api", "rules")
LIMIT = 350


def _modules(top: str) -> list[Path]:
    return sorted(p for p in (ROOT / top).rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = {_name(p): p for top in PROJECT for p in _modules(top)}
PACKAGES = sorted({p.parent for p in SOURCES.values() if p.name == "__init__.py"})


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_package_map_names_each_of_its_modules_and_sub_packages(package):
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    inside = [p.stem for p in package.glob("*.py") if p.name != "__init__.py"]
    inside += [d.name for d in package.iterdir() if (d / "__init__.py").exists()]
    missing = [name for name in inside if not re.search(rf"(?<![\w.]){re.escape(name)}(\.py|/)?(?!\w)", doc)]
    assert not missing, f"{package.relative_to(ROOT)}/__init__.py does not name: {', '.join(sorted(missing))}"


def test_no_module_in_screening_or_api_is_over_350_lines():
    long = {str(p.relative_to(ROOT)): n for p in SOURCES.values() if (n := len(p.read_text().splitlines())) > LIMIT}
    assert not long


def test_no_class_name_is_defined_twice_in_screening_and_api():
    seen: dict[str, list[str]] = {}
    for name, path in SOURCES.items():
        if name.startswith(("screening", "api")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    seen.setdefault(node.name, []).append(name)
    assert not {cls: where for cls, where in seen.items() if len(where) > 1}


def test_no_module_of_the_faces_shares_a_name_with_one_of_the_domain():
    domain = {p.name for n, p in SOURCES.items() if n.startswith("screening.") and p.name != "__init__.py"}
    faces = {p.name for n, p in SOURCES.items() if n.startswith("api.") and p.name != "__init__.py"}
    assert not domain & faces  # e.g. api/store.py beside history/store.py: one is opened for the other


def _imports(name: str, path: Path) -> set[str]:
    """The project modules `name` imports, wherever the import stands (function, TYPE_CHECKING, top)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in SOURCES else base for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in SOURCES and t != name}
    return found


def _circles() -> list[list[str]]:
    graph = {name: _imports(name, path) for name, path in SOURCES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                circles.append(sorted(part))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return circles


def test_no_import_circles_in_screening_and_api_counting_every_import():
    assert _circles() == []


def test_package_data_is_read_through_importlib_resources_not_by_walking_the_file_system():
    walking = [
        str(p.relative_to(ROOT))
        for p in SOURCES.values()
        if re.search(r"__file__\)[\w.()]*\.parents?\b", p.read_text())
    ]
    assert not walking


def test_importing_the_screening_path_loads_neither_sqlalchemy_nor_alembic():
    probe = "import sys, screening.service; print(sorted(m for m in ('sqlalchemy', 'alembic') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == "[]"


def test_the_top_levels_stay_small():
    counts = {
        "screening/roster": len(list((ROOT / "screening" / "roster").glob("*.py"))) - 1,
        "api": len(list((ROOT / "api").glob("*.py"))) - 1,
        "tests": len(list(TESTS.glob("test_*.py"))),
    }
    assert counts["screening/roster"] <= 8 and counts["api"] <= 10 and counts["tests"] <= 12, counts
    assert not (ROOT / "screening" / "batch").exists()
