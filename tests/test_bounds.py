"""Input that cannot break it: files, values, sizes and messages are bounded before use.

Hostile or careless input (alias bombs, lone surrogates, integers of thousands of
digits, devices, named pipes, symbolic-link loops, audiences that cannot fit in memory,
huge sweep designs, damaged sweep parts, two sweeps into one folder) gets a one-line
error naming the file, the key and what is allowed, never a hang, a memory error or a
traceback.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import assert_clean_error, invoke
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmsim._text import MAX_LINE, one_line, summarize
from smmsim.cli import cli
from smmsim.errors import UserError
from smmsim.memory import (
    _powerlaw_mean_degree,
    check_memory,
    estimate_memory,
    format_bytes,
    parse_memory,
)
from smmsim.params import describe_value
from smmsim.scenario import (
    ScenarioError,
    default_scenario,
    load_scenario,
    parse_override,
    scenario_from_dict,
)
from smmsim.scenario.files import MAX_SCENARIO_BYTES
from smmsim.scenario.yaml_io import MAX_ALIAS_VALUES

ROOT = Path(__file__).resolve().parents[1]

BOMB = """\
name: bomb
description: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
content: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
funnel: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
economics: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
seeding: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
simulation: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
audience: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def write(folder: Path, text: str, name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def bomb_value(levels: int = 30, width: int = 9):
    """What an alias bomb becomes in Python: lists holding one list many times."""
    value: object = "lol"
    for _ in range(levels):
        value = [value] * width
    return value


# ---------------------------------------------------------------------------- summaries
def test_summaries_do_not_expand_aliases_or_huge_numbers():
    text = describe_value(bomb_value())  # 9**30 leaves once expanded
    assert len(text) <= 60 and text.startswith("[[[")
    recursive: list = []
    recursive.append(recursive)
    assert summarize(recursive) == "[[...]]"
    assert summarize(10**5000) == "<integer of about 5,001 digits>"
    assert summarize(-(2**300)).startswith("<-integer of about 91 digits")
    assert summarize(2**200, limit=100) == str(2**200)
    assert summarize("\ud800") == "'\\ud800'"
    assert summarize("a\nb\u2028c") == "'a\\nb\\u2028c'"
    long = summarize("x" * 10**6, limit=50)
    assert len(long) == 50 and long.endswith("...")
    assert summarize(("x",)) == "('x',)"
    assert summarize({"a": [1, 2]}) == "{'a': [1, 2]}"


def test_one_line_caps_length_and_escapes():
    assert one_line("a\nb") == "a\\nb"
    assert one_line("\udcff") == "\\udcff"
    assert len(one_line("y" * 20_000)) == MAX_LINE


def test_scenario_errors_are_user_errors_of_bounded_length():
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict({"content": {"x" * 20_000: 1}})
    assert isinstance(info.value, UserError)
    message = str(info.value)
    assert len(message) <= MAX_LINE and "\n" not in message
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict({"name": bomb_value()})
    assert len(str(info.value)) <= MAX_LINE and "name: must be a string" in str(info.value)


# ---------------------------------------------------------------------------- YAML aliases
def test_alias_bomb_is_refused_before_it_expands(tmp_path):
    with pytest.raises(ScenarioError, match=r"aliases would expand .* at most 10,000 values"):
        load_scenario(write(tmp_path, BOMB))
    assert_clean_error(invoke("validate", write(tmp_path, BOMB)), "aliases would expand")


def test_alias_bomb_in_an_override_is_refused():
    value = "[" + ",".join(["&a [1,2,3,4,5,6,7,8,9]"] + ["*a"] * 8) + "]"
    nested = "&a [" + ",".join(["x"] * 9) + "]"
    for level in "bcdefg":
        prev = {"b": "a", "c": "b", "d": "c", "e": "d", "f": "e", "g": "f"}[level]
        nested = f"[{nested}, &{level} [" + ",".join([f"*{prev}"] * 9) + "]]"
    with pytest.raises(ScenarioError, match="aliases would expand"):
        parse_override(f"name={nested}")
    assert parse_override(f"name={value}")[0] == "name"  # a few aliases are fine
    assert_clean_error(
        invoke("validate", "--set", f"name={nested}", ROOT / "scenarios" / "classroom.yaml"),
        "aliases",
    )


def test_recursive_alias_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="an alias refers to a value that contains it"):
        load_scenario(write(tmp_path, "name: &a [1, *a]\n"))


def test_a_few_aliases_still_work(tmp_path):
    text = (
        "name: aliased\n"
        "content: &c {stickiness: 0.2, contagion: 0.5}\n"
        "description: &d plain\n"
        "funnel: {conversion: 0.05}\n"
    )
    assert load_scenario(write(tmp_path, text)).content["stickiness"] == 0.2
    wide = "name: wide\ndescription: x\n" + "".join(f"# {i}\n" for i in range(3))  # no alias at all
    assert load_scenario(write(tmp_path, wide, "w.yaml")).name == "wide"
    budget = MAX_ALIAS_VALUES // 10
    many = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [" + ", ".join(["*a"] * budget) + "]\n"
    # the aliases stay within the budget: the YAML loads and the schema speaks
    with pytest.raises(ScenarioError, match="unknown"):
        load_scenario(write(tmp_path, many, "m.yaml"))


# ---------------------------------------------------------------------------- files
def test_scenario_file_must_be_a_regular_file_of_bounded_size(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * MAX_SCENARIO_BYTES + b"\n")
    with pytest.raises(ScenarioError, match=r"too large for a scenario file .* 1,024 KiB"):
        load_scenario(big)
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)
    if os.path.exists("/dev/zero"):
        with pytest.raises(ScenarioError, match=r"^/dev/zero: is a device, not a regular file"):
            load_scenario("/dev/zero")
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(tmp_path / "loop2.yaml")
    (tmp_path / "loop2.yaml").symlink_to(loop)
    with pytest.raises(ScenarioError, match="symbolic link loop"):
        load_scenario(loop)
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(ScenarioError, match="broken symbolic link"):
        load_scenario(dangling)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    # opening a FIFO for reading would block until a writer comes: it is never opened
    with pytest.raises(ScenarioError, match=r"is a named pipe \(FIFO\), not a regular file"):
        load_scenario(fifo)
    assert_clean_error(invoke("validate", fifo), "named pipe")
    assert_clean_error(invoke("run", fifo), "named pipe")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_edge_list_path_says_what_it_is(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "folder").mkdir()
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    cases = {
        "pipe.txt": "is a named pipe (FIFO), not a regular file",
        "folder": "is a directory, not a regular file",
        "loop.txt": "is a symbolic link loop",
        "missing.txt": "file not found",
    }
    if os.path.exists("/dev/zero"):
        cases["/dev/zero"] = "is a device, not a regular file"
    for name, needle in cases.items():
        path = write(tmp_path, f"audience: {{generator: edgelist, path: {name}}}\n")
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        message = str(info.value)
        assert message.startswith(f"{path}: audience.path: {needle}"), message
        assert_clean_error(invoke("validate", path), "audience.path", needle)


def test_override_text_is_bounded():
    with pytest.raises(ScenarioError, match="longer than the 1,048,576 allowed"):
        parse_override("name=" + "x" * (MAX_SCENARIO_BYTES + 1))


# ---------------------------------------------------------------------------- values
def test_lone_surrogate_is_refused_with_its_key(tmp_path):
    path = write(tmp_path, 'name: "\\ud800"\n')
    with pytest.raises(ScenarioError, match=r"name: must be a string.*lone surrogate"):
        load_scenario(path)
    for command in ("validate", "run"):
        assert_clean_error(invoke(command, path), "name", "\\ud800")
    path = write(tmp_path, 'seeding: {strategy: nodes, nodes: ["a\\udfff"]}\n', "n.yaml")
    assert_clean_error(invoke("validate", path), "seeding.nodes[0]", "lone surrogate")


def test_file_names_with_undecodable_bytes_print(tmp_path):
    name = os.fsdecode(b"bad-\xff.yaml")  # a lone surrogate once decoded
    path = write(tmp_path, "content: {stickiness: 2}\n", name)
    result = invoke("validate", path)
    assert_clean_error(result, "content.stickiness", "\\udcff")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("simulation: {rng_seed: 1" + "0" * 3000 + "}\n", "simulation.rng_seed"),
        ("simulation: {runs: 1" + "0" * 300 + "}\n", "simulation.runs"),
        ("seeding: {strategy: nodes, nodes: [1" + "0" * 3000 + "]}\n", "seeding.nodes[0]"),
        ("content: {stickiness: 1" + "0" * 3000 + "}\n", "content.stickiness"),
        ("economics: {cost_per_seed: 1" + "0" * 3000 + "}\n", "economics.cost_per_seed"),
    ],
    ids=["rng_seed", "runs", "nodes", "stickiness", "cost"],
)
def test_huge_integers_are_refused_naming_file_and_key(tmp_path, text, key):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: must be"), message
    assert "digits" in message and len(message) <= MAX_LINE
    assert_clean_error(invoke("validate", path), key)


def test_integers_too_long_to_read_name_file_and_position(tmp_path):
    path = write(tmp_path, "simulation:\n  runs: 1" + "0" * 5000 + "\n")
    message = f"{path}: line 2, column 9: invalid YAML: an integer of 5,001 digits is too large"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(message)
    with pytest.raises(ScenarioError, match="an integer of 5,001 digits"):
        parse_override("simulation.runs=" + "9" * 5001)


def test_sixty_four_bit_integers_are_the_limit():
    ok = scenario_from_dict({"simulation": {"rng_seed": 2**63 - 1}})
    assert ok.simulation["rng_seed"] == 2**63 - 1
    with pytest.raises(ScenarioError, match=r"integers must lie in \[-2\*\*63, 2\*\*63 - 1\]"):
        scenario_from_dict({"simulation": {"rng_seed": 2**63}})


# ---------------------------------------------------------------------------- memory
def test_parse_memory():
    assert parse_memory("2G") == 2 * 2**30
    assert parse_memory("512MiB") == 512 * 2**20
    assert parse_memory("1.5 GB") == int(1.5 * 2**30)
    assert parse_memory("1000") == 1000
    for bad in ("lots", "-1G", "0", "1Gi", "", "9" * 100):
        with pytest.raises(ValueError):
            parse_memory(bad)
    assert format_bytes(1536) == "1.5 KiB" and format_bytes(10) == "10 bytes"


def test_powerlaw_mean_degree_matches_the_exact_sum():
    for exponent, lo, hi in [(2.5, 2, 50_000), (2.0001, 1, 300_000), (3.2, 3, 40_000)]:
        ks = range(lo, hi + 1)
        exact = math.fsum(k ** (1 - exponent) for k in ks) / math.fsum(k ** (-exponent) for k in ks)
        assert _powerlaw_mean_degree(exponent, lo, hi) == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize(
    "audience",
    [
        {"generator": "erdos_renyi", "n": 3000, "mean_degree": 6},
        {"generator": "barabasi_albert", "n": 3000, "m": 3},
        {"generator": "powerlaw", "n": 3000, "exponent": 2.3, "min_degree": 2},
        {"generator": "watts_strogatz", "n": 3000, "mean_degree": 8, "rewire": 0.1},
    ],
    ids=lambda a: a["generator"],
)
def test_expected_ties_match_the_built_audience(audience):
    from smmsim.audience import build_audience

    sc = scenario_from_dict({"audience": {**audience, "rng_seed": 5}})
    graph = build_audience(sc)
    estimate = estimate_memory(sc)
    assert estimate.users == graph.n
    if audience["generator"] == "powerlaw":
        # the estimate counts every stub pair; the configuration model then erases
        # self-ties and repeated ties among hubs, so it is an upper bound
        assert 0.7 * estimate.ties < graph.n_edges <= estimate.ties * 1.05
    else:
        # thousands of nearly independent draws: far within 10 %
        assert graph.n_edges == pytest.approx(estimate.ties, rel=0.1)


TOO_BIG = [
    ({"audience": {"generator": "barabasi_albert", "n": 2_000_000_000}}, "audience.n"),
    (
        {"audience": {"generator": "erdos_renyi", "n": 1_000_000, "mean_degree": 999_999}},
        "audience.mean_degree",
    ),
    ({"simulation": {"steps": 1_000_000_000}}, "simulation.steps"),
    (
        {"audience": {"generator": "powerlaw", "n": 100_000_000, "exponent": 2.0001}},
        "audience.n",
    ),
    ({"simulation": {"runs": 1_000_000_000}}, "simulation.runs"),
]


@pytest.mark.parametrize(
    ("data", "key"), TOO_BIG, ids=["n", "mean_degree", "steps", "powerlaw", "runs"]
)
def test_scenarios_that_cannot_fit_are_refused(tmp_path, data, key):
    import yaml

    limit = 16 * 2**30
    sc = scenario_from_dict(data)
    with pytest.raises(ScenarioError) as info:
        check_memory(sc, limit=limit)
    message = str(info.value)
    assert f"{key}: needs about" in message and "more than the limit of 16.0 GiB" in message
    path = write(tmp_path, yaml.safe_dump(data))
    for command in ("validate", "run"):
        assert_clean_error(
            invoke(command, path, "--max-memory", "16G"), key, "needs about", "--max-memory"
        )


def test_run_checks_runs_option_against_memory(tmp_path):
    assert_clean_error(
        invoke("run", "--runs", 10**9, "--max-memory", "8G"), "simulation.runs", "8.0 GiB"
    )


def test_max_memory_option_and_default():
    result = invoke("validate", ROOT / "scenarios" / "classroom.yaml")
    assert result.exit_code == 0 and "needs about" in result.output
    assert_clean_error(
        invoke("validate", ROOT / "scenarios" / "classroom.yaml", "--max-memory", "10K"),
        "more than the limit of 10.0 KiB",
    )
    result = invoke("validate", ROOT / "scenarios" / "classroom.yaml", "--max-memory", "lots")
    assert result.exit_code == 2 and "--max-memory" in result.output
    assert check_memory(default_scenario()).total < 2**30


@pytest.mark.parametrize(
    ("extra", "status", "needle"),
    [
        ([], 0, "product-launch: 20,000 users"),
        (["--set", "content.stickiness=2"], 2, "content.stickiness: must be"),
        (["--set", "audience.n=2000000000"], 2, "audience.n: needs about"),
    ],
    ids=["ok", "bad-value", "too-big"],
)
def test_validate_builds_no_generated_audience_and_loads_no_numba(extra, status, needle):
    code = (
        "import sys\n"
        "from smmsim.cli import cli\n"
        "try:\n"
        f"    cli(['validate', 'scenarios/product_launch.yaml', *{extra!r}])\n"
        "except SystemExit as exc:\n"
        "    print('STATUS', exc.code or 0)\n"
        "heavy = [m for m in ('numba', 'pandas', 'matplotlib') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert f"STATUS {status}" in done.stdout, done.stdout + done.stderr
    assert needle in done.stdout + done.stderr
    assert "HEAVY []" in done.stdout


# ---------------------------------------------------------------------------- plots
def test_resolved_edge_list_path_works_from_any_folder(tmp_path, monkeypatch):
    sc = load_scenario(ROOT / "scenarios" / "facebook_real_audience.yaml")
    path = Path(sc.audience["path"])
    assert path.is_absolute() and path.is_file()
    monkeypatch.chdir(tmp_path)
    again = scenario_from_dict(sc.to_dict())  # as the plots rebuild it, from elsewhere
    assert again.audience_path() == path


def test_referral_tree_is_written_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(
        "run",
        ROOT / "scenarios" / "facebook_real_audience.yaml",
        "--runs",
        20,
        "--out",
        "out",
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "referral_tree.png").stat().st_size > 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert Path(summary["scenario"]["audience"]["path"]).is_absolute()


# ---------------------------------------------------------------------------- fuzzing
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

HOSTILE_SCALARS = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.just(10**4000),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1),
    st.text(max_size=5).map(lambda t: t + "\ud800"),
    st.text(min_size=300, max_size=400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@st.composite
def shared_structures(draw):
    """Nested lists that hold one value many times over, as YAML aliases make them."""
    value = draw(HOSTILE_SCALARS)
    for _ in range(draw(st.integers(0, 25))):
        width = draw(st.integers(1, 12))
        value = [value] * width if draw(st.booleans()) else {"k": value, "j": [value] * width}
    return value


@FUZZ
@given(value=st.one_of(HOSTILE_SCALARS, shared_structures()), limit=st.integers(5, 300))
def test_summaries_are_bounded_whatever_the_value(value, limit):
    text = summarize(value, limit=limit)
    assert len(text) <= limit
    assert "\n" not in text
    text.encode("utf-8")  # printable: no lone surrogate left


SECTION_KEYS = [
    "name",
    "description",
    "content.stickiness",
    "seeding.k",
    "seeding.nodes",
    "simulation.runs",
    "simulation.rng_seed",
    "simulation.steps",
    "audience.n",
    "economics.cost_per_seed",
]


def _nest(dotted: str, value):
    section, _, key = dotted.partition(".")
    return {section: {key: value}} if key else {section: value}


@FUZZ
@given(key=st.sampled_from(SECTION_KEYS), value=st.one_of(HOSTILE_SCALARS, shared_structures()))
def test_hostile_values_in_any_key_give_a_bounded_scenario_error(key, value):
    try:
        sc = scenario_from_dict(_nest(key, value))
    except ScenarioError as exc:
        message = str(exc)
        assert len(message) <= MAX_LINE and "\n" not in message
        message.encode("utf-8")
    else:
        sc.to_yaml().encode("utf-8")


@st.composite
def alias_documents(draw):
    """YAML text whose aliases nest ``depth`` levels of ``width`` copies into a key."""
    depth = draw(st.integers(1, 8))
    width = draw(st.integers(1, 12))
    key = draw(st.sampled_from(["name", "description", "content", "audience", "nonsense"]))
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, depth):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines.append(f"{key}: *a{depth - 1}")
    return "\n".join(lines) + "\n", width**depth


@FUZZ
@given(doc=alias_documents())
def test_alias_documents_give_a_bounded_error(tmp_path_factory, doc):
    text, leaves = doc
    path = tmp_path_factory.mktemp("alias") / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:  # the a0.. keys are unknown sections anyway
        load_scenario(path)
    message = str(info.value)
    assert len(message) <= MAX_LINE and "\n" not in message
    if leaves > 2 * MAX_ALIAS_VALUES:
        assert "aliases would expand" in message


SPECIAL_FILES = [p for p in ("/dev/zero", "/dev/urandom", "/dev/null") if os.path.exists(p)]


@pytest.mark.skipif(not SPECIAL_FILES or not hasattr(os, "mkfifo"), reason="needs POSIX files")
@FUZZ
@given(
    kind=st.sampled_from(["fifo", "dir", "loop", "device", "big"]),
    where=st.sampled_from(["scenario", "edgelist"]),
    device=st.sampled_from(SPECIAL_FILES or ["/dev/null"]),
)
def test_special_files_give_a_one_line_error(tmp_path_factory, kind, where, device):
    folder = tmp_path_factory.mktemp("special")
    target = folder / "target"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dir":
        target.mkdir()
    elif kind == "loop":
        target.symlink_to(target)
    elif kind == "device":
        target = Path(device)
    else:
        target.write_bytes(b"#" * (MAX_SCENARIO_BYTES + 1))
    if where == "edgelist":
        if kind == "big":
            return  # a large edge list is legitimate: the memory estimate bounds it
        path = write(folder, f"audience: {{generator: edgelist, path: '{target}'}}\n")
    else:
        path = target
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert len(message) <= MAX_LINE and "\n" not in message
    assert any(
        word in message for word in ("named pipe", "directory", "link loop", "device", "too large")
    ), message


# ---------------------------------------------------------------------------- sweeps
@pytest.fixture(scope="module")
def small_base():
    return default_scenario().with_overrides({"audience.n": 300, "simulation.runs": 4})


def _interrupted_sweep(base, out: Path, after: int = 2):
    from smmsim.sweep import Sweep, run_sweep

    design = Sweep.from_specs(["content.stickiness=0.1:0.3:6"])
    seen = []

    def stop(rows):
        seen.extend(rows["variant_id"])
        if len(seen) >= after:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(base, design, out, progress=False, on_result=stop)
    return design


def test_huge_designs_are_refused_from_the_spec():
    from smmsim.sweep import MAX_VARIANTS, Sweep, SweepError

    with pytest.raises(ScenarioError, match=r"range count must be at most 100,000"):
        Sweep.from_specs(["content.stickiness=0:1:1000000000"])
    with pytest.raises(SweepError, match=r"the grid has 1,000,000 variants, more than"):
        Sweep.from_specs(["content.stickiness=0:1:1000", "seeding.k=1:1000:1000"])
    with pytest.raises(SweepError, match=r"a sample of 1,000,000 variants"):
        Sweep.from_specs(["content.stickiness=0:1"], "lhs:1000000")
    design = Sweep.from_specs(["content.stickiness=0:1:300", "seeding.k=1:50:300"])
    assert design.size_bound() == 90_000 <= MAX_VARIANTS
    result = CliRunner().invoke(
        cli, ["sweep", "--grid", "content.stickiness=0:1:1000000000", "--out", "unused"]
    )
    assert_clean_error(result, "content.stickiness", "at most 100,000")


def test_sweep_refuses_a_variant_that_cannot_fit(tmp_path, small_base):
    from smmsim.sweep import Sweep, run_sweep

    design = Sweep.from_specs(["audience.n=300,2000000000"])
    with pytest.raises(ScenarioError, match=r"audience.n: needs about .*audience.n=2000000000"):
        run_sweep(small_base, design, tmp_path / "sw", progress=False, max_memory=2**33)
    assert not (tmp_path / "sw").exists()  # refused before anything was written


def test_part_without_metric_columns_is_named_with_what_to_do(tmp_path, small_base):
    import pandas as pd

    from smmsim.sweep import SweepError, read_manifest, run_sweep

    out = tmp_path / "sw"
    design = _interrupted_sweep(small_base, out)
    columns = read_manifest(out)["columns"]
    assert "reach_mean" in columns and "content.stickiness" in columns
    part = sorted((out / "parts").glob("part-*.parquet"))[0]
    frame = pd.read_parquet(part)
    frame[["variant", "variant_id", "content.stickiness", "rng_seed", "runs"]].to_parquet(part)
    with pytest.raises(SweepError) as info:
        run_sweep(small_base, design, out, resume=True, progress=False)
    message = str(info.value)
    assert message.startswith(f"{part}: lacks ") and "of this sweep's columns (" in message
    assert "remove it and run the sweep again with --resume" in message
    part.unlink()
    table = run_sweep(small_base, design, out, resume=True, progress=False)
    assert len(table) == 6 and not table.isna().any().any()


def test_damaged_part_is_named_with_what_to_do(tmp_path, small_base):
    from smmsim.sweep import SweepError, read_sweep, run_sweep

    out = tmp_path / "sw"
    design = _interrupted_sweep(small_base, out)
    part = sorted((out / "parts").glob("part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:40])
    with pytest.raises(SweepError, match="is damaged and cannot be read"):
        read_sweep(out)
    result = CliRunner().invoke(cli, ["sweep", "--resume", "--out", str(out)])
    assert_clean_error(result, str(part), "remove it and run the sweep again with --resume")
    part.unlink()
    assert len(run_sweep(small_base, design, out, resume=True, progress=False)) == 6


def test_second_sweep_into_a_busy_folder_gets_one_line(tmp_path, small_base):
    from smmsim.sweep import Store, Sweep, SweepError, run_sweep

    out = tmp_path / "sw"
    holder = Store(out)
    holder.lock()  # another sweep, running
    try:
        with pytest.raises(SweepError, match="another sweep is running in this folder"):
            run_sweep(small_base, Sweep.from_specs(["seeding.k=1,2"]), out, runs=2, progress=False)
        result = CliRunner().invoke(
            cli, ["sweep", "--grid", "seeding.k=1,2", "--runs", "2", "--out", str(out)]
        )
        assert_clean_error(result, "another sweep is running in this folder")
    finally:
        holder.unlock()
    table = run_sweep(small_base, Sweep.from_specs(["seeding.k=1,2"]), out, runs=2, progress=False)
    assert len(table) == 2
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "results.parquet"]


def test_two_identical_sweep_processes_into_one_folder(tmp_path):
    """Started together: one runs, the other stops with one line (exit 2), no crash."""
    out = tmp_path / "sw"
    args = ["--grid", "content.stickiness=0.1:0.3:8", "--runs", "50", "--out", str(out)]
    code = "from smmsim.commands.sweep import sweep; sweep()"
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    codes = sorted(r[0] for r in results)
    for code_, _, err in results:
        assert "Traceback" not in err, err
        if code_ == 2:
            lines = [x for x in err.splitlines() if x.strip()]
            assert len(lines) == 1, err
            assert "already holds this sweep" in lines[0] or "another sweep is running" in lines[0]
    # both finish cleanly: either the second saw the first finished (exit 2 "already
    # holds"), or it was locked out while the first ran (exit 2 "another sweep")
    assert codes == [0, 2], results


# ---------------------------------------------------------------------------- lazy imports
def test_threshold_codes_declared_without_kernels_match_the_kernel():
    from smmsim._kernels import social
    from smmsim.models import social_proof

    assert (social_proof._UNIFORM, social_proof._NORMAL, social_proof._BETA) == (
        social.UNIFORM,
        social.NORMAL,
        social.BETA,
    )


def test_lazy_package_names_are_the_public_objects():
    import smmsim
    import smmsim.simulate  # importing the submodule must not shadow the function
    from smmsim._lazy import lazy_module

    assert callable(smmsim.simulate) and smmsim.simulate.__name__ == "simulate"
    assert smmsim.generators.__name__ == "smmsim.generators"
    assert set(smmsim.__all__) <= set(dir(smmsim))
    for name in smmsim.__all__:
        assert getattr(smmsim, name) is not None
    with pytest.raises(AttributeError):
        smmsim.no_such_name  # noqa: B018
    json_module = lazy_module("json")
    assert "not loaded yet" in repr(json_module)
    assert json_module.dumps([1]) == "[1]" and "loaded" in repr(json_module)


OVERRIDE_VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.just("1" + "0" * 4500),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
    alias_documents().map(lambda doc: "[" + doc[0].replace("\n", ", ").rstrip(", ") + "]"),
)


@FUZZ
@given(key=st.sampled_from(SECTION_KEYS), value=OVERRIDE_VALUES)
def test_any_override_gives_a_scenario_or_a_bounded_error(key, value):
    try:
        sc = default_scenario().with_overrides(dict([parse_override(f"{key}={value}")]))
    except ScenarioError as exc:
        message = str(exc)
        assert len(message) <= MAX_LINE and "\n" not in message
        message.encode("utf-8")
    else:
        sc.to_yaml().encode("utf-8")


def test_names_are_short(tmp_path):
    with pytest.raises(ScenarioError, match=r"name: must be at most 200 characters"):
        scenario_from_dict({"name": "x" * 201})
    long_file = write(tmp_path, "content: {stickiness: 0.2}\n", "y" * 240 + ".yaml")
    assert load_scenario(long_file).name == "y" * 200
