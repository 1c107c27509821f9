"""Examples and documentation code import only public names of algdiv."""
import ast
import importlib
import importlib.util
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "examples").glob("*.py")) + sorted((ROOT / "docs" / "images").glob("*.py"))
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)


def _imports(source):
    """(module, name) for every ``from algdiv... import name`` and ``import algdiv...``."""
    code = "\n".join(ln.lstrip()[4:] if ln.lstrip().startswith((">>> ", "... ")) else ln
                     for ln in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "algdiv":
            out.extend((node.module, a.name) for a in node.names)
        elif isinstance(node, ast.Import):
            out.extend((a.name, None) for a in node.names if a.name.split(".")[0] == "algdiv")
    return out


def _sources():
    for path in FILES:
        yield path.relative_to(ROOT).as_posix(), path.read_text()
    for page in PAGES:
        for i, m in enumerate(FENCE.finditer(page.read_text())):
            yield f"{page.relative_to(ROOT).as_posix()} block {i + 1}", m.group(1)


@pytest.mark.parametrize("where,source", list(_sources()), ids=lambda v: v if isinstance(v, str) and
                         len(v) < 60 else "")
def test_public_imports_only(where, source):
    for module, name in _imports(source):
        assert not any(part.startswith("_") for part in module.split(".")), f"{where}: imports {module}"
        if name is not None:
            assert not name.startswith("_"), f"{where}: imports {module}.{name}"
            public = getattr(importlib.import_module(module), "__all__", None)
            if public is not None and importlib.util.find_spec(f"{module}.{name}") is None:
                assert name in public, f"{where}: {module}.{name} is not in {module}.__all__"
