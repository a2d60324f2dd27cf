"""The command line: every command, every kind of bad input (exit 2, one line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from cli_helpers import assert_clean_error, invoke

from smmsim.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_run_default_prints_summary():
    result = invoke("run", "--runs", 60, "--rng-seed", 3)
    assert result.exit_code == 0, result.output
    out = result.output
    for words in (
        "Reach",
        "earned reach",
        "referral-driven",
        "New sharers per sharer (this run)",
        "Pays back (ROI > 0)",
        "ROI",
        "Virality threshold",
        "Went viral",
    ):
        assert words in out


def test_run_out_writes_files(tmp_path):
    out = tmp_path / "res"
    result = invoke(
        "run",
        "--runs",
        40,
        "--set",
        "content.stickiness=0.3",
        "--set",
        "audience.n=2000",
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"]["content"]["stickiness"] == 0.3
    assert summary["runs"] == 40 and summary["version"]
    assert {"mean", "std", "ci_low", "ci_high"} <= set(summary["metrics"]["reach"])
    assert summary["timing"]["simulate_s"] >= 0
    assert len((out / "runs.csv").read_text().splitlines()) == 41
    assert (out / "timeseries.csv").exists() and (out / "adoption.png").stat().st_size > 0


def test_validate_and_audience(tmp_path):
    result = invoke("validate", ROOT / "scenarios" / "classroom.yaml")
    assert result.exit_code == 0 and "ok" in result.output
    result = invoke("audience", ROOT / "scenarios" / "classroom.yaml")
    assert result.exit_code == 0 and "Virality threshold" in result.output
    result = invoke("audience", "--json")
    info = json.loads(result.output)
    assert info["degree"]["n"] == 10_000
    assert info["threshold"]["critical"] == pytest.approx(1 / info["degree"]["excess"])
    assert info["threshold"]["critical_stickiness"] == pytest.approx(
        info["threshold"]["critical"] / (0.5 * 0.5)
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_runs(path):
    result = invoke("run", path, "--runs", 30)
    assert result.exit_code == 0, result.output
    assert "Reach" in result.output


def write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


BAD = [
    ("content: {stickiness: 1.5}\n", ["content.stickiness", "[0, 1]"]),
    ("content: {stickyness: 0.5}\n", ["content.stickyness", "stickiness"]),
    ("simulation: {runs: -3}\n", ["simulation.runs"]),
    ("audience: {generator: powerlaw, m: 3}\n", ["audience.m", "powerlaw"]),
    ("seeding: {strategy: nodes, nodes: [123456789]}\n", ["seeding.nodes", "123456789"]),
    ("content: [stickiness\n", ["s.yaml"]),
    ("audience: {generator: edgelist, path: nowhere.txt}\n", ["audience.path", "nowhere.txt"]),
    ("flavour: vanilla\n", ["flavour"]),
]


@pytest.mark.parametrize(("text", "needles"), BAD, ids=[b[1][0] for b in BAD])
def test_bad_scenarios_exit_2_with_one_line(tmp_path, text, needles):
    path = write(tmp_path, text)
    for command in ("run", "validate", "audience"):
        assert_clean_error(invoke(command, path), str(path), *needles)


def test_missing_scenario_file(tmp_path):
    assert_clean_error(invoke("run", tmp_path / "nope.yaml"), "nope.yaml")


def test_broken_edge_list(tmp_path):
    edges = write(tmp_path, "0 1\n1 2\n2 x y z\n", name="edges.txt")
    path = write(tmp_path, f"audience: {{generator: edgelist, path: {edges.name}}}\n")
    assert_clean_error(invoke("run", path), "edges.txt:3")


def test_unknown_seed_in_edge_list_audience(tmp_path):
    write(tmp_path, "10 11\n11 12\n", name="edges.txt")
    text = (
        "audience: {generator: edgelist, path: edges.txt}\n"
        "seeding: {strategy: nodes, nodes: [99]}\n"
    )
    assert_clean_error(invoke("run", write(tmp_path, text)), "seeding.nodes", "99")


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ("content.stickiness=2", "content.stickiness"),
        ("nokey", "nokey"),
        ("content.nope=1", "content.nope"),
    ],
)
def test_bad_overrides(override, needle):
    assert_clean_error(invoke("run", "--set", override), needle)


def test_every_command_has_help_and_is_in_readme():
    readme = (ROOT / "README.md").read_text()
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command.help, f"{name} is missing its help"
        assert f"smmsim {name}" in readme, f"README does not show `smmsim {name}`"


def test_python_m_smmsim():
    out = subprocess.run(
        [sys.executable, "-m", "smmsim", "--help"], capture_output=True, text=True, check=True
    )
    assert "run" in out.stdout and "audience" in out.stdout
