"""The browser app's speed and memory: `python -m benchmarks.viz [--json] [--quick]`.

- Step latency: `quartier viz` (the regime comparison, two runs side by side) on a free port
  of 127.0.0.1, driven by headless Chromium: the time from a click on Step until the week
  shown has moved on and every figure (timeline, both networks, the four charts) has drawn
  the new week. First the runs are played to `--from-week` (the networks are densest after
  the first years), then `--steps` Steps of one week are timed; median and 90th percentile.
- The server's share of it: stepping both models one week, and building everything the page
  shows for that week (frames, ECharts options, tables, as JSON).
- Memory per stored run: what a run's history holds (`History.nbytes`) after 20 years, and
  what tracemalloc sees still allocated by the history code, for each of the two scenarios.

Run on demand, never in the test suite: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from benchmarks.loopback import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REGIMES = ("programme_funded", "self_organised")
FIGURES = 7  # timeline, two networks, four charts
DRAWN = (
    "n => { const all = [...document.querySelectorAll('.quartier-chart')];"
    " return all.length >= n && all.every(e => e.dataset.drawn === e.dataset.revision); }"
)
AT_WEEK = (
    "w => +((document.querySelector('.quartier-week')?.innerText || '')"
    ".match(/^Week (\\d+)/) || [0, -1])[1] >= w"
)


@dataclass
class Settings:
    steps: int = 30
    from_week: int = 260
    actors: int = 0  # 0: the scenarios' own counts
    years: float = 20.0  # for the memory figure

    @classmethod
    def quick(cls) -> Settings:
        return cls(steps=8, from_week=52, years=2.0)


# -- in the browser -------------------------------------------------------------------------


def start_app(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "quartier", "viz", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        if process.poll() is not None:
            break
        time.sleep(0.2)
    stop(process)
    raise RuntimeError("the app did not start")


def set_slider(page, name: str, presses: int, key: str = "ArrowRight", nth: int = 0) -> None:
    slider = page.get_by_role("slider", name=name).nth(nth)
    slider.focus()
    for _ in range(presses):
        slider.press(key)


def prepare(page, settings: Settings) -> None:
    """Load the page, set the actors (and Reset), play to the starting week, one week a Step."""
    page.get_by_role("button", name="Step").wait_for(timeout=90_000)
    page.wait_for_function(DRAWN, arg=FIGURES, timeout=90_000)
    if settings.actors:
        for k in range(len(REGIMES)):
            set_slider(page, "Number of actors (0 = scenario's)", settings.actors // 10, nth=k)
        page.get_by_role("button", name="Reset").click()
        page.wait_for_function(
            "n => document.querySelector('.quartier-run-title')?.innerText.includes(n + ' actors')",
            arg=f"{settings.actors}",
            timeout=120_000,
        )
    if settings.from_week:
        set_slider(page, "Weeks per step", 51)
        page.get_by_role("button", name="▶").click()
        page.wait_for_function(AT_WEEK, arg=settings.from_week, timeout=600_000)
        page.get_by_role("button", name="❚❚").click()
        page.get_by_role("button", name="▶").wait_for()
        set_slider(page, "Weeks per step", 51, key="ArrowLeft")
    page.wait_for_function(DRAWN, arg=FIGURES, timeout=60_000)
    page.wait_for_timeout(1000)


def time_steps(page, steps: int) -> list[float]:
    """Seconds from each Step click until the new week is shown and drawn everywhere."""
    times = []
    for _ in range(steps):
        week = int(page.locator(".quartier-week").inner_text().split()[1])
        started = time.perf_counter()
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(AT_WEEK, arg=week + 1, polling=10, timeout=60_000)
        page.wait_for_function(DRAWN, arg=FIGURES, polling=10, timeout=60_000)
        times.append(time.perf_counter() - started)
        page.wait_for_timeout(200)  # a person does not click faster
    return times


def browser_latency(settings: Settings, screenshot: Path | None = None) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    port = free_port()
    process = start_app(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.goto(f"http://127.0.0.1:{port}/")
            prepare(page, settings)
            times = time_steps(page, settings.steps)
            week = int(page.locator(".quartier-week").inner_text().split()[1])
            if screenshot is not None:
                page.screenshot(path=str(screenshot))
            browser.close()
    finally:
        stop(process)
    ordered = sorted(times)
    return {
        "steps": len(times),
        "weeks": [week - len(times), week],
        "actors": settings.actors or "scenario's",
        "median_s": statistics.median(times),
        "p90_s": ordered[max(0, math.ceil(0.9 * len(times)) - 1)],  # nearest rank
        "max_s": ordered[-1],
    }


# -- on the server ------------------------------------------------------------------------------


def server_share(settings: Settings) -> dict[str, float]:
    """Median seconds of a week's model steps (both runs) and of building the page's data."""
    from quartier.viz.controls import Controls
    from quartier.viz.figures import Selection, chart_option, network_option, timeline_option
    from quartier.viz.inspector import numbers
    from quartier.viz.network import network_data
    from quartier.viz.series import catalogue, default_measures
    from quartier.viz.session import Comparison

    comparison = Comparison([Controls(s, actors=settings.actors) for s in REGIMES], seed=1)
    comparison.step(settings.from_week)
    stepping, building = [], []
    for _ in range(settings.steps):
        started = time.perf_counter()
        comparison.step()
        stepping.append(time.perf_counter() - started)
        started = time.perf_counter()
        runs, week = comparison.runs, comparison.week
        frames = [run.frame(week) for run in runs]
        known = catalogue(runs)
        options = [timeline_option(runs, week, week)]
        options += [
            network_option(r, f, network_data(f, r.model, r.layout), Selection())
            for r, f in zip(runs, frames, strict=True)
        ]
        options += [chart_option(known[k], runs, week, week) for k in default_measures(runs)]
        json.dumps([options, numbers(runs, frames)], allow_nan=False)
        building.append(time.perf_counter() - started)
    return {
        "model_steps_s": statistics.median(stepping),
        "page_data_s": statistics.median(building),
    }


def memory(settings: Settings) -> dict[str, dict[str, float]]:
    """Bytes a run's history holds after `years`, counted and as tracemalloc sees them."""
    from quartier.viz.controls import Controls
    from quartier.viz.session import Run

    found = {}
    for scenario in REGIMES:
        tracemalloc.start()
        run = Run.start("A", Controls(scenario, actors=settings.actors), seed=1)
        weeks = round(settings.years * 52)
        while run.week < weeks and not run.finished:
            run.step()
        snapshot = tracemalloc.take_snapshot()
        tracemalloc.stop()
        history = str(ROOT / "quartier" / "viz" / "history.py")
        traced = sum(
            stat.size
            for stat in snapshot.filter_traces([tracemalloc.Filter(True, history)]).statistics(
                "filename"
            )
        )
        live = run.history.ties.at(run.history.last)
        found[scenario] = {
            "weeks": run.history.weeks,
            "history_mb": run.history.nbytes / 1e6,
            "traced_mb": traced / 1e6,
            "tie_spans": len(run.history.ties.keys),
            "ties_last_week": len(live),
            "actors_ever": len(run.history.actors.keys),
        }
    return found


def table(results: dict[str, object]) -> str:
    latency, server = results["latency"], results["server"]
    lines = [
        f"Step on the compare view, weeks {latency['weeks'][0]}–{latency['weeks'][1]} "
        f"({latency['steps']} steps, actors: {latency['actors']}, load {results['load']:.1f}):",
        f"  median {latency['median_s']:.2f} s, 90th percentile {latency['p90_s']:.2f} s, "
        f"max {latency['max_s']:.2f} s",
        f"  server: both models one week {server['model_steps_s'] * 1000:.1f} ms, "
        f"the page's data for a week {server['page_data_s'] * 1000:.0f} ms",
        "Memory per stored run:",
    ]
    for scenario, figures in results["memory"].items():
        lines.append(
            f"  {scenario}: {figures['weeks']} weeks, history {figures['history_mb']:.1f} MB "
            f"(tracemalloc {figures['traced_mb']:.1f} MB); {figures['tie_spans']:,} tie spans, "
            f"{figures['ties_last_week']:,} ties in the last week, "
            f"{figures['actors_ever']} actors"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.viz", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="fewer steps, earlier weeks")
    parser.add_argument("--steps", type=int, default=None, help="Steps to time (default 30)")
    parser.add_argument("--from-week", type=int, default=None, help="play to this week first")
    parser.add_argument("--actors", type=int, default=0, help="actors per run (0: scenario's)")
    parser.add_argument("--screenshot", type=Path, default=None, help="save the page at the end")
    args = parser.parse_args()
    settings = Settings.quick() if args.quick else Settings()
    settings.actors = args.actors
    if args.steps is not None:
        settings.steps = args.steps
    if args.from_week is not None:
        settings.from_week = args.from_week
    results = {
        "load": os.getloadavg()[0],
        "latency": browser_latency(settings, args.screenshot),
        "server": server_share(settings),
        "memory": memory(settings),
    }
    print(json.dumps(results, indent=1) if args.json else table(results))


if __name__ == "__main__":
    main()
