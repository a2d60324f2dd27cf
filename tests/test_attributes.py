"""Users' attributes: tables joined by user id (every bad input one line, exit 2 from
the CLI), attributes drawn from shares, and their place on the audience."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import assert_clean_error, invoke

from smmsim.attributes import AttributeTableError, draw_attributes, read_attribute_table
from smmsim.audience import build_audience
from smmsim.generators import barabasi_albert
from smmsim.graph import CSRGraph
from smmsim.scenario import ScenarioError, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent


def _graph(n: int = 5) -> CSRGraph:
    return CSRGraph.from_edges(np.arange(n - 1), np.arange(1, n), n)


def _write(tmp_path: Path, text: str, name: str = "users.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = (
    "user,age_band,region\n0,18-24,urban\n1,25-34,rural\n2,18-24,rural\n3,35+,urban\n"
    "4,25-34,urban\n"
)


def test_a_table_is_joined_by_user_id_whatever_the_row_order(tmp_path):
    rows = GOOD.splitlines()
    shuffled = "\n".join([rows[0], *reversed(rows[1:])]) + "\n"
    for text in (GOOD, shuffled):
        attrs = read_attribute_table(_write(tmp_path, text), _graph())
        codes, values = attrs["age_band"]
        assert values == ("18-24", "25-34", "35+")
        assert [values[c] for c in codes] == ["18-24", "25-34", "18-24", "35+", "25-34"]
        codes, values = attrs["region"]
        assert [values[c] for c in codes] == ["urban", "rural", "rural", "urban", "urban"]
        assert codes.dtype == np.int32


def test_a_parquet_table_reads_like_the_csv(tmp_path):
    frame = pd.read_csv(_write(tmp_path, GOOD), dtype=str)
    path = tmp_path / "users.parquet"
    frame.to_parquet(path)
    a = read_attribute_table(path, _graph())
    b = read_attribute_table(tmp_path / "users.csv", _graph())
    for name in b:
        np.testing.assert_array_equal(a[name][0], b[name][0])
        assert a[name][1] == b[name][1]
    frame.loc[2, "region"] = None
    frame.to_parquet(path)
    with pytest.raises(AttributeTableError, match=r"users.parquet: row 3: empty value in column"):
        read_attribute_table(path, _graph())


def test_labels_of_an_edge_list_are_the_ids(tmp_path):
    g = CSRGraph.from_edges(np.array([0, 1]), np.array([1, 2]), 3)
    labels = np.empty(3, dtype=object)
    labels[:] = ["ann", "bob", "cy"]
    g = CSRGraph(g.indptr, g.indices, labels=labels)
    attrs = read_attribute_table(_write(tmp_path, "user,tier\ncy,gold\nann,silver\nbob,gold\n"), g)
    codes, values = attrs["tier"]
    assert [values[c] for c in codes] == ["silver", "gold", "gold"]


BAD_TABLES = [
    ("", "users.csv: is empty; expected a header line with a 'user' column"),
    ("id,age\n0,1\n", "users.csv:1: no 'user' column of user ids; the header has: id, age"),
    ("users,age\n0,1\n", "(did you mean 'users'?)"),
    ("user\n0\n1\n", "users.csv:1: has no attribute columns besides 'user'"),
    ("user,age,age\n0,1,1\n", "users.csv:1: column 'age' appears twice"),
    ("user,age\n0,1\n1,2,3\n", "users.csv:3: expected 2 fields (user, age), got 3"),
    ("user,age\n0,1\n9,2\n", "users.csv:3: unknown user id '9' (the audience has ids 0..4)"),
    ("user,age\n0,1\nx,2\n", "users.csv:3: unknown user id 'x'"),
    ("user,age\n0,1\n,2\n", "users.csv:3: empty 'user' id"),
    ("user,age\n0,1\n1,\n", "users.csv:3: empty value in column 'age' (user '1')"),
    (
        "user,age\n0,1\n1,2\n0,3\n",
        "users.csv:4: user '0' has a second row (the first is at line 2)",
    ),
    (
        "user,age\n0,1\n2,2\n",
        "users.csv: 3 of the audience's 5 users have no row (every user needs one): 1, 3, 4",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_TABLES)
def test_a_bad_table_is_one_line_naming_the_file_and_the_line(tmp_path, text, message):
    with pytest.raises(AttributeTableError) as info:
        read_attribute_table(_write(tmp_path, text), _graph(), shown="users.csv")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_users_are_counted_and_the_first_few_named(tmp_path):
    text = "user,age\n" + "".join(f"{v},a\n" for v in range(0, 100, 10))
    with pytest.raises(
        AttributeTableError, match=r"90 of the audience's 100 users .*: 1, 2, 3, 4, 5, \.\.\.$"
    ):
        read_attribute_table(_write(tmp_path, text), _graph(100))


def _scenario(tmp_path: Path, table: str | None, **extra) -> dict:
    audience = {"generator": "barabasi_albert", "n": 5, "m": 1, "rng_seed": 3}
    if table is not None:
        _write(tmp_path, table)
        audience["attributes"] = "users.csv"
    return {"audience": audience, "simulation": {"runs": 20, "steps": 5}, **extra}


def test_the_table_is_read_from_the_scenario_folder_and_listed_in_the_report(tmp_path):
    import yaml

    path = tmp_path / "sc.yaml"
    path.write_text(yaml.safe_dump(_scenario(tmp_path, GOOD, seeding={"k": 1})))
    out = invoke("run", path, "--runs", 20)
    assert out.exit_code == 0, out.output
    assert "attributes: age_band (3 values), region (2 values)" in out.output


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ("user,age\n0,1\n1,2\n", "users.csv: 3 of the audience's 5 users have no row"),
        ("user,age\n0,1\n7,2\n", "users.csv:3: unknown user id '7'"),
        ("user,age\n0,\n", "users.csv:2: empty value in column 'age'"),
        ("user,age\n0,a\n0,b\n", "users.csv:3: user '0' has a second row"),
    ],
)
def test_the_cli_exits_2_with_one_line_for_a_bad_table(tmp_path, table, needle):
    import yaml

    path = tmp_path / "sc.yaml"
    path.write_text(yaml.safe_dump(_scenario(tmp_path, table, seeding={"k": 1})))
    assert_clean_error(invoke("run", path, "--runs", 5), needle)


def test_a_missing_table_is_a_scenario_error(tmp_path):
    data = _scenario(tmp_path, None)
    data["audience"]["attributes"] = "nope.csv"
    with pytest.raises(ScenarioError, match=r"audience.attributes: file not found: .*nope.csv"):
        scenario_from_dict(data, base_dir=tmp_path)


# ---------------------------------------------------------------------- drawn attributes
SHARES = {"18-24": 0.3, "25-34": 0.45, "35+": 0.25}


def test_drawn_shares_are_reproducible_and_close_to_the_requested_shares():
    n = 200_000
    a = draw_attributes(n, {"age_band": SHARES, "region": {"urban": 0.6, "rural": 0.4}}, 11)
    b = draw_attributes(n, {"age_band": SHARES, "region": {"urban": 0.6, "rural": 0.4}}, 11)
    c = draw_attributes(n, {"age_band": SHARES}, 12)
    np.testing.assert_array_equal(a["age_band"][0], b["age_band"][0])
    assert not np.array_equal(a["age_band"][0], c["age_band"][0])
    assert a["age_band"][1] == ("18-24", "25-34", "35+")
    for name, shares in (("age_band", SHARES), ("region", {"urban": 0.6, "rural": 0.4})):
        codes, values = a[name]
        counts = np.bincount(codes, minlength=len(values))
        for i, v in enumerate(values):
            p = shares[v]
            se = np.sqrt(p * (1 - p) / n)
            assert abs(counts[i] / n - p) < 4 * se, (name, v)
    # two attributes are drawn independently
    both = np.mean((a["age_band"][0] == 0) & (a["region"][0] == 0))
    assert abs(both - 0.3 * 0.6) < 4 * np.sqrt(0.18 * 0.82 / n)


def test_a_zero_share_is_never_drawn():
    codes, values = draw_attributes(10_000, {"x": {"a": 0.0, "b": 1.0}}, 1)["x"]
    assert values == ("a", "b") and (codes == 1).all()


def test_a_scenario_draws_the_same_audience_for_the_same_seed(tmp_path):
    data = _scenario(tmp_path, None)
    data["audience"].update(n=2000, draw={"age_band": SHARES})
    g1 = build_audience(scenario_from_dict(data))
    g2 = build_audience(scenario_from_dict(data))
    np.testing.assert_array_equal(g1.attributes["age_band"][0], g2.attributes["age_band"][0])
    data["audience"]["rng_seed"] = 4
    g3 = build_audience(scenario_from_dict(data))
    assert not np.array_equal(g1.attributes["age_band"][0], g3.attributes["age_band"][0])
    # the graph itself is the one the generator makes without attributes
    plain = barabasi_albert(2000, 1, rng=3)
    np.testing.assert_array_equal(g1.indices, plain.indices)


@pytest.mark.parametrize(
    ("draw", "needle"),
    [
        ({"age": {"a": 0.5, "b": 0.4}}, "audience.draw.age: shares must sum to 1, got 0.9"),
        ({"age": {"a": 1.5, "b": -0.5}}, "audience.draw.age.a: must be a share in [0, 1]"),
        ({"age": []}, "audience.draw.age: must be a mapping of values to shares"),
        ({"user": {"a": 1.0}}, "audience.draw.user: 'user' is the user id"),
        ([1, 2], "audience.draw: must be a mapping of attribute names"),
    ],
)
def test_bad_shares_are_one_line(tmp_path, draw, needle):
    data = _scenario(tmp_path, None)
    data["audience"]["draw"] = draw
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert needle in str(info.value)


def test_sbm_segments_are_attribute_segment_and_a_name_given_twice_is_refused(tmp_path):
    data = {
        "audience": {
            "generator": "sbm",
            "n": 300,
            "segments": [0.5, 0.5],
            "segment_names": ["a", "b"],
            "mean_degree": 4,
            "homophily": 0.8,
            "rng_seed": 1,
        }
    }
    g = build_audience(scenario_from_dict(data))
    codes, values = g.attributes["segment"]
    assert values == ("a", "b")
    np.testing.assert_array_equal(codes, g.segments)
    data["audience"]["draw"] = {"segment": {"x": 1.0}}
    with pytest.raises(ScenarioError, match="attribute 'segment' is given twice"):
        build_audience(scenario_from_dict(data))


def test_a_scenario_without_attributes_resolves_as_before():
    sc = scenario_from_dict({})
    assert "attributes" not in sc.audience and "draw" not in sc.audience
    assert build_audience(sc).attributes == {}


def test_validate_checks_the_table_and_the_segments_without_building_the_graph(tmp_path):
    import yaml

    data = _scenario(tmp_path, "user,age\n0,a\n1,b\n2,a\n3,a\n", seeding={"k": 1})
    data["segments"] = {"by": "age"}
    path = tmp_path / "sc.yaml"
    path.write_text(yaml.safe_dump(data))
    assert_clean_error(
        invoke("validate", path), "users.csv: 1 of the audience's 5 users has no row", ": 4"
    )
    _write(tmp_path, "user,age\n0,a\n1,b\n2,a\n3,a\n4,b\n")
    assert invoke("validate", path).exit_code == 0
    data["segments"] = {"by": "agee"}
    path.write_text(yaml.safe_dump(data))
    assert_clean_error(invoke("validate", path), "(did you mean 'age'?)")
    data["segments"] = {"by": "age"}
    data["target"] = ["c"]
    path.write_text(yaml.safe_dump(data))
    assert_clean_error(invoke("validate", path), "target: unknown segment 'c'")
