"""The browser app in a real browser: Playwright driving the system's Chromium.

The server runs in this process, in a thread, on a free port. The tests change
controls, run, and check the numbers on the page against ``smmsim run`` and
``simulate()`` of the scenario the page lets one download; they run a comparison, step
the classroom, upload bad files and run two sessions at once. Screenshots are saved
under the test's temporary folder (``SMMSIM_SCREENSHOTS`` names another).

Without Playwright or Chromium the tests are skipped, saying why, unless
``SMMSIM_REQUIRE_BROWSER=1`` (CI), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from cli_helpers import invoke

CHROMIUM = os.environ.get("SMMSIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REQUIRED = os.environ.get("SMMSIM_REQUIRE_BROWSER", "") == "1"
TIMEOUT_MS = 120_000  # a first run may wait for kernels to compile


def _missing() -> str | None:
    try:
        import panel  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the browser tests need {exc.name} (pip install -e '.[test]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def _require_browser():
    why = _missing()
    if why is None:
        return
    if REQUIRED:
        pytest.fail(f"SMMSIM_REQUIRE_BROWSER=1 but {why}")
    pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    _require_browser()
    from smmsim.app.server import serve

    port = _free_port()
    thread = serve(host="127.0.0.1", port=port, show=False, threaded=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    # the kernels compile at start-up, holding the interpreter for seconds at a time:
    # the tests start on a warm server, as a user's second visit would
    from smmsim.app.jobs import kernels_ready

    deadline = time.monotonic() + 900
    while not kernels_ready() and time.monotonic() < deadline:
        time.sleep(0.5)
    yield url
    thread.stop()


@pytest.fixture(scope="module")
def app_browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SMMSIM_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.locator(".run button").wait_for()
    return page


def _type(page, css_key, text, prefix="a"):
    box = page.locator(f".{prefix}-field-{css_key} input")
    box.fill(text)
    box.press("Enter")


def _expand(page, section, prefix="a"):
    card = page.locator(f".{prefix}-section-{section}")
    if card.locator("input").first.is_hidden():
        card.locator(".card-header").first.click()


def _download(page, css, path):
    with page.expect_download() as info:
        page.locator(f".{css} a, .{css} button").first.click()
    info.value.save_as(path)
    return path


def _headline(page) -> dict[str, str]:
    out = {}
    for el in page.locator(".headline [data-key]").all():
        out[el.get_attribute("data-key")] = el.inner_text().strip()
    return out


def _run_and_wait(page):
    page.locator(".run button").click()
    page.locator(".status .done").wait_for()
    return _headline(page)


def _set_small_run(page, stickiness="0.3", runs="200"):
    _type(page, "content-stickiness", stickiness)
    _expand(page, "simulation")
    _type(page, "simulation-runs", runs)
    page.wait_for_timeout(300)


def _report_mean(report: str, label: str) -> str:
    line = next(x for x in report.splitlines() if x.startswith(label))
    return line[34:46].strip()


def test_whatif_numbers_equal_the_command_line(app_browser, server, shots, tmp_path):
    import smmsim
    from smmsim.app.headline import headline

    page = _open(app_browser, server)
    page.screenshot(path=shots / "whatif-start.png", full_page=True)
    _set_small_run(page)
    shown = _run_and_wait(page)
    page.locator(".figure-adoption").wait_for()
    page.screenshot(path=shots / "whatif-results.png", full_page=True)

    yaml_file = _download(page, "download-yaml", tmp_path / "downloaded.yaml")
    sc = smmsim.load_scenario(yaml_file)
    assert sc.content["stickiness"] == 0.3 and sc.simulation["runs"] == 200
    res = smmsim.simulate(sc)
    assert shown["rng_seed"] == str(res.rng_seed)
    for f in headline(res):
        assert shown[f.key] == f.value, f.key
    cli = invoke("run", yaml_file)
    assert cli.exit_code == 0, cli.output
    assert _report_mean(cli.output, "Reach (unique users)") == shown["reach"]
    assert _report_mean(cli.output, "Conversions") == shown["conversions"]
    assert _report_mean(cli.output, "ROI") == shown["roi"]

    import json

    import pandas as pd

    runs = pd.read_csv(_download(page, "download-csv", tmp_path / "runs.csv"))
    assert len(runs) == 200 and runs["reach"].mean() == pytest.approx(res.mean("reach"))
    summary = json.loads(_download(page, "download-json", tmp_path / "s.json").read_text())
    assert summary["rng_seed"] == res.rng_seed
    png = _download(page, "download-adoption", tmp_path / "adoption.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    page.close()


def test_compare_runs_both_with_common_random_numbers(app_browser, server, shots):
    import smmsim
    from smmsim.compare import paired_differences

    page = _open(app_browser, server)
    _set_small_run(page, stickiness="0.25", runs="150")
    page.locator(".bk-tab", has_text="Compare").click()
    page.locator(".copy-a button").click()
    page.locator(".changed .same").wait_for()
    page.wait_for_timeout(1000)  # the copy reaches the server before the next change
    _type(page, "content-stickiness", "0.35", prefix="b")
    try:
        page.locator(".changed .change", has_text="content.stickiness").wait_for(timeout=20_000)
    finally:
        page.screenshot(path=shots / "compare-b.png", full_page=True)
    page.locator(".run-compare button").click()
    page.locator(".compare-status .done").wait_for()
    page.locator(".differences tr[data-key=reach]").wait_for()
    page.screenshot(path=shots / "compare.png", full_page=True)

    seed = int(page.locator(".compare-status [data-key=seed]").inner_text())
    a = smmsim.default_scenario().with_overrides({"simulation.runs": 150})
    b = a.with_overrides({"content.stickiness": 0.35})
    t = paired_differences(smmsim.simulate(a, rng=seed), smmsim.simulate(b, rng=seed))
    cell = page.locator(".differences tr[data-key=reach] td.diff").inner_text()
    from smmsim.app.compare_page import _fmt

    assert cell == _fmt(t.loc["reach", "diff_mean"])
    page.close()


def test_classroom_steps_through_one_cascade(app_browser, server, shots):
    import smmsim
    from smmsim.app.classroom import classroom_scenario
    from smmsim.trace import one_cascade

    page = _open(app_browser, server)
    page.locator(".bk-tab", has_text="Classroom").click()
    page.locator("[data-key=class-step]").wait_for()
    page.locator(".play button:not([disabled])").wait_for()
    run = int(page.locator("[data-key=class-run]").inner_text())
    counts = one_cascade(classroom_scenario(), run=run).counts()
    for step in (1, 2):
        page.locator(".step button").click()
        page.locator("[data-key=class-step]", has_text=re.compile(f"^{step}$")).wait_for()
        reach = page.locator("[data-key=class-reach]").inner_text()
        assert reach == f"{int(counts['reach'].iloc[step]):,}"
    page.locator(".tipping img").wait_for()
    page.screenshot(path=shots / "classroom-step2.png", full_page=True)
    page.locator(".play button").click()
    page.wait_for_timeout(2500)
    page.locator(".pause button").click()
    shown = int(page.locator("[data-key=class-step]").inner_text())
    assert shown >= 3 or shown == counts["step"].iloc[-1]
    page.locator(".reset button").click()
    page.locator("[data-key=class-step]", has_text=re.compile("^0$")).wait_for()
    assert smmsim.__version__
    page.close()


def test_bad_input_shows_the_cli_message_and_the_app_goes_on(app_browser, server, shots, tmp_path):
    page = _open(app_browser, server)
    # a value out of range, typed in the form
    _type(page, "content-stickiness", "1.5")
    shown = page.locator(".a-error-content-stickiness .msg")
    shown.wait_for()
    message = shown.inner_text().strip()
    cli = invoke("run", "--set", "content.stickiness=1.5")
    assert cli.output.strip() == f"Error: {message}"
    page.screenshot(path=shots / "bad-value.png", full_page=True)
    page.locator(".run button").click()
    page.locator(".status .form-invalid").wait_for()
    _type(page, "content-stickiness", "0.3")
    page.locator(".a-error-content-stickiness .msg").wait_for(state="detached")

    uploads = page.locator(".upload-scenario input[type=file]")
    for name, text in [
        ("malformed.yaml", "content: [1, 2\n"),
        ("unknown.yaml", "content:\n  stickyness: 0.2\n"),
        ("range.yaml", "simulation:\n  runs: 0\n"),
    ]:
        path = tmp_path / name
        path.write_text(text)
        uploads.set_input_files(str(path))
        cli = invoke("validate", path)
        expected = cli.output.strip().removeprefix("Error: ").replace(str(path), name, 1)
        error = page.locator(".upload-error .msg", has_text=name)
        error.wait_for()
        assert error.inner_text().strip() == expected
    big = tmp_path / "big.yaml"
    big.write_text("#" * (2**20 + 10))
    uploads.set_input_files(str(big))
    page.locator(".upload-error .msg", has_text="too large for a scenario file").wait_for()

    edges = tmp_path / "broken.txt"
    edges.write_text("1 2\n2 3 4 5\n")
    page.locator(".upload-edges input[type=file]").set_input_files(str(edges))
    page.locator(".edges-error .msg", has_text="broken.txt:2:").wait_for()
    page.screenshot(path=shots / "bad-uploads.png", full_page=True)

    # the app still works: a good edge list, then a run on it
    good = tmp_path / "friends.txt"
    good.write_text("".join(f"{i} {(i + 1) % 60}\n{i} {(i + 7) % 60}\n" for i in range(60)))
    page.locator(".upload-edges input[type=file]").set_input_files(str(good))
    page.locator(".a-field-audience-path input").wait_for()
    _type(page, "seeding-k", "2")
    _expand(page, "simulation")
    _type(page, "simulation-runs", "50")
    page.wait_for_timeout(300)
    shown = _run_and_wait(page)
    assert int(shown["reach"].replace(",", "").split(".")[0]) <= 60
    page.close()


def test_two_sessions_at_once_and_cancel(app_browser, server, shots):
    import smmsim
    from smmsim.app.headline import headline

    pages = [_open(app_browser, server) for _ in range(2)]
    for page, s in zip(pages, ("0.22", "0.33"), strict=True):
        _set_small_run(page, stickiness=s, runs="300")
    for page in pages:
        page.locator(".run button").click()
    for page, s in zip(pages, (0.22, 0.33), strict=True):
        page.locator(".status .done").wait_for()
        shown = _headline(page)
        sc = smmsim.default_scenario().with_overrides(
            {"content.stickiness": s, "simulation.runs": 300}
        )
        expected = {f.key: f.value for f in headline(smmsim.simulate(sc))}
        assert {k: shown[k] for k in expected} == expected
    pages[1].screenshot(path=shots / "second-session.png", full_page=True)

    page = pages[0]
    _type(page, "simulation-runs", "300000")
    page.wait_for_timeout(300)
    page.locator(".run button").click()
    page.locator(".cancel button:not([disabled])").wait_for()
    page.wait_for_timeout(500)
    page.locator(".cancel button").click()
    page.locator(".status .cancelled").wait_for(timeout=30_000)
    page.screenshot(path=shots / "cancelled.png", full_page=True)
    for p in pages:
        p.close()
