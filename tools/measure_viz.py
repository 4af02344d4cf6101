"""Time from a Step click to the redrawn view in headless Chromium; optionally a screenshot.

Usage: python tools/measure_viz.py URL [--actors N] [--steps K] [--screenshot PATH]
The app must be running (`quartier viz`). For N actors the "Number of actors" slider is set
by keyboard and the model rebuilt with Reset before timing.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REDRAWN = (
    "old => { const imgs = [...document.querySelectorAll('img.widget-image')];"
    " return imgs.length >= 2 && imgs.every(i => i.complete && i.naturalWidth > 0"
    " && !old.includes(i.src)); }"
)


def figure_sources(page) -> list[str]:
    return page.locator("img.widget-image").evaluate_all("imgs => imgs.map(i => i.src)")


def set_actors(page, actors: int) -> None:
    slider = page.get_by_role("slider", name="Number of actors")
    slider.focus()
    for _ in range(actors // 10):
        slider.press("ArrowRight")
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        f"() => (document.querySelector('.quartier-numbers')?.innerText"
        f" || '').includes('{actors}')",
        timeout=60_000,
    )


def time_steps(page, steps: int) -> list[float]:
    times = []
    for _ in range(steps):
        old = figure_sources(page)
        started = time.perf_counter()
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(REDRAWN, arg=old, timeout=60_000)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--actors", type=int, default=0)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--screenshot", default=None)
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1100})
        page.goto(args.url)
        page.locator(".quartier-numbers").wait_for(timeout=60_000)
        if args.actors:
            set_actors(page, args.actors)
        times = time_steps(page, args.steps)
        print(
            f"actors={args.actors or 'scenario'} steps={len(times)} "
            f"median={statistics.median(times) * 1000:.0f} ms "
            f"p90={sorted(times)[int(0.9 * len(times)) - 1] * 1000:.0f} ms "
            f"max={max(times) * 1000:.0f} ms"
        )
        if args.screenshot:
            page.wait_for_timeout(500)
            page.screenshot(path=args.screenshot)
        browser.close()


if __name__ == "__main__":
    main()
