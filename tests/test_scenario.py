"""Scenario files and the declared parameter layer: loading, defaults, messages."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smmsim.graph import CSRGraph
from smmsim.models.competition import COMPETITION_SECTIONS
from smmsim.params import REQUIRED, Param, ParamError, validate, validate_mapping
from smmsim.scenario import (
    GENERATOR_SCHEMA,
    MODEL_SECTIONS,
    SCHEMA,
    Scenario,
    ScenarioError,
    check_seed_nodes,
    default_scenario,
    load_scenario,
    parse_override,
    scenario_from_dict,
    schema_table,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))
FACEBOOK = ROOT / "smmsim" / "data" / "facebook_combined.txt"


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_line(exc: ScenarioError, source: str, key: str | None) -> str:
    message = str(exc)
    assert len(message.splitlines()) == 1, message
    assert message.startswith(f"{source}: "), message
    if key is not None:
        assert message.startswith(f"{source}: {key}: "), message
        assert exc.key == key
    assert exc.source == source
    return message


# ---------------------------------------------------------------------------- files
def test_scenario_set_is_there():
    names = {p.name for p in SCENARIO_FILES}
    for expected in (
        "product_launch.yaml",
        "macro_vs_micro_macro.yaml",
        "macro_vs_micro_micro.yaml",
        "classroom.yaml",
        "facebook_real_audience.yaml",
        "segmented_audience.yaml",
    ):
        assert expected in names


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_scenario_file_loads(path):
    text = path.read_text(encoding="utf-8")
    if "facebook_combined.txt" in text and not FACEBOOK.exists():
        pytest.skip("smmsim/data/facebook_combined.txt is not there yet")
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.source == str(path)
    assert scenario.base_dir == path.parent
    # the resolved form is plain YAML and reads back to the same scenario
    again = scenario_from_dict(yaml.safe_load(scenario.to_yaml()), base_dir=path.parent)
    assert again.data == scenario.data
    # quick to run: modest audiences and run counts
    n = scenario.audience.get("n", 5000)
    assert n <= 50_000 and scenario.simulation["runs"] <= 500


def test_macro_and_micro_share_everything_but_seeding_and_prices():
    macro = load_scenario(ROOT / "scenarios" / "macro_vs_micro_macro.yaml").to_dict()
    micro = load_scenario(ROOT / "scenarios" / "macro_vs_micro_micro.yaml").to_dict()
    for section in ("audience", "content", "funnel", "simulation"):
        assert macro[section] == micro[section]
    assert macro["seeding"]["strategy"] == "top_degree" and macro["seeding"]["k"] == 1
    assert micro["seeding"]["strategy"] == "random"
    micro_budget = micro["seeding"]["k"] * micro["economics"]["cost_per_seed"]
    # macro: flat fee + rate x about 800 followers
    macro_budget = (
        macro["economics"]["cost_per_seed"] + 800 * macro["economics"]["cost_per_follower"]
    )
    assert micro_budget == macro_budget == 5000


# ---------------------------------------------------------------------------- defaults
def test_default_scenario_is_valid_and_complete():
    s = default_scenario()
    assert s.name == "default-launch"
    assert s.source is None
    assert s.audience == {"generator": "barabasi_albert", "n": 10_000, "m": 4, "rng_seed": None}
    assert s.seeding == {"strategy": "random", "k": 10, "nodes": None}
    assert s.content == {
        "stickiness": 0.25,
        "contagion": 0.5,
        "visibility": 0.5,
        "half_life": None,
    }
    assert s.funnel == {"conversion": 0.05, "referral_multiplier": 2.0}
    assert s.economics["currency"] == "USD"
    assert s.economics["cost_per_seed"] == 50.0
    assert s.simulation == {"runs": 1000, "steps": 50, "rng_seed": 42, "viral_fraction": 0.01}
    assert list(s.data) == [
        "name",
        "description",
        "model",
        *[
            k
            for k in SCHEMA
            if k not in ("name", "description", "model", *MODEL_SECTIONS, *COMPETITION_SECTIONS)
        ],
    ]
    assert s.audience_path() is None


def test_default_scenario_round_trips_through_yaml(tmp_path):
    s = default_scenario()
    path = write(tmp_path, s.to_yaml())
    back = load_scenario(path)
    assert back.data == s.data
    assert back.to_yaml() == s.to_yaml()


def test_empty_sections_take_defaults(tmp_path):
    path = write(tmp_path, "content:\nseeding: {}\n", "my_launch.yaml")
    s = load_scenario(path)
    assert s.name == "my_launch"  # the file name is the default name
    assert s.data["content"] == scenario_from_dict({}).content  # the schema defaults
    assert s.data["content"]["stickiness"] == 0.15
    assert scenario_from_dict({}).name == "scenario"


def test_sections_are_copies():
    s = default_scenario()
    s.content["stickiness"] = 0.9
    s.to_dict()["content"]["stickiness"] = 0.9
    assert s.get("content.stickiness") == 0.25


def test_yaml_details(tmp_path):
    text = "content:\n  stickiness: 1e-3\n  half_life: 3\nname: 2024-01-01\n"
    s = load_scenario(write(tmp_path, text))
    assert s.content["stickiness"] == 0.001  # YAML 1.2 float, not the string '1e-3'
    assert s.content["half_life"] == 3.0 and isinstance(s.content["half_life"], float)
    assert s.name == "2024-01-01"  # dates stay strings


# ---------------------------------------------------------------------------- bad input
BAD = [
    ("unknown-section", "contnet:\n  stickiness: 0.2\n", "contnet", "unknown section"),
    (
        "unknown-key",
        "content:\n  stickyness: 0.2\n",
        "content.stickyness",
        "content allows: stickiness, contagion, visibility, half_life (did you mean",
    ),
    (
        "key-of-another-generator",
        "audience:\n  generator: erdos_renyi\n  m: 3\n",
        "audience.m",
        "generator erdos_renyi allows: generator, n, mean_degree, directed, rng_seed",
    ),
    (
        "probability",
        "content:\n  stickiness: 1.5\n",
        "content.stickiness",
        "must be a probability in [0, 1], got 1.5",
    ),
    ("negative-count", "seeding:\n  k: -3\n", "seeding.k", "must be an integer >= 1, got -3"),
    ("bool-for-int", "simulation:\n  runs: true\n", "simulation.runs", "an integer >= 1, got True"),
    ("bool-for-float", "content:\n  visibility: false\n", "content.visibility", "probability"),
    ("string-for-float", "funnel:\n  conversion: '0.1'\n", "funnel.conversion", "got '0.1'"),
    (
        "choice",
        "seeding:\n  strategy: foo\n",
        "seeding.strategy",
        "must be one of: random, top_degree, nodes; got 'foo'",
    ),
    ("generator", "audience:\n  generator: grid\n", "audience.generator", "barabasi_albert"),
    ("model", "model: viral_magic\n", "model", "must be one of: ewom, social_proof, "),
    ("section-not-mapping", "content: 0.3\n", "content", "must be a mapping"),
    (
        "nodes-missing",
        "seeding:\n  strategy: nodes\n",
        "seeding.nodes",
        "is required when seeding.strategy is nodes",
    ),
    (
        "nodes-without-strategy",
        "seeding:\n  nodes: [1, 2]\n",
        "seeding.nodes",
        "only allowed with seeding.strategy: nodes",
    ),
    (
        "nodes-and-k",
        "seeding:\n  strategy: nodes\n  nodes: [1, 2]\n  k: 5\n",
        "seeding.k",
        "must equal the number of seeding.nodes (2)",
    ),
    ("nodes-repeated", "seeding:\n  strategy: nodes\n  nodes: [3, 3]\n", "seeding.nodes", "3"),
    (
        "nodes-out-of-range",
        "audience:\n  n: 100\nseeding:\n  strategy: nodes\n  nodes: [100]\n",
        "seeding.nodes",
        "unknown user id 100 (a generated audience has ids 0..99)",
    ),
    ("nodes-empty", "seeding:\n  strategy: nodes\n  nodes: []\n", "seeding.nodes", "non-empty"),
    ("nodes-item", "seeding:\n  strategy: nodes\n  nodes: [1, 2.5]\n", "seeding.nodes[1]", "2.5"),
    ("k-above-n", "audience:\n  n: 50\nseeding:\n  k: 51\n", "seeding.k", "audience.n = 50"),
    ("m-vs-n", "audience:\n  n: 5\n  m: 5\n", "audience.m", "at most audience.n - 1 = 4, got 5"),
    ("n-too-small", "audience:\n  n: 1\n", "audience.n", "integer in [2, 2147483647], got 1"),
    (
        "er-mean-degree",
        "audience:\n  generator: erdos_renyi\n  n: 10\n  mean_degree: 10\n",
        "audience.mean_degree",
        "at most audience.n - 1 = 9",
    ),
    (
        "ws-odd",
        "audience:\n  generator: watts_strogatz\n  mean_degree: 5\n",
        "audience.mean_degree",
        "even integer",
    ),
    (
        "powerlaw-exponent",
        "audience:\n  generator: powerlaw\n  exponent: 2\n",
        "audience.exponent",
        "must be a number in (2, 10], got 2",
    ),
    (
        "powerlaw-cutoffs",
        "audience:\n  generator: powerlaw\n  min_degree: 5\n  max_degree: 3\n",
        "audience.max_degree",
        ">= audience.min_degree = 5",
    ),
    (
        "segments-sum",
        "audience:\n  generator: sbm\n  n: 100\n  segments: [50, 40]\n",
        "audience.segments",
        "sum to audience.n = 100",
    ),
    (
        "segment-shares",
        "audience:\n  generator: sbm\n  segments: [0.5, 0.4]\n",
        "audience.segments",
        "fractions must sum to 1",
    ),
    (
        "segment-names",
        "audience:\n  generator: sbm\n  segments: 3\n  segment_names: [a, b]\n",
        "audience.segment_names",
        "one name per segment (3)",
    ),
    (
        "one-segment-homophily",
        "audience:\n  generator: sbm\n  segments: 1\n",
        "audience.homophily",
        "must be 1 when there is a single segment",
    ),
    (
        "sbm-too-dense",
        "audience:\n  generator: sbm\n  n: 20\n  segments: 4\n  mean_degree: 10\n",
        "audience.mean_degree",
        "tie probabilities cannot exceed 1",
    ),
    (
        "referral-cap",
        "funnel:\n  conversion: 0.6\n  referral_multiplier: 2\n",
        "funnel.referral_multiplier",
        "must be <= 1, got 0.6 x 2 = 1.2",
    ),
    ("half-life-zero", "content:\n  half_life: 0\n", "content.half_life", "> 0 or null, got 0"),
    ("viral-fraction", "simulation:\n  viral_fraction: 0\n", "simulation.viral_fraction", "(0, 1]"),
    ("nan", "content:\n  contagion: .nan\n", "content.contagion", "probability"),
    ("negative-money", "economics:\n  cpm: -1\n", "economics.cpm", "must be a number >= 0"),
    ("empty-currency", "economics:\n  currency: ''\n", "economics.currency", "non-empty"),
    ("seed", "simulation:\n  rng_seed: -1\n", "simulation.rng_seed", ">= 0 or null, got -1"),
    ("non-string-key", "content:\n  1: 2\n", "content.1", "unknown key"),
    (
        "edgelist-path-required",
        "audience:\n  generator: edgelist\n",
        "audience.path",
        "is required",
    ),
]


@pytest.mark.parametrize(("text", "key", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_values_name_file_key_and_what_is_allowed(tmp_path, text, key, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = assert_one_line(info.value, str(path), key)
    assert fragment in message


FILE_LEVEL = [
    ("malformed", "content:\n  stickiness: [0.2\n", "line 3"),
    ("bad-indent", "content:\n  stickiness: 0.2\n contagion: 0.3\n", "line 3"),
    ("duplicate-key", "content:\n  stickiness: 0.1\n  stickiness: 0.2\n", "line 3"),
    ("top-level-list", "- content\n- seeding\n", "must be a mapping"),
    ("top-level-scalar", "just text\n", "must be a mapping"),
    ("empty", "", "is empty"),
    ("control-character", "name: a\x00b\n", "line 1"),
    ("two-documents", "name: a\n---\nname: b\n", "line 2, column 1"),
    ("python-tag", "name: !!python/object:os.system x\n", "line 1"),
]


@pytest.mark.parametrize(
    ("text", "fragment"), [b[1:] for b in FILE_LEVEL], ids=[b[0] for b in FILE_LEVEL]
)
def test_file_level_problems(tmp_path, text, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = assert_one_line(info.value, str(path), None)
    assert info.value.key is None
    assert fragment in message


def test_missing_unreadable_and_binary_files(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError, match=r"nope\.yaml: file not found"):
        load_scenario(missing)
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: ok\n\xff\xfe\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(binary)
    assert "line 2: not UTF-8" in assert_one_line(info.value, str(binary), None)


def test_missing_edgelist_names_key_and_resolved_path(tmp_path):
    path = write(tmp_path, "audience:\n  generator: edgelist\n  path: data/friends.txt\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = assert_one_line(info.value, str(path), "audience.path")
    assert str(tmp_path / "data" / "friends.txt") in message


def test_edgelist_path_is_relative_to_the_scenario(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "friends.txt").write_text("0 1\n1 2\n")
    sub = tmp_path / "scenarios"
    sub.mkdir()
    path = write(sub, "audience:\n  generator: edgelist\n  path: ../data/friends.txt\n")
    s = load_scenario(path)
    # the resolved scenario names the file as found, so it works from any folder
    assert s.audience == {
        "generator": "edgelist",
        "path": str((tmp_path / "data" / "friends.txt").resolve()),
        "directed": False,
        "weighted": None,
        "labels": "int",
        "rng_seed": None,
    }
    assert s.audience_path() == (tmp_path / "data" / "friends.txt").resolve()
    assert scenario_from_dict(s.to_dict(), base_dir=tmp_path / "elsewhere").audience_path() == (
        s.audience_path()
    )
    # a dict resolves a relative path against base_dir (the working directory by default)
    relative = {**s.to_dict(), "audience": {**s.audience, "path": "../data/friends.txt"}}
    d = scenario_from_dict(relative, base_dir=sub)
    assert d.audience_path() == s.audience_path()
    with pytest.raises(ScenarioError, match=r"^<scenario>: audience.path: file not found"):
        scenario_from_dict(relative, base_dir=tmp_path / "elsewhere")


def test_dict_errors_use_placeholder_source():
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict({"content": {"stickiness": 2}})
    assert str(info.value).startswith("<scenario>: content.stickiness: must be a probability")
    assert info.value.source == "<scenario>"
    with pytest.raises(ScenarioError, match=r"^<scenario>: the top level must be a mapping"):
        scenario_from_dict([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match=r"^mine: simulation.steps"):
        scenario_from_dict({"simulation": {"steps": 0}}, source="mine")


def test_messages_stay_on_one_line_whatever_the_key():
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict({"content": {"a\nb\u2028c": 1}, "name": "x"})
    assert len(str(info.value).splitlines()) == 1


def test_typed_values_from_code_are_accepted_and_made_plain():
    s = scenario_from_dict(
        {
            "audience": {"n": np.int64(500), "m": 3.0},
            "content": {"stickiness": np.float32(0.25)},
            "seeding": {"strategy": "nodes", "nodes": (np.int64(4), 7)},
        }
    )
    assert type(s.audience["n"]) is int and s.audience["m"] == 3 and type(s.audience["m"]) is int
    assert type(s.content["stickiness"]) is float
    assert s.seeding["nodes"] == [4, 7] and all(type(x) is int for x in s.seeding["nodes"])


# ---------------------------------------------------------------------------- overrides
def test_with_overrides_revalidates():
    s = default_scenario()
    t = s.with_overrides({"content.stickiness": 0.3, "simulation.runs": 10, "name": "probe"})
    assert t.content["stickiness"] == 0.3 and t.simulation["runs"] == 10 and t.name == "probe"
    assert s.content["stickiness"] == 0.25  # the original is untouched
    with pytest.raises(ScenarioError, match=r"content.stickiness: must be a probability"):
        s.with_overrides({"content.stickiness": 1.2})


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("content.stickyness", "content allows: stickiness, contagion, visibility, half_life"),
        ("contnet.stickiness", "unknown key; a scenario allows: name, description"),
        ("audience.m_typo", "generator barabasi_albert allows: generator, n, m, rng_seed"),
        ("content", "content.stickiness, content.contagion"),
        ("content.stickiness.x", "section.key"),
        ("name.first", "name is not a section"),
    ],
)
def test_override_unknown_keys_list_valid_ones(key, fragment):
    with pytest.raises(ScenarioError) as info:
        default_scenario().with_overrides({key: 1})
    message = assert_one_line(info.value, "<scenario>", key)
    assert fragment in message


def test_override_generator_keeps_the_keys_it_accepts():
    s = default_scenario().with_overrides({"audience.generator": "erdos_renyi"})
    assert s.audience == {
        "generator": "erdos_renyi",
        "n": 10_000,
        "mean_degree": 8.0,
        "directed": False,
        "rng_seed": None,
    }
    t = default_scenario().with_overrides(
        {"audience.generator": "watts_strogatz", "audience.mean_degree": 6, "audience.n": 600}
    )
    assert t.audience["mean_degree"] == 6 and t.audience["n"] == 600
    with pytest.raises(ScenarioError, match="generator erdos_renyi allows"):
        default_scenario().with_overrides({"audience.generator": "erdos_renyi", "audience.m": 2})


def test_override_seeding_strategy():
    s = default_scenario().with_overrides({"seeding.strategy": "nodes", "seeding.nodes": [5, 6, 7]})
    assert s.seeding == {"strategy": "nodes", "k": 3, "nodes": [5, 6, 7]}
    back = s.with_overrides({"seeding.strategy": "top_degree"})
    assert back.seeding == {"strategy": "top_degree", "k": 3, "nodes": None}
    with pytest.raises(ScenarioError, match=r"seeding\.nodes: is required"):
        default_scenario().with_overrides({"seeding.strategy": "nodes"})


def test_overrides_from_a_file_keep_the_file_name(tmp_path):
    s = load_scenario(write(tmp_path, "name: x\n"))
    with pytest.raises(ScenarioError) as info:
        s.with_overrides({"seeding.k": 0})
    assert_one_line(info.value, str(tmp_path / "scenario.yaml"), "seeding.k")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("content.stickiness=0.2", ("content.stickiness", 0.2)),
        ("content.stickiness = 1e-3", ("content.stickiness", 0.001)),
        ("simulation.runs=100", ("simulation.runs", 100)),
        ("audience.directed=true", ("audience.directed", True)),
        ("content.half_life=null", ("content.half_life", None)),
        ("content.half_life=", ("content.half_life", None)),
        ("seeding.nodes=[1, 2, alice]", ("seeding.nodes", [1, 2, "alice"])),
        ("name=spring launch", ("name", "spring launch")),
        ("description=a=b", ("description", "a=b")),
    ],
)
def test_parse_override(text, expected):
    assert parse_override(text) == expected


@pytest.mark.parametrize("text", ["content.stickiness", "=0.2", "a..b=1", "x y=1", "a=[1"])
def test_parse_override_rejects_malformed(text):
    with pytest.raises(ScenarioError) as info:
        parse_override(text)
    assert len(str(info.value).splitlines()) == 1
    assert str(info.value).startswith("<override>")


def test_get():
    s = default_scenario()
    assert s.get("audience.m") == 4
    assert s.get("name") == "default-launch"
    assert s.get("funnel") == {"conversion": 0.05, "referral_multiplier": 2.0}
    with pytest.raises(ScenarioError, match=r"content\.stickyness: unknown key; content allows"):
        s.get("content.stickyness")


# ---------------------------------------------------------------------------- graph checks
def small_graph(labels=None) -> CSRGraph:
    # path 0 - 1 - 2 - 3, stored both ways
    indptr = np.array([0, 1, 3, 5, 6], dtype=np.int64)
    indices = np.array([1, 0, 2, 1, 3, 2], dtype=np.int32)
    lab = None
    if labels is not None:
        lab = np.empty(len(labels), dtype=object)
        lab[:] = labels
    return CSRGraph(indptr, indices, labels=lab)


def nodes_scenario(nodes, k=None, tmp_path=None):
    seeding = {"strategy": "nodes", "nodes": nodes}
    if k is not None:
        seeding["k"] = k
    (tmp_path / "edges.txt").write_text("0 1\n")
    return scenario_from_dict(
        {"audience": {"generator": "edgelist", "path": "edges.txt"}, "seeding": seeding},
        source="fb.yaml",
        base_dir=tmp_path,
    )


def test_check_seed_nodes(tmp_path):
    check_seed_nodes(nodes_scenario([0, 3], tmp_path=tmp_path), small_graph())
    with pytest.raises(ScenarioError) as info:
        check_seed_nodes(nodes_scenario([0, 999999], tmp_path=tmp_path), small_graph())
    message = assert_one_line(info.value, "fb.yaml", "seeding.nodes")
    assert "unknown user id 999999 (the audience has ids 0..3)" in message

    labelled = small_graph([10, 20, 30, 40])
    check_seed_nodes(nodes_scenario([20, 40], tmp_path=tmp_path), labelled)
    with pytest.raises(ScenarioError, match=r"unknown user id 999999 \(the audience has 4 users"):
        check_seed_nodes(nodes_scenario([999999], tmp_path=tmp_path), labelled)
    with pytest.raises(ScenarioError, match="did you mean 20"):
        check_seed_nodes(nodes_scenario(["20"], tmp_path=tmp_path), labelled)

    too_many = scenario_from_dict(
        {"audience": {"generator": "edgelist", "path": "edges.txt"}, "seeding": {"k": 5}},
        base_dir=tmp_path,
    )
    with pytest.raises(ScenarioError, match=r"seeding\.k: must be at most the audience size 4"):
        check_seed_nodes(too_many, small_graph())


@pytest.mark.skipif(not FACEBOOK.exists(), reason="facebook data not there yet")
def test_facebook_scenario_seeds_are_users_of_the_file():
    ids = np.unique(np.loadtxt(FACEBOOK, dtype=np.int64, comments="#"))
    labels = np.empty(ids.size, dtype=object)
    labels[:] = ids.tolist()
    ids_only = CSRGraph(
        np.zeros(ids.size + 1, dtype=np.int64), np.empty(0, np.int32), labels=labels
    )
    check_seed_nodes(load_scenario(ROOT / "scenarios" / "facebook_real_audience.yaml"), ids_only)


# ---------------------------------------------------------------------------- schema
def all_params():
    for key, spec in SCHEMA.items():
        if isinstance(spec, Param):
            yield key, spec
        else:
            for sub, p in spec.items():
                yield f"{key}.{sub}", p
    for generator, params in GENERATOR_SCHEMA.items():
        for sub, p in params.items():
            yield f"audience.{sub}@{generator}", p


def test_schema_table_documents_every_key():
    rows = schema_table()
    assert all(len(row) == 4 and all(isinstance(x, str) for x in row) for row in rows)
    keys = {row[0].split(" ")[0] for row in rows}
    for key, _ in all_params():
        assert key.split("@")[0] in keys
    assert all(row[3] for row in rows), "every key has a description"


@pytest.mark.parametrize(
    ("key", "spec"),
    [(k, p) for k, p in all_params() if p.kind in ("int", "float") and p.low is not None],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_declared_lower_bounds_are_enforced(key, spec):
    """Every declared range is checked (NDlib declares ranges it never checks)."""
    section, _, rest = key.partition(".")
    name, _, generator = rest.partition("@")
    below = spec.low - 1 if spec.closed in ("both", "left") else spec.low
    data = {section: {name: below}}
    if generator:
        data[section]["generator"] = generator
        if generator == "edgelist":
            pytest.skip("needs a file")
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert info.value.key == f"{section}.{name}"


# ---------------------------------------------------------------------------- params
def test_param_primitives():
    p = Param("int", 1, low=1, description="x")
    assert validate(3.0, p, "k") == 3
    with pytest.raises(ParamError, match=r"^k: must be an integer >= 1, got 2.5"):
        validate(2.5, p, "k")
    with pytest.raises(ParamError, match="got True"):
        validate(True, p, "k")
    f = Param("float", 0.5, low=0, high=1)
    assert validate(1, f, "p") == 1.0 and type(validate(1, f, "p")) is float
    with pytest.raises(ParamError, match=r"probability in \[0, 1\], got inf"):
        validate(math.inf, f, "p")
    b = Param("bool", False)
    with pytest.raises(ParamError, match="boolean"):
        validate(1, b, "flag")
    req = Param("str")
    assert req.default is REQUIRED and req.required
    with pytest.raises(ParamError, match=r"^s\.path: is required"):
        validate_mapping({}, {"path": req}, "s")
    assert validate_mapping(None, {"a": f}, "s") == {"a": 0.5}
    with pytest.raises(ParamError, match="unknown key; s allows: a"):
        validate_mapping({"b": 1}, {"a": f}, "s")


# ---------------------------------------------------------------------------- robustness
@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("garbage")


FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(text=st.one_of(st.text(), st.text(alphabet="ab:-[]{}\n ,'\"!&*#|>?%@`1.")))
def test_any_text_gives_a_scenario_or_a_scenario_error(scratch, text):
    path = scratch / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        assert isinstance(load_scenario(path), Scenario)
    except ScenarioError as exc:
        assert len(str(exc).splitlines()) == 1


@FAST
@given(data=st.binary(max_size=200))
def test_any_bytes_give_a_scenario_or_a_scenario_error(scratch, data):
    path = scratch / "fuzz.bin"
    path.write_bytes(data)
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert len(str(exc).splitlines()) == 1


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=10),
    st.sampled_from(["nodes", "random", "sbm", "edgelist", "powerlaw", "ewom"]),
)
KEYS = st.one_of(
    st.text(max_size=8),
    st.integers(),
    st.sampled_from(
        sorted(
            {k.split("@")[0].split(".")[-1] for k, _ in all_params()} | set(SCHEMA) | {"generator"}
        )
    ),
)
NESTED = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=12,
)


def near_valid():
    """Dicts shaped like scenarios, with random values in the right places."""
    sections = {}
    for section, params in SCHEMA.items():
        if isinstance(params, Param):
            sections[section] = NESTED
            continue
        keys = list(params)
        if section == "audience":
            keys = sorted({k for p in GENERATOR_SCHEMA.values() for k in p} | set(keys))
        sections[section] = st.dictionaries(st.sampled_from(keys), NESTED, max_size=4)
    return st.fixed_dictionaries({}, optional=sections)


@FAST
@given(data=st.one_of(NESTED, near_valid()))
def test_any_dict_gives_a_scenario_or_a_scenario_error(data):
    try:
        s = scenario_from_dict(data)
    except ScenarioError as exc:
        assert len(str(exc).splitlines()) == 1
    else:
        # anything accepted is complete, plain and reloadable
        assert scenario_from_dict(yaml.safe_load(s.to_yaml())).data == s.data


@FAST
@given(data=near_valid())
def test_any_dict_written_as_yaml_loads_or_fails_cleanly(scratch, data):
    path = scratch / "near.yaml"
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        return
    path.write_text(text, encoding="utf-8")
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert len(str(exc).splitlines()) == 1


BASES = [
    {},
    {
        "audience": {
            "generator": "sbm",
            "n": 60,
            "segments": [0.5, 0.5],
            "segment_names": ["a", "b"],
        }
    },
    {"audience": {"generator": "powerlaw", "n": 40, "max_degree": 10}},
    {"audience": {"generator": "watts_strogatz", "n": 30, "mean_degree": 4}},
    {"audience": {"generator": "erdos_renyi", "n": 30, "mean_degree": 3.5}},
    {"seeding": {"strategy": "nodes", "nodes": [1, 2]}, "audience": {"n": 20, "m": 2}},
]
NUMBERS = st.one_of(
    st.integers(-3, 70),
    st.floats(-1, 70, allow_nan=False),
    st.sampled_from([0, 1, 2, 0.5, 1.0, None, True, 2**31, 1e300]),
    st.lists(st.one_of(st.integers(-1, 40), st.floats(0, 1), st.text(max_size=3)), max_size=4),
)
SLOTS = st.sampled_from(
    sorted({(k.split(".")[0], k.split("@")[0].split(".")[1]) for k, _ in all_params() if "." in k})
)


@FAST
@given(base=st.sampled_from(BASES), changes=st.lists(st.tuples(SLOTS, NUMBERS), max_size=3))
def test_mutated_scenarios_give_a_scenario_or_a_scenario_error(base, changes):
    data = copy.deepcopy(base)
    for (section, key), value in changes:
        data.setdefault(section, {})[key] = value
    try:
        s = scenario_from_dict(data)
    except ScenarioError as exc:
        assert len(str(exc).splitlines()) == 1
        assert exc.key is None or exc.key.split(".")[0] in SCHEMA
    else:
        assert scenario_from_dict(s.to_dict()).data == s.data
        assert s.seeding["k"] <= s.audience["n"]
