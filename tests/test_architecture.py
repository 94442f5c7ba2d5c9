"""The layers hold: import-linter's contracts (pyproject.toml) are kept, and no module
imports another module's `_private` names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
PACKAGE = SRC / "report_extract"


def lint_imports(config: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("importlinter", reason="import-linter is in the dev extra")
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(config)!r}, no_cache=True))")
    env = {"PYTHONPATH": str(SRC), "PATH": ""}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def test_the_import_contracts_are_kept():
    run = lint_imports(REPO / "pyproject.toml")
    assert run.returncode == 0, run.stdout[-3000:]


def test_a_broken_contract_fails(tmp_path):
    """The check can fail: normalize importing models breaks a contract forbidding it."""
    config = tmp_path / "contracts.toml"
    config.write_text('[tool.importlinter]\nroot_package = "report_extract"\n\n'
                      "[[tool.importlinter.contracts]]\nname = \"normalize without models\"\n"
                      'type = "forbidden"\nsource_modules = ["report_extract.normalize"]\n'
                      'forbidden_modules = ["report_extract.models"]\n', encoding="utf-8")
    run = lint_imports(config)
    assert run.returncode == 1
    assert "normalize without models BROKEN" in run.stdout


def private_imports(package: Path) -> list[str]:
    """`from report_extract.x import _name` in a module other than x ("file:line module
    name"); dunder names (__version__) are public."""
    found = []
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.with_suffix("").relative_to(package.parent).parts)
        module = module.removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module
                    and node.module.startswith("report_extract") and node.module != module):
                continue
            found += [f"{path.relative_to(package.parent)}:{node.lineno} {node.module} {a.name}"
                      for a in node.names
                      if a.name.startswith("_") and not a.name.endswith("__")]
    return found


def test_no_module_imports_another_module_s_private_names():
    assert private_imports(PACKAGE) == []


def test_a_private_import_is_found(tmp_path):
    package = tmp_path / "report_extract"
    package.mkdir()
    (package / "a.py").write_text("def _helper():\n    return 1\n", encoding="utf-8")
    (package / "b.py").write_text("from report_extract.a import _helper\n", encoding="utf-8")
    assert private_imports(package) == ["report_extract/b.py:1 report_extract.a _helper"]
