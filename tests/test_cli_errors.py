"""The command line at its edges: output paths, edge-list mistakes, bugs against bad input,
and what ``smmsim --help`` imports."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import smmsim.commands.common
from smmsim.cli import cli
from smmsim.errors import OutputPathError, UserError
from smmsim.outputs import check_dir, check_file, make_dir, make_parent, plot_formats

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"
SIMULATE = importlib.import_module("smmsim.simulate")  # the module, not the function
SMALL = ("--set", "audience.n=200", "--set", "simulation.steps=10")


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def assert_clean_error(result, *needles):
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    assert text.startswith("Error: ")
    for needle in needles:
        assert needle in text, text


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A working folder holding a file ``afile`` and a folder ``existing``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder\n")
    (tmp_path / "existing").mkdir()
    return tmp_path


def nothing_written(place: Path) -> bool:
    return sorted(p.name for p in place.iterdir()) == ["afile", "existing"]


# ---------------------------------------------------------------------------- output paths
MISTAKES = [
    (["run", "--out", "afile/sub"], "--out", "afile is a file, not a folder"),
    (["run", "--out", "afile"], "--out", "--out needs a folder"),
    (["sweep", "--grid", "content.stickiness=0.1,0.2", "--out", "afile/sw"], "--out", "afile"),
    (["sweep", "--grid", "content.stickiness=0.1,0.2", "--out", "afile"], "--out", "folder"),
    (["threshold", CLASSROOM, "--json", "afile/x.json"], "--json", "afile is a file"),
    (["threshold", CLASSROOM, "--json", "existing"], "--json", "it is a folder"),
    (["threshold", CLASSROOM, "--plot", "x.bmp"], "--plot", "unsupported format ('.bmp')"),
    (["threshold", CLASSROOM, "--plot", "plot"], "--plot", "unsupported format (no extension)"),
    (["threshold", CLASSROOM, "--plot", "afile/x.png"], "--plot", "afile is a file"),
    (["animate", CLASSROOM, "--out", "x.avi"], "--out", "use .gif or .mp4"),
    (["animate", CLASSROOM, "--out", "afile/x.gif"], "--out", "afile is a file"),
    (["animate", CLASSROOM, "--out", "existing"], "--out", "unsupported format"),
]


@pytest.mark.parametrize(
    ("args", "option", "needle"), MISTAKES, ids=[" ".join(map(str, m[0][-2:])) for m in MISTAKES]
)
def test_output_path_mistakes_are_one_line_before_any_work(place, args, option, needle):
    result = invoke(*args)
    assert_clean_error(result, f"Error: {option}: cannot write", needle)
    assert nothing_written(place)


def test_unwritable_place_is_one_line():
    # /proc accepts no new files, even for root
    for args in (
        ["run", "--out", "/proc/smmsim-out"],
        ["threshold", CLASSROOM, "--json", "/proc/smmsim/x.json"],
        ["animate", CLASSROOM, "--out", "/proc/x.gif"],
    ):
        assert_clean_error(invoke(*args), "cannot create files in /proc")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_folder_is_one_line(place):
    locked = place / "existing"
    locked.chmod(0o500)
    try:
        assert_clean_error(invoke("run", "--out", locked / "sub"), "permission denied")
    finally:
        locked.chmod(0o700)


def test_missing_folders_are_created(place):
    result = invoke(
        "threshold", CLASSROOM, "--no-empirical", "--json", place / "new" / "deep" / "t.json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads((place / "new" / "deep" / "t.json").read_text())["param"]
    result = invoke("run", "--runs", 3, *SMALL, "--out", place / "runs" / "a")
    assert result.exit_code == 0, result.output
    assert (place / "runs" / "a" / "summary.json").is_file()


def test_animation_into_a_missing_folder(place):
    out = place / "missing" / "dir" / "x.gif"
    result = invoke("animate", CLASSROOM, "--out", out, "--set", "audience.n=60", "--fps", 50)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def test_output_functions_directly(place):
    assert make_dir("a/b", "--out") == Path("a/b") and Path("a/b").is_dir()
    assert make_parent("c/d/x.json", "--json") == Path("c/d/x.json") and Path("c/d").is_dir()
    assert check_file("x.svg", "--plot", plot_formats()) == Path("x.svg")
    assert {"png", "svg", "pdf"} <= set(plot_formats()) and "bmp" not in plot_formats()
    with pytest.raises(OutputPathError, match=r"^--out: cannot write afile/x: afile is a file"):
        make_dir("afile/x", "--out")
    with pytest.raises(OutputPathError, match="a file name is needed"):
        check_file("..", "--json")
    # an output path error is a user error (and, as before, a ValueError)
    assert issubclass(OutputPathError, UserError) and issubclass(UserError, ValueError)


SEGMENTS = st.sampled_from(
    ["afile", "existing", "new", "x.png", "x.bmp", "x.json", "x.gif", ".", "é", "a b", "-x"]
)
PATHS = st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(path=PATHS, absolute=st.booleans())
def test_any_output_path_gives_a_file_or_one_line(place, path, absolute):
    """Fuzzed output paths: written where they say, or one line and exit 2; never a bug."""
    target = (place / path) if absolute else Path(path)
    result = invoke("threshold", CLASSROOM, "--no-empirical", "--json", target)
    if result.exit_code == 0:
        assert json.loads(Path(target).read_text())["param"] == "content.stickiness"
    else:
        assert_clean_error(result, "--json: cannot write")
    try:
        check_file(target, "--plot", plot_formats())
    except OutputPathError as err:
        assert "\n" not in str(err) and str(err).startswith("--plot: cannot write ")
    else:
        assert Path(target).suffix.lower() in (".png", ".gif")
    result = invoke("run", "--runs", 2, *SMALL, "--no-progress", "--out", target)
    if result.exit_code == 0:
        summary = json.loads((Path(target) / "summary.json").read_text())
        assert summary["runs"] == 2
    else:
        assert_clean_error(result, "--out: cannot write")
    try:
        folder = check_dir(target, "--out")
    except OutputPathError as err:
        assert "\n" not in str(err) and str(err).startswith("--out: cannot write ")
    else:
        assert make_dir(folder, "--out").is_dir()


# ---------------------------------------------------------------------------- edge lists
def edge_scenario(folder: Path, edges: str, extra: str = "") -> Path:
    (folder / "edges.txt").write_text(edges)
    path = folder / "s.yaml"
    path.write_text(
        f"audience: {{generator: edgelist, path: edges.txt{extra}}}\nseeding: {{k: 1}}\n"
    )
    return path


EDGE_MISTAKES = [
    ("1 2\n2 3\n3 four\n", 3, "node id 'four' is not an integer", "audience.labels: string"),
    ("1 2\n2 3\n3 4O\n", 3, "node id '4O' is not an integer", "audience.labels: string"),
    ("1 2 0.5\n2 3 -0.25\n", 2, "negative weight '-0.25'", "tie strengths must be >= 0"),
    ("1 2 0.5\n2 3 inf\n", 2, "bad weight 'inf'", "finite number >= 0"),
    ("1 2 0.5\n2 3 nan\n", 2, "bad weight 'nan'", "finite number >= 0"),
    ("1 2 0.5\n2 3\n", 2, "expected 3 columns as on line 1", "audience.weighted: false"),
]


@pytest.mark.parametrize(("edges", "line", "problem", "hint"), EDGE_MISTAKES)
@pytest.mark.parametrize("command", ["validate", "run", "audience"])
def test_edge_list_mistakes_name_file_and_line(tmp_path, edges, line, problem, hint, command):
    path = edge_scenario(tmp_path, edges)
    assert_clean_error(invoke(command, path), f"edges.txt:{line}: {problem}", hint)


def test_string_labels_are_a_declared_choice(tmp_path):
    edges = "ann bob\nbob cy\ncy ann\ncy 7\n"
    path = edge_scenario(tmp_path, edges)
    assert_clean_error(invoke("validate", path), "edges.txt:1: node id 'ann' is not an integer")
    path = edge_scenario(tmp_path, edges, ", labels: string")
    result = invoke("validate", path)
    assert result.exit_code == 0 and "4 users" in result.output, result.output
    # listed seeds are the names in the file; a number finds the user named by its digits
    (tmp_path / "s.yaml").write_text(
        "audience: {generator: edgelist, path: edges.txt, labels: string}\n"
        "seeding: {strategy: nodes, nodes: [bob, 7]}\n"
    )
    result = invoke("run", tmp_path / "s.yaml", "--runs", 5)
    assert result.exit_code == 0, result.output
    (tmp_path / "s.yaml").write_text(
        "audience: {generator: edgelist, path: edges.txt, labels: strings}\n"
    )
    assert_clean_error(invoke("validate", tmp_path / "s.yaml"), "audience.labels", "string")


# ---------------------------------------------------------------------------- bug or mistake
def test_a_bug_is_not_called_bad_input(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("reach_mean")

    monkeypatch.setattr(SIMULATE, "simulate", broken)
    result = invoke("run", "--runs", 3)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines == [
        "Error: KeyError: reach_mean",
        "This is a bug in smmsim, please report it with the command that caused it "
        "(run it again with --debug to see the traceback).",
    ]
    result = invoke("--debug", "run", "--runs", 3)
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.output
    assert "in broken" in result.output and "This is a bug in smmsim" in result.output
    result = invoke("run", "--runs", 3, env={"SMMSIM_DEBUG": "1"})
    assert result.exit_code == 1 and "Traceback (most recent call last)" in result.output


@pytest.mark.parametrize("error", [ValueError("x must be > 0"), ZeroDivisionError("division")])
def test_plain_library_errors_are_bugs(monkeypatch, error):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(SIMULATE, "simulate", broken)
    result = invoke("run")
    assert result.exit_code == 1 and "This is a bug in smmsim" in result.output


def test_the_projects_errors_are_bad_input(monkeypatch):
    def mistaken(*args, **kwargs):
        raise UserError("launch.yaml: content.stickiness: must be in [0, 1], got 2")

    monkeypatch.setattr(SIMULATE, "simulate", mistaken)
    assert_clean_error(invoke("run"), "content.stickiness")


def test_user_errors_derive_from_one_base():
    from smmsim.graph import GraphError
    from smmsim.io import EdgeListError
    from smmsim.params import ParamError
    from smmsim.scenario import ScenarioError
    from smmsim.sweep import SweepError
    from smmsim.threshold import ThresholdError

    for error in (ScenarioError, EdgeListError, GraphError, ParamError, SweepError):
        assert issubclass(error, UserError), error
    assert issubclass(ThresholdError, UserError)
    assert smmsim.commands.common.user_errors() == (UserError,)


# ---------------------------------------------------------------------------- start-up
def test_help_imports_no_numba_pandas_or_matplotlib():
    """``python -m smmsim --help``, the real entry point: ``-X importtime`` lists every
    module the process imported."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "smmsim", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert "Commands:" in out.stdout and "threshold" in out.stdout
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in out.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "smmsim.cli" in imported and "click" in imported
    heavy = {name.split(".")[0] for name in imported} & {"numba", "pandas", "matplotlib", "numpy"}
    assert heavy == set()


def test_import_smmsim_is_lazy_and_complete():
    code = (
        "import sys, smmsim\n"
        "assert 'numba' not in sys.modules and 'pandas' not in sys.modules\n"
        "import smmsim.simulate\n"
        "assert callable(smmsim.simulate) and smmsim.simulate.__module__ == 'smmsim.simulate'\n"
        "missing = [n for n in smmsim.__all__ if getattr(smmsim, n, None) is None]\n"
        "print('missing:', missing)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "missing: []"


def test_plots_are_written_whatever_the_working_directory(tmp_path, monkeypatch):
    """An edge list named relative to its scenario: the referral tree (which rebuilds the
    audience from the resolved scenario) is drawn from any working directory."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    ring = "".join(f"{i} {(i + 1) % 60}\n{i} {(i + 7) % 60}\n" for i in range(60))
    path = edge_scenario(folder, ring)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = invoke("run", path, "--runs", 5, "--set", "content.stickiness=0.9", "--out", "res")
    assert result.exit_code == 0, result.output
    assert (elsewhere / "res" / "referral_tree.png").stat().st_size > 0
    summary = json.loads((elsewhere / "res" / "summary.json").read_text())
    assert summary["scenario"]["audience"]["path"] == str(folder / "edges.txt")
