"""The app's pieces that need no browser: the form read from the declared parameters,
uploads, the headline, paired differences and the command's checks."""

from __future__ import annotations

import math

import pytest
from cli_helpers import invoke

import smmsim
from smmsim.app.fields import apply_texts, field_text, scenario_fields, sections
from smmsim.app.headline import headline
from smmsim.app.server import exposed
from smmsim.app.uploads import MAX_EDGE_LIST_BYTES, Uploads
from smmsim.compare import paired_differences
from smmsim.generator_registry import GENERATORS
from smmsim.models import MODELS
from smmsim.reporting.report import metric_text
from smmsim.scenario import SECTIONS, TOP_LEVEL, ScenarioError, scenario_from_bytes
from smmsim.scenario.schema import OPTIMIZER_KEYS


def _keys(sc):
    return [f.key for f in scenario_fields(sc)]


def test_every_declared_key_is_a_field_with_its_declaration():
    sc = smmsim.default_scenario()
    fields = {f.key: f for f in scenario_fields(sc)}
    for key, param in TOP_LEVEL.items():
        assert fields[key].param is param
    for section, params in SECTIONS.items():
        if section == "audience":
            continue
        for key, param in params.items():
            if section == "seeding" and key in OPTIMIZER_KEYS:
                continue  # the optimiser's keys: fields once the strategy is optimize (below)
            f = fields[f"{section}.{key}"]
            assert f.param is param
            assert f.value == sc.get(f"{section}.{key}")
            assert param.description in f.help
    for key, param in GENERATORS["barabasi_albert"].params.items():
        assert fields[f"audience.{key}"].param is param
    assert fields["content.stickiness"].control == "text"
    assert fields["model"].control == "choice"
    assert fields["content.stickiness"].label == "stickiness (probability in [0, 1])"
    optimize = sc.with_overrides({"seeding.strategy": "optimize", "seeding.budget": 500.0})
    fields = {f.key: f for f in scenario_fields(optimize)}
    for key in ("budget", "objective", "method"):
        assert fields[f"seeding.{key}"].param is SECTIONS["seeding"][key]


@pytest.mark.parametrize("model", [m for m in MODELS if MODELS[m].section is not None])
def test_a_models_own_section_appears_when_selected(model):
    sc = apply_texts(smmsim.default_scenario(), {"model": model})
    section = MODELS[model].section
    shown = [k for k in _keys(sc) if k.startswith(f"{section}.")]
    assert shown == [f"{section}.{k}" for k in MODELS[model].params]
    titles = [title for _, title, _ in sections(scenario_fields(sc))]
    assert titles[:2] == ["Scenario", "Content"]


def test_switching_generator_shows_its_keys():
    sc = apply_texts(smmsim.default_scenario(), {"audience.generator": "watts_strogatz"})
    assert "audience.rewire" in _keys(sc)
    assert "audience.m" not in _keys(sc)


def test_texts_are_read_as_the_command_line_reads_them():
    sc = smmsim.default_scenario()
    new = apply_texts(sc, {"content.half_life": "6", "seeding.k": "3", "name": "yes"})
    assert new.content["half_life"] == 6.0
    assert new.seeding["k"] == 3
    assert new.name == "yes"  # plain text stays text
    assert field_text(None) == "null" and field_text([1, "a"]) == "[1, a]"
    for key, text in [
        ("content.stickiness", "1.5"),
        ("audience.n", "-3"),
        ("simulation.runs", "many"),
        ("seeding.strategy", "everyone"),
    ]:
        with pytest.raises(ScenarioError) as caught:
            apply_texts(sc, {key: text})
        cli = invoke("run", "--set", f"{key}={text}")
        assert cli.exit_code == 2
        assert cli.output.strip() == f"Error: {caught.value}"


def test_uploaded_scenarios_say_what_validate_says(tmp_path):
    up = Uploads()
    try:
        for name, text in [
            ("bad.yaml", "content: [1, 2\n"),
            ("unknown.yaml", "content:\n  stickyness: 0.2\n"),
            ("range.yaml", "content:\n  stickiness: 2\n"),
            ("list.yaml", "- 1\n- 2\n"),
        ]:
            path = tmp_path / name
            path.write_text(text)
            with pytest.raises(ScenarioError) as caught:
                up.scenario(name, text.encode())
            cli = invoke("validate", path)
            assert cli.output.strip() == f"Error: {caught.value}".replace(name, str(path), 1)
        with pytest.raises(ScenarioError, match="too large for a scenario file"):
            up.scenario("big.yaml", b"#" * (2**20 + 1))
        edges = b"audience:\n  generator: edgelist\n  path: /etc/passwd\n"
        with pytest.raises(ScenarioError, match="needs its edge list uploaded"):
            up.scenario("edges.yaml", edges)
        for odd in ("..", ".", ".hidden", "a b"):
            odd_sc = up.edge_list(odd, b"1 2\n", smmsim.default_scenario())
            assert odd_sc.audience_path() == up.folder / "audience" / "edges.txt"
        sc = up.edge_list("../friends.txt", b"1 2\n2 3\n3 1\n", smmsim.default_scenario())
        assert sc.audience_path().parent == up.folder / "audience"
        sc = up.scenario("edges.yaml", edges)
        assert sc.audience_path() == up.edges  # never the path the file names
        assert up.portable(sc.to_dict())["audience"]["path"] == "friends.txt"
        with pytest.raises(smmsim.EdgeListError, match=r"friends.txt:2: ") as caught:
            up.edge_list("friends.txt", b"1 2\n3\n", sc)
        with pytest.raises(smmsim.EdgeListError, match="too large"):
            up.edge_list("huge.txt", b"1 2\n" * (MAX_EDGE_LIST_BYTES // 4 + 1), sc)
        folder = up.folder
    finally:
        up.close()
    assert not folder.exists()


def test_scenario_from_bytes_is_load_scenario(tmp_path):
    path = tmp_path / "s.yaml"
    text = smmsim.default_scenario().to_yaml()
    path.write_text(text)
    assert scenario_from_bytes(text.encode(), "s.yaml").data == smmsim.load_scenario(path).data


def test_headline_is_the_report():
    sc = smmsim.default_scenario().with_overrides({"audience.n": 2000, "simulation.runs": 100})
    res = smmsim.simulate(sc)
    figures = {f.key: f for f in headline(res)}
    report = res.report()
    for key in ("reach", "earned_reach", "conversions", "roi"):
        assert figures[key].value == metric_text(res.summary, key)
        assert figures[key].value in report
    assert figures["pays_back"].value == f"{res.mean('pays_back'):.1%}"
    assert figures["viral"].value == f"{res.p_viral:.1%}"


def test_paired_differences():
    sc = smmsim.default_scenario().with_overrides({"audience.n": 2000})
    a = smmsim.simulate(sc, runs=60, rng=3)
    same = paired_differences(a, smmsim.simulate(sc, runs=60, rng=3))
    assert (same["diff_mean"] == 0).all() and (same["b_higher"] == 0).all()
    b = smmsim.simulate(sc.with_overrides({"content.stickiness": 0.35}), runs=60, rng=3)
    t = paired_differences(a, b)
    assert t.loc["reach", "diff_mean"] == pytest.approx(b.mean("reach") - a.mean("reach"))
    assert t.loc["reach", "diff_ci_low"] < t.loc["reach", "diff_mean"]
    assert math.isclose(t.loc["reach", "b_higher"] + t.loc["reach", "a_higher"], 1.0) or (
        t.loc["reach", "b_higher"] + t.loc["reach", "a_higher"] < 1.0
    )
    with pytest.raises(ValueError, match="same runs and seed"):
        paired_differences(a, smmsim.simulate(sc, runs=60, rng=4))


def test_exposed_addresses_and_the_command():
    assert not exposed("127.0.0.1") and not exposed("localhost") and not exposed("::1")
    assert exposed("0.0.0.0") and exposed("192.168.1.10") and exposed("example.org")
    out = invoke("app", "--help")
    assert out.exit_code == 0 and "--port" in out.output and "127.0.0.1" in out.output


def test_a_cancelled_job_ends_its_thread_and_errors_are_one_line():
    from smmsim.app.jobs import Job

    sc = smmsim.default_scenario().with_overrides({"audience.n": 2000})
    job = Job([sc], runs=500_000, rng_seed=1).start()
    while job.finished_runs == 0 and not job.done:
        job.wait(0.01)
    job.cancel()
    assert job.wait(30)
    assert job.cancelled and not job.results and not job._thread.is_alive()
    assert job.finished_runs < 500_000

    done = Job([sc, sc.with_overrides({"content.stickiness": 0.3})], runs=40, rng_seed=5)
    assert done.start().wait(60) and done.error is None and len(done.results) == 2
    assert done.fraction == 1.0 and all(r.rng_seed == 5 for r in done.results)

    huge = Job([sc.with_overrides({"audience.n": 2_000_000_000})], runs=10, rng_seed=1)
    assert huge.start().wait(60)
    assert huge.error is not None and "needs about" in huge.error and "\n" not in huge.error


def test_goals_in_the_app_never_name_a_file_on_the_server(tmp_path):
    """Absolute goals are typed or uploaded like any key and headline their probability;
    a lift goal's baseline file (a path on the server) is refused in one line."""
    from smmsim.app.fields import apply_texts

    sc = smmsim.default_scenario().with_overrides({"audience.n": 2000, "simulation.runs": 80})
    goal = "[{metric: conversions, at_least: 5, by: 20}]"
    res = smmsim.simulate(apply_texts(sc, {"goals": goal}))
    figures = {f.key: f for f in headline(res)}
    g = res.extra["goals"][0]
    assert figures["goal0"].value == f"{g['probability']:.1%}"
    assert f"{g['probability']:.1%}" in res.report()
    lift = "[{metric: reach, lift: 0.1, baseline: /etc/hostname}]"
    with pytest.raises(ScenarioError, match=r"goals\[0\]\.baseline: a scenario from elsewhere"):
        apply_texts(sc, {"goals": lift})
    up = Uploads()
    try:
        text = f"goals: {lift}\n".encode()
        with pytest.raises(ScenarioError, match=r"goals\[0\]\.baseline: a scenario from elsewhere"):
            up.scenario("lift.yaml", text)
    finally:
        up.close()
