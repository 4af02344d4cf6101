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
    """A fresh page on the app with its requests, console messages and page errors recorded."""
    context = viz_browser.new_context(viewport={"width": 1600, "height": 1100})
    page = context.new_page()
    page.requests, page.problems = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto(app["url"])
    page.get_by_role("button", name="Step").wait_for(timeout=LOAD_TIMEOUT_MS)
    page.locator(".quartier-numbers").wait_for(timeout=LOAD_TIMEOUT_MS)
    yield page
    context.close()


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
    assert not outside, f"requests leaving 127.0.0.1: {outside}"
    assert not page.problems, f"console errors: {page.problems}"


def test_step_advances_and_redraws(page):
    before = figures(page)
    click_step(page, 1)
    page.wait_for_function(
        "t => ![...document.querySelectorAll('img')].some(i => i.src === t)", arg=before[1]
    )
    after = figures(page)
    assert step_time(page) == 1.0
    assert after[0] != before[0] and after[1] != before[1]
    assert not page.problems


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
    assert not page.problems


def test_typed_seed_and_control_then_reset_rebuild_the_model(page):
    click_step(page, 1)
    seed = page.get_by_label("Seed (integer)")
    seed.fill("7")
    seed.press("Enter")
    page.get_by_label("Scenario", exact=True).click(force=True)
    page.get_by_role("option", name="programme_funded").click()
    page.get_by_label("Catalyst", exact=True).click(force=True)
    page.get_by_role("option", name="absent").click()
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "() => (document.querySelector('.quartier-numbers')?.innerText || '').includes('Seed 7')"
    )
    shown = shown_numbers(page)
    assert shown["week"] == "0" and shown["catalyst"] == "none" and "fund balance" in shown
    for week in (1, 2, 3):
        click_step(page, week)
    expected = reference(3, seed=7, scenario="programme_funded", catalyst_mode="absent")
    shown = shown_numbers(page)
    assert shown["forming"] == str(int(expected["forming"]))
    assert shown["fund balance"] == f"{expected['fund_balance']:,.0f} EUR"
    assert not page.problems
