"""notebooks/compare-agencies.ipynb: stored without outputs, and runs top to bottom."""

from __future__ import annotations

import os

import pytest
from conftest import REPO

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the dev extra")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the dev extra")
pytest.importorskip("ipykernel", reason="ipykernel is in the dev extra")
pytest.importorskip("matplotlib", reason="matplotlib is in the dev extra")

NOTEBOOK = REPO / "notebooks" / "compare-agencies.ipynb"


def _text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts += [str(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
    return "\n".join(parts)


def test_notebook_is_stored_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code
    assert [(c.outputs, c.execution_count) for c in code] == [([], None)] * len(code)


def test_notebook_runs_top_to_bottom(tmp_path, monkeypatch):
    monkeypatch.setenv("NOTEBOOK_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
    outputs = [_text(c) for c in notebook.cells if c.cell_type == "code"]
    everything = "\n".join(outputs)
    assert "12 converted, 0 failed" in everything
    assert "continuity.carried" in everything and "natural_person" in everything
    assert "review_litigation.total" in everything
    assert "0 conflicting values" in everything
    assert "杭州市西湖区人民政府" in everything
    images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the trends, and the provenance crop
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "error"]
    assert errors == []
