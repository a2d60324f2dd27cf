"""The notebooks in ``notebooks/``: stored without outputs, public API only, and every
cell runs (executed with nbclient; a failing cell fails the test)."""

import os
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {
    "01-word-of-mouth-in-the-classroom",
    "02-strategist-what-if",
    "03-researcher-sweep",
    "04-crisis-response",
}
#: ``smmsim`` and the documented submodules a notebook may import.
PUBLIC = {
    "smmsim",
    "smmsim.generators",
    "smmsim.plots",
    "smmsim.sweep",
    "smmsim.threshold",
    "smmsim.trace",
}
#: A cell that runs this long is hung, not slow: the guard stops a stuck kernel from
#: holding the suite; it is no speed requirement (each notebook runs in well under a
#: minute on two cores).
CELL_TIMEOUT_S = 600


def code_cells(path):
    nb = nbformat.read(path, as_version=4)
    return nb, [c for c in nb.cells if c.cell_type == "code"]


def test_the_notebooks_are_there():
    assert EXPECTED <= {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    _, cells = code_cells(path)
    assert cells
    for cell in cells:
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_public_api_only(path):
    _, cells = code_cells(path)
    source = "\n".join(c.source for c in cells)
    modules = re.findall(r"^\s*import (smmsim[\w.]*)", source, re.M)
    modules += re.findall(r"^\s*from (smmsim[\w.]*) import", source, re.M)
    assert "smmsim" in {m.split(".")[0] for m in modules}
    assert set(modules) <= PUBLIC, set(modules) - PUBLIC
    for names in re.findall(r"^\s*from smmsim[\w.]* import \(?([^)\n]+)", source, re.M):
        assert not any(n.strip().startswith("_") for n in names.split(",")), names
    assert not re.search(r"\bsmmsim(\.\w+)*\._", source), "private name used"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs(path, monkeypatch):
    from nbclient import NotebookClient

    # the kernel imports this checkout's smmsim, not whichever one is installed
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    nb, _ = code_cells(path)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("output_type") == "error"
    ]
    assert not errors
    # progress bars need ipywidgets in a notebook; without it tqdm warns on every import
    stderr = "".join(
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    )
    assert "IProgress not found" not in stderr
    if path.stem == "03-researcher-sweep":  # its local sweep shows a progress bar
        widgets = [
            o
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.outputs
            if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        ]
        assert widgets, "the sweep's progress bar did not render as a widget"
