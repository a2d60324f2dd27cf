"""The browser app, timed in the browser: first page load, and a what-if run from the
click on Run to the results shown.

Usage::

    python benchmarks/bench_app.py                    # default scenario, 1,000 runs, 5 repeats
    python benchmarks/bench_app.py --repeats 9 --json bench-results/app.json

The app is served in this process on a free port; the script waits for the kernels'
warm-up (:func:`smmsim.app.jobs.warm_up`) and runs one what-if untimed, so the times
below are those of a warm server. Chromium (``/usr/bin/chromium``, headless) is driven
by Playwright. Each repeat

* opens the page in a fresh browser context (an empty cache, as a first visit) and
  times, on the browser's clock (``performance.now()``, which starts with the
  navigation), until the Run button is on the page: the **first page load**;
* clicks Run on the default scenario (10,000 users, 1,000 runs) and times, on the
  browser's clock, until the headline numbers are shown (**results shown**; the part
  spent in ``simulate()`` is read from the page), then until the first picture is shown
  (**pictures shown**).

Targets: results shown under 1 s, first page load under 3 s. Medians, minima and
maxima over repeats are printed with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import loadavg, machine

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGETS = {"page_load_s": 3.0, "results_s": 1.0}


def log(msg: str = "") -> None:
    print(msg, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve() -> tuple[str, object]:
    from smmsim.app.server import serve

    port = _free_port()
    thread = serve(host="127.0.0.1", port=port, show=False, threaded=True)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url, timeout=5):
                return url, thread
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the app did not start")


def _now(page) -> float:
    return page.evaluate("performance.now()") / 1000


def one_repeat(browser, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    page.locator(".run button").wait_for()
    load = _now(page)  # the clock started with the navigation
    start = _now(page)
    page.locator(".run button").click()
    page.locator(".status .done").wait_for()
    shown = _now(page)
    said = page.locator(".status .done").inner_text()  # "1,000 runs in 0.12 s."
    simulated = float(said.split(" in ")[1].split(" s")[0])
    page.locator(".figures img").first.wait_for()
    pictures = _now(page)
    context.close()
    return {
        "page_load_s": load,
        "results_s": shown - start,
        "simulate_s": simulated,
        "pictures_s": pictures - start,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from smmsim.app import jobs

    log(f"machine: {machine()}")
    url, thread = _serve()
    t0 = time.perf_counter()
    while not jobs.kernels_ready():
        time.sleep(0.5)
    log(f"kernels ready after {time.perf_counter() - t0:.1f} s more (warm-up at start-up)")
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        one_repeat(browser, url)  # untimed: the pages' own first use
        for i in range(args.repeats):
            row = one_repeat(browser, url)
            row["load"] = loadavg()
            rows.append(row)
            log(
                f"repeat {i + 1}: page load {row['page_load_s']:.2f} s, results shown "
                f"{row['results_s']:.3f} s (simulating {row['simulate_s']:.3f} s), pictures "
                f"{row['pictures_s']:.2f} s "
                f"(load {row['load']})"
            )
        browser.close()
    thread.stop()
    summary = {}
    for key in ("page_load_s", "results_s", "simulate_s", "pictures_s"):
        xs = [r[key] for r in rows]
        summary[key] = {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}
        target = TARGETS.get(key)
        verdict = "" if target is None else f"  (target < {target:g} s)"
        log(
            f"{key:12s} median {summary[key]['median']:.3f} s  "
            f"min {summary[key]['min']:.3f}  max {summary[key]['max']:.3f}{verdict}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"repeats": rows, "summary": summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
