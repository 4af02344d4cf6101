"""The browser app in headless Chromium: it loads offline, draws, steps, resets.

One app server (`quartier viz`, a subprocess on a free port) serves every test here; each
test opens its own page, so each gets its own model. Without Chromium the tests skip, unless
QUARTIER_REQUIRE_BROWSER=1 (CI) makes a missing browser a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from benchmarks.loopback import free_port, stop
from quartier.viz.controls import Controls, build_config
from simulation import NeighbourhoodModel

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

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
ROOT = Path(__file__).resolve().parent.parent
LOAD_TIMEOUT_MS = 60_000
SETTLE_QUIET_MS = 1_000  # long enough for a loaded script to start the next request
SETTLE_POLL_MS = 100
SETTLE_TIMEOUT_MS = 30_000


def chromium() -> Path:
    """Debian's Chromium, or skip (fail when QUARTIER_REQUIRE_BROWSER=1)."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} is missing; the browser tests need it (apt-get install chromium)"
    if os.environ.get("QUARTIER_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def wait_for_port(process: subprocess.Popen, port: int, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app exited with {process.returncode}: {log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"the app did not listen on port {port} within {seconds} s: {log.read_text()}")


@pytest.fixture(scope="module")
def app(tmp_path_factory, request) -> dict:
    """`quartier viz` on a free port in its own process group; stopped by its process id (the
    group it leads) when the module is done."""
    chromium()
    port, log = free_port(), tmp_path_factory.mktemp("viz") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "quartier", "viz", "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    request.addfinalizer(lambda: stop(process))
    wait_for_port(process, port, log)
    return {"pid": process.pid, "port": port, "url": f"http://127.0.0.1:{port}/"}


@pytest.fixture(scope="module")
def viz_browser(app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium()), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(viz_browser, app):
    """A fresh page on the app, watched (see `watch`) and checked after load and at the end."""
    context = viz_browser.new_context(viewport={"width": 1600, "height": 1100})
    page = context.new_page()
    watch(page, app["port"])
    try:
        page.goto(app["url"])
        page.get_by_role("button", name="Step").wait_for(timeout=LOAD_TIMEOUT_MS)
        page.locator(".quartier-numbers").wait_for(timeout=LOAD_TIMEOUT_MS)
        assert_clean(page, "after load")
        yield page
        assert_clean(page, "at the end of the test")
    finally:
        context.close()


def watch(page, port: int) -> None:
    """Record every request the page makes, those still open, and every problem: a console
    error, an uncaught page error, a request that failed, a response with status >= 400, or a
    request to anything but the app's own server. A missing file is asked for late (after a
    3 MB script has loaded, say) and its 404 can come seconds later (the server first tries
    its stand-in CDN), long after the page looks ready; so `assert_clean` waits until no
    request is open before it looks."""
    origins = (f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/")
    page.requests, page.open_requests, page.statuses, page.problems = [], set(), {}, []
    page.checked = 0  # problems already reported by assert_clean

    def requested(request) -> None:
        page.requests.append(request.url)
        page.open_requests.add(request)
        if not request.url.startswith((*origins, f"blob:{origins[0]}", "data:")):
            page.problems.append(f"request leaving 127.0.0.1: {request.url}")

    def finished(request) -> None:
        page.open_requests.discard(request)

    def failed(request) -> None:
        page.open_requests.discard(request)
        page.problems.append(f"request failed ({request.failure}): {request.url}")

    def answered(response) -> None:
        page.statuses.setdefault(response.url, []).append(response.status)
        if response.status >= 400:
            page.problems.append(f"HTTP {response.status}: {response.url}")

    def console(message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            page.problems.append(f"console error: {message.text} ({where})")

    page.on("request", requested)
    page.on("requestfinished", finished)
    page.on("requestfailed", failed)
    page.on("response", answered)
    page.on("console", console)
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))


def settle(page, quiet_ms: int = SETTLE_QUIET_MS, timeout_ms: int = SETTLE_TIMEOUT_MS) -> None:
    """Wait until no request is open and none has started for `quiet_ms`."""
    waited, quiet, seen = 0, 0, len(page.requests)
    while quiet < quiet_ms:
        if waited >= timeout_ms:
            still_open = sorted(r.url for r in page.open_requests)
            pytest.fail(f"requests still open after {timeout_ms} ms: {still_open}")
        page.wait_for_timeout(SETTLE_POLL_MS)  # lets Playwright deliver the page's events
        waited += SETTLE_POLL_MS
        busy = page.open_requests or len(page.requests) != seen
        quiet, seen = (0 if busy else quiet + SETTLE_POLL_MS), len(page.requests)


def assert_clean(page, when: str) -> None:
    """No console error, failed request, status >= 400 or outside request since the last
    check (a failed check reports its problems once, not again at the end of the test)."""
    settle(page)
    new, page.checked = page.problems[page.checked :], len(page.problems)
    if new:
        pytest.fail(f"{when}:\n" + "\n".join(new), pytrace=False)


def figures(page) -> list[str]:
    """The sources of the drawn figures (network view first, then the charts)."""
    return page.locator("img.widget-image").evaluate_all(
        "imgs => imgs.filter(i => i.naturalWidth > 0).map(i => i.src)"
    )


def shown_numbers(page) -> dict[str, str]:
    text = page.locator(".quartier-numbers").inner_text()
    return dict(re.findall(r"^([a-z ]+)\t(.+)$", text, flags=re.MULTILINE))


def step_time(page) -> float:
    return float(page.get_by_text(re.compile(r"^Time: ")).inner_text().split(":")[1])


def click_step(page, expected_week: int) -> None:
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(
        "w => [...document.querySelectorAll('.quartier-numbers td')]"
        ".some((td, i, all) => td.innerText === 'week' && all[i + 1].innerText === String(w))",
        arg=expected_week,
    )
    assert_clean(page, f"after Step to week {expected_week}")


def click_reset(page, shown: str) -> None:
    """Reset, wait until the numbers view shows `shown`, then check the page."""
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "s => (document.querySelector('.quartier-numbers')?.innerText || '').includes(s)",
        arg=shown,
    )
    assert_clean(page, "after Reset")


def reference(weeks: int, seed: int = 1, **controls) -> dict:
    """The DataCollector's last row for a NeighbourhoodModel built the app's way."""
    model = NeighbourhoodModel(build_config(Controls(**controls)), rng=seed)
    for _ in range(weeks):
        model.step()
    return model.datacollector.get_model_vars_dataframe().iloc[-1].to_dict()


def test_listens_on_loopback_only(app):
    process = psutil.Process(app["pid"])
    sockets = [
        c
        for p in (process, *process.children(recursive=True))
        for c in p.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert sockets, "the app process holds no listening socket"
    assert {c.laddr.ip for c in sockets} == {"127.0.0.1"}
    assert {c.laddr.port for c in sockets} == {app["port"]}


def test_page_loads_offline_and_draws(page, app):
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.widget-image')]"
        ".filter(i => i.naturalWidth > 0).length >= 2"
    )
    assert len(figures(page)) >= 2  # network view and charts
    assert shown_numbers(page)["week"] == "0"
    assert page.get_by_text("running cooperations").count() >= 1
    origin = f"http://127.0.0.1:{app['port']}/"
    outside = [
        url
        for url in page.requests
        if not url.startswith((origin, f"ws://127.0.0.1:{app['port']}/", f"blob:{origin}", "data:"))
    ]
    assert page.requests and not outside, f"requests leaving 127.0.0.1: {outside}"
    assert_clean(page, "after drawing")


def test_step_advances_and_redraws(page):
    before = figures(page)
    click_step(page, 1)
    page.wait_for_function(
        "t => ![...document.querySelectorAll('img')].some(i => i.src === t)", arg=before[1]
    )
    after = figures(page)
    assert step_time(page) == 1.0
    assert after[0] != before[0] and after[1] != before[1]
    assert_clean(page, "after redrawing")


def test_numbers_match_the_model_after_playing(page):
    render_interval = page.get_by_role("slider").nth(1)  # Mesa's "Render Interval (steps)"
    render_interval.focus()
    for _ in range(5):
        render_interval.press("ArrowRight")  # 1 → 11 weeks per redraw
    page.get_by_role("button", name="▶").click()
    page.wait_for_timeout(3000)
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="Step").wait_for(state="visible")
    page.wait_for_function("() => !document.querySelector('button:disabled')")
    page.wait_for_timeout(500)
    shown = shown_numbers(page)
    week = int(shown["week"])
    assert week >= 11 and step_time(page) == week
    expected = reference(week)
    for name in ("running", "completed", "failed", "abandoned", "forming", "meetings held"):
        assert shown[name] == str(int(expected[name.replace(" ", "_")])), name
    assert_clean(page, "after playing")


def test_typed_seed_and_control_then_reset_rebuild_the_model(page):
    click_step(page, 1)
    seed = page.get_by_label("Seed (integer)")
    seed.fill("7")
    seed.press("Enter")
    page.get_by_label("Scenario", exact=True).click(force=True)
    page.get_by_role("option", name="programme_funded").click()
    page.get_by_label("Catalyst", exact=True).click(force=True)
    page.get_by_role("option", name="absent").click()
    click_reset(page, "Seed 7")
    shown = shown_numbers(page)
    assert shown["week"] == "0" and shown["catalyst"] == "none" and "fund balance" in shown
    for week in (1, 2, 3):
        click_step(page, week)
    expected = reference(3, seed=7, scenario="programme_funded", catalyst_mode="absent")
    shown = shown_numbers(page)
    assert shown["forming"] == str(int(expected["forming"]))
    assert shown["fund balance"] == f"{expected['fund_balance']:,.0f} EUR"
    assert_clean(page, "after the steps")


def test_every_asset_is_served_through_steps_and_reset(page, app):
    """Load, Step three times, Reset: every file the page asked for came back below 400."""
    for week in (1, 2, 3):
        click_step(page, week)
    click_reset(page, "week\t0")
    files = [url for url in page.requests if url.startswith("http")]
    assert any("/_solara/cdn/" in url for url in files), "no frontend asset was requested"
    unserved = sorted({url for url in files if not page.statuses.get(url)})
    failing = sorted({url for url, codes in page.statuses.items() if max(codes) >= 400})
    assert not unserved, f"requested but never answered: {unserved}"
    assert not failing, f"answered with status >= 400: {failing}"
