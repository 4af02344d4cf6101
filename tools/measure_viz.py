"""Time Steps in a running app and take the screenshots of docs/VIZ.md and the README.

Usage: python tools/measure_viz.py URL [--from-week W] [--steps K] [--actors N]
                                   [--screenshot PATH] [--lower PATH]
                                   [--pick | --pick-cooperation]

The app must be running (`quartier viz`). The page is played to week W, K Steps of one week
are timed (as `python -m benchmarks.viz` does, which also starts the app itself), then
`--pick` clicks an actor of run B (`--pick-cooperation`: and its first cooperation),
`--screenshot` saves the top of the page (the compare view) and `--lower` the charts, the
numbers and the inspected actor.
"""

from __future__ import annotations

import argparse
import statistics

from playwright.sync_api import sync_playwright

from benchmarks.viz import CHROMIUM, CHROMIUM_ARGS, DRAWN, FIGURES, Settings, prepare, time_steps


def pick(page, cooperation: bool) -> None:
    """Click an actor of run B in a running cooperation (and, asked to, its first one)."""
    network = page.locator(".quartier-run-view-B .quartier-chart-network")
    node, at = network.evaluate(
        "e => { const c = e.__vue__.chart; const nodes = c.getOption().series[0].data"
        ".filter(d => d.pick && d.itemStyle.borderWidth > 1 && d.symbolSize < 14);"
        " const d = nodes[Math.floor(nodes.length / 2)];"
        " return [d, c.convertToPixel({seriesIndex: 0}, [d.x, d.y])]; }"
    )
    box = network.bounding_box()
    page.mouse.click(box["x"] + at[0], box["y"] + at[1])
    page.locator(".quartier-actor-name").wait_for()
    cooperations = page.locator(".quartier-inspector .actor-cooperations tbody tr")
    if cooperation and cooperations.count():
        cooperations.first.click()
        page.wait_for_function("() => document.querySelector('.quartier-run-view-B tr.selected')")
    page.wait_for_function(DRAWN, arg=FIGURES)
    page.locator(".quartier-weekbar").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = network.bounding_box()  # the tooltip shows in the picture
    page.mouse.move(box["x"] + at[0], box["y"] + at[1])
    page.wait_for_timeout(800)
    print(f"picked {node['name']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--from-week", type=int, default=156)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--actors", type=int, default=0)
    parser.add_argument("--screenshot", default=None)
    parser.add_argument("--lower", default=None)
    parser.add_argument("--pick", action="store_true")
    parser.add_argument("--pick-cooperation", action="store_true")
    args = parser.parse_args()
    settings = Settings(steps=args.steps, from_week=args.from_week, actors=args.actors)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1100})
        page.goto(args.url)
        prepare(page, settings)
        times = sorted(time_steps(page, args.steps)) if args.steps else []
        if times:
            print(
                f"steps={len(times)} median={statistics.median(times) * 1000:.0f} ms "
                f"p90={times[max(0, -(-9 * len(times) // 10) - 1)] * 1000:.0f} ms "
                f"max={times[-1] * 1000:.0f} ms"
            )
        if args.pick or args.pick_cooperation:
            pick(page, args.pick_cooperation)
        if args.screenshot:
            page.screenshot(path=args.screenshot)
        if args.lower:
            page.locator(".quartier-charts").evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(500)
            page.screenshot(path=args.lower)
        browser.close()


if __name__ == "__main__":
    main()
