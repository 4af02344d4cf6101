"""The browser app in headless Chromium: the compare view loads offline, steps and plays with
the numbers of `quartier run`, scrubs back through the weeks, inspects actors and
cooperations, opens scenario files, and exports.

One app server (`quartier viz`, a subprocess on a free port) serves every test here; each
test opens its own page, so each gets its own runs. Without Chromium the tests skip, unless
QUARTIER_REQUIRE_BROWSER=1 (CI) makes a missing browser a failure.
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import scenarios
from benchmarks.loopback import free_port, stop
from benchmarks.viz import CHROMIUM, CHROMIUM_ARGS  # Debian's, the benchmark's flags
from quartier.viz.controls import DEFAULT_SEED, Controls
from quartier.viz.network import network_data
from quartier.viz.session import Run
from scenarios.errors import InputError

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parent.parent
LOAD_TIMEOUT_MS = 60_000
SETTLE_QUIET_MS = 1_000  # long enough for a loaded script to start the next request
SETTLE_POLL_MS = 100
SETTLE_TIMEOUT_MS = 30_000
FIGURES = 7  # timeline, two networks, four charts
DRAWN = (
    "n => { const all = [...document.querySelectorAll('.quartier-chart')];"
    " return all.length >= n && all.every(e => e.dataset.drawn === e.dataset.revision); }"
)
REGIMES = ("programme_funded", "self_organised")


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
        page.wait_for_function(DRAWN, arg=FIGURES, timeout=LOAD_TIMEOUT_MS)
        assert_clean(page, "after load")
        yield page
        assert_clean(page, "at the end of the test")
    finally:
        context.close()


def watch(page, port: int) -> None:
    """Record every request the page makes, those still open, and every problem: a console
    error, an uncaught page error, a request that failed, a response with status >= 400, or a
    request to anything but the app's own server. A missing file is asked for late (after a
    large script has loaded, say) and its 404 can come seconds later (the server first tries
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


# -- reading the page ---------------------------------------------------------------------------


def shown_week(page) -> int:
    return int(re.match(r"Week (\d+)", page.locator(".quartier-week").inner_text()).group(1))


def steady_week(page, quiet_ms: int = 2000, timeout_ms: int = 60_000) -> int:
    """The week shown once it has not changed for `quiet_ms`."""
    week, waited, quiet = shown_week(page), 0, 0
    while quiet < quiet_ms:
        assert waited < timeout_ms, "the week shown keeps changing"
        page.wait_for_timeout(200)
        waited += 200
        now = shown_week(page)
        quiet, week = (quiet + 200 if now == week else 0), now
    return week


def wait_for_week(page, week: int) -> None:
    """Until the page shows `week` everywhere: the week bar, the figures, the numbers."""
    page.wait_for_function(
        "w => (document.querySelector('.quartier-week')?.innerText || '')"
        ".startsWith('Week ' + w + ' ')",
        arg=week,
    )
    page.wait_for_function(DRAWN, arg=FIGURES)
    page.wait_for_function(
        "w => { const row = document.querySelector('.quartier-numbers tbody tr');"
        " return row && row.cells[1].innerText.trim() === String(w); }",
        arg=week,
    )


def numbers(page) -> dict[str, list[str]]:
    """The numbers table: measure -> its cells (A, B, B − A)."""
    rows = page.locator(".quartier-numbers tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    return {row[0]: row[1:] for row in rows}


def chart_option(page, selector: str) -> dict:
    """The option an ECharts figure on the page draws."""
    return page.locator(selector).first.evaluate("e => e.__vue__.chart.getOption()")


def click_step(page, expected_week: int) -> None:
    page.get_by_role("button", name="Step").click()
    wait_for_week(page, expected_week)
    assert_clean(page, f"after Step to week {expected_week}")


def reference(scenario: str, weeks: int, seed: int = 1, **controls) -> dict:
    """The DataCollector's row of week `weeks` for a run built the app's way, on its own."""
    run = Run.start("A", Controls(scenario, **controls), seed)
    for _ in range(weeks):
        run.step()
    return run.model.datacollector.get_model_vars_dataframe().iloc[weeks - 1].to_dict()


def assert_numbers(page, week: int, references: list[dict]) -> None:
    shown = numbers(page)
    assert shown["week"][:2] == [str(week), str(week)]
    for column, expected in enumerate(references):
        for name in ("running", "completed", "failed", "forming", "meetings held"):
            assert shown[name][column] == str(int(expected[name.replace(" ", "_")])), name


# -- the tests ---------------------------------------------------------------------------------


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


def test_the_compare_view_loads_offline_and_draws(page, app):
    titles = page.locator(".quartier-run-title").all_inner_texts()
    assert [t.split()[1] for t in titles] == list(REGIMES)  # "A programme_funded — week 0 ..."
    header = page.locator(".quartier-numbers thead th").all_inner_texts()
    assert header == ["measure", "A", "B", "B − A"]
    assert shown_week(page) == 0
    network = chart_option(page, ".quartier-chart-network")["series"][0]
    first = Run.start("A", Controls(REGIMES[0]), DEFAULT_SEED)
    drawn = network_data(first.frame(0), first.model, first.layout).nodes  # with the QM office
    assert len([n for n in network["data"] if n.get("pick")]) == len(drawn)
    charts = page.locator(".quartier-chart-chart")
    assert charts.count() == 4
    origin = f"http://127.0.0.1:{app['port']}/"
    outside = [
        url
        for url in page.requests
        if not url.startswith((origin, f"ws://127.0.0.1:{app['port']}/", f"blob:{origin}", "data:"))
    ]
    assert page.requests and not outside, f"requests leaving 127.0.0.1: {outside}"
    assert any("echarts@5.4.0" in url for url in page.requests)  # served by the app itself


def test_step_and_play_give_the_numbers_of_quartier_run(page):
    for week in (1, 2, 3):
        click_step(page, week)
    assert_numbers(page, 3, [reference(s, 3) for s in REGIMES])
    weeks = page.get_by_role("slider", name="Weeks per step")
    weeks.focus()
    for _ in range(10):
        weeks.press("ArrowRight")  # 11 weeks per redraw
    page.get_by_role("button", name="▶").click()
    page.wait_for_function(
        "() => +((document.querySelector('.quartier-week')?.innerText || '')"
        ".match(/^Week (\\d+)/) || [0, 0])[1] >= 40"
    )
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for()
    week = steady_week(page)  # a Step under way when paused is still shown
    wait_for_week(page, week)
    assert week >= 40 and (week - 3) % 11 == 0
    assert_numbers(page, week, [reference(s, week) for s in REGIMES])
    assert_clean(page, "after playing")


def test_scrub_back_through_the_weeks_and_resume_from_the_end(page):
    weeks = page.get_by_role("slider", name="Weeks per step")
    weeks.focus()
    for _ in range(5):
        weeks.press("ArrowRight")  # 6 weeks a Step
    for week in (6, 12):
        page.get_by_role("button", name="Step").click()
        wait_for_week(page, week)
    slider = page.get_by_role("slider", name="Week", exact=True)
    slider.focus()
    for _ in range(7):
        slider.press("ArrowLeft")
    wait_for_week(page, 5)
    assert "of 12 computed" in page.locator(".quartier-week").inner_text()
    assert_numbers(page, 5, [reference(s, 5) for s in REGIMES])
    assert "week 5:" in page.locator(".quartier-run-title").first.inner_text()
    network = chart_option(page, ".quartier-chart-network")["series"][0]
    run = Run.start("A", Controls(REGIMES[0]), 1)
    for _ in range(5):
        run.step()
    assert len(network["links"]) == run.model.tie_graph().number_of_edges()
    chart = page.locator(".quartier-chart-chart").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    at = chart.evaluate(
        "e => e.__vue__.chart.convertToPixel({gridIndex: 0}, [9, 0])"
    )  # where week 9 is on the first chart
    page.mouse.click(box["x"] + at[0], box["y"] + box["height"] / 3)
    wait_for_week(page, 9)
    click_step(page, 18)  # Step goes on from the end
    assert page.locator(".quartier-week").inner_text().startswith("Week 18 of 1040")
    assert_clean(page, "after scrubbing")


def hover_actor(page, k: int, run: int = 0) -> dict:
    """Move the mouse over the k-th actor of a run's network; returns that node."""
    network = page.locator(".quartier-chart-network").nth(run)
    network.scroll_into_view_if_needed()
    node, at = network.evaluate(
        "(e, k) => { const c = e.__vue__.chart; const d = c.getOption().series[0].data[k];"
        " return [d, c.convertToPixel({seriesIndex: 0}, [d.x, d.y])]; }",
        k,
    )
    box = network.bounding_box()
    page.mouse.move(box["x"] + at[0], box["y"] + at[1])
    return node | {"at": (box["x"] + at[0], box["y"] + at[1])}


def test_inspect_an_actor_and_a_cooperation(page):
    for week in range(1, 9):
        page.get_by_role("button", name="Step").click()
        wait_for_week(page, week)
    run = Run.start("B", Controls(REGIMES[1]), 1)
    for _ in range(8):
        run.step()
    graph = run.model.tie_graph()
    node = hover_actor(page, 10, run=1)
    actor = node["pick"]["actor"]
    tooltip = page.wait_for_function(
        "name => [...document.querySelectorAll('.quartier-chart-network div')]"
        ".map(d => d.innerText).find(t => t.startsWith(name + '\\n'))",
        arg=node["name"],
    ).json_value()  # the chart's tooltip, drawn in the page
    assert f"{graph.degree(actor)} ties" in tooltip
    page.mouse.click(*node["at"])
    inspector = page.locator(".quartier-inspector")
    page.locator(".quartier-actor-name").wait_for()
    assert page.locator(".quartier-actor-name").inner_text().startswith(graph.nodes[actor]["name"])
    assert f"Ties: {graph.degree(actor)} ties" in inspector.inner_text()
    assert graph.nodes[actor]["sector"].replace("_", " ") in inspector.inner_text()
    strongest = max(graph[actor].items(), key=lambda item: (item[1]["strength"], -item[0]))[0]
    inspector.locator(".ties tbody tr").first.click()  # the strongest tie: inspect that actor
    page.wait_for_function(
        "n => document.querySelector('.quartier-actor-name')?.innerText.startsWith(n)",
        arg=graph.nodes[strongest]["name"],
    )
    members = [
        int(i) for i in run.model.cooperations.members[next(iter(run.model.cooperations.running))]
    ]
    page.locator(".quartier-run-view-B .cooperations tbody tr").first.click()
    page.wait_for_function("() => document.querySelector('.quartier-run-view-B tr.selected')")
    page.wait_for_function(DRAWN, arg=FIGURES)
    network = chart_option(page, ".quartier-run-view-B .quartier-chart-network")["series"][0]
    standing_out = [
        n["pick"]["actor"]
        for n in network["data"]
        if n.get("itemStyle", {}).get("borderWidth") in (3, 3.5) and n.get("pick")
    ]
    assert set(members) <= set(standing_out)
    faded = [n for n in network["data"] if n.get("pick") and n["itemStyle"].get("opacity") == 0.25]
    assert len(faded) == graph.number_of_nodes() - len(members) - (strongest not in members)
    assert_clean(page, "after inspecting")


def open_file(page, path: str, into: str = "B") -> None:
    page.get_by_label("Scenario file (path or preset)").fill(path)
    page.get_by_label("into run").click(force=True)
    page.get_by_role("option", name=into, exact=True).click()
    page.get_by_role("button", name="Open", exact=True).click()


def test_open_a_scenario_file_with_an_actor_map(page):
    open_file(page, "scenarios/example_neighbourhood.toml", into="B")
    page.get_by_text("Opened example_neighbourhood.toml as run B").wait_for()
    page.wait_for_function(DRAWN, arg=FIGURES)
    titles = page.locator(".quartier-run-title").all_inner_texts()
    assert "example_neighbourhood.toml" in titles[1] and REGIMES[0] in titles[0]
    with (ROOT / "scenarios" / "examples" / "nordstadt_actors.csv").open() as rows:
        mapped = {row["name"] for row in csv.DictReader(r for r in rows if not r.startswith("#"))}
    network = chart_option(page, ".quartier-run-view-B .quartier-chart-network")["series"][0]
    assert mapped <= {n["name"] for n in network["data"] if n.get("pick")}
    click_step(page, 1)
    config = scenarios.load(ROOT / "scenarios" / "example_neighbourhood.toml")
    run = Run.start("B", Controls(str(ROOT / "scenarios" / "example_neighbourhood.toml")), 1)
    run.step()
    assert run.config == config
    expected = run.model.datacollector.get_model_vars_dataframe().iloc[0]
    assert numbers(page)["forming"][1] == str(int(expected["forming"]))


def test_a_bad_scenario_file_shows_the_cli_error(page, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "self_organised"\n[ties]\ndecay_per_mnth = 0.1\n')
    for path in (str(bad), str(tmp_path / "missing.toml")):
        with pytest.raises(InputError) as expected:
            scenarios.load(path)
        open_file(page, path)
        error = page.locator(".quartier-error")
        error.wait_for()
        page.wait_for_function(
            "t => document.querySelector('.quartier-error')?.innerText.trim() === t",
            arg=str(expected.value),
        )
    titles = page.locator(".quartier-run-title").all_inner_texts()
    assert [t.split()[1] for t in titles] == list(REGIMES)  # the runs stay as they were
    assert_clean(page, "after the errors")


def test_export_the_view_and_the_series(page):
    for week in (1, 2, 3, 4):
        click_step(page, week)
    files = {}
    for kind in ("PNG", "SVG", "CSV"):
        with page.expect_download() as download:
            page.get_by_role("button", name=kind, exact=True).click()
        files[kind] = (download.value.suggested_filename, Path(download.value.path()).read_bytes())
    assert files["PNG"][0] == "quartier-view.png" and files["PNG"][1][:4] == b"\x89PNG"
    assert b"<svg" in files["SVG"][1] and b"Cooperations running" in files["SVG"][1]
    rows = list(csv.DictReader(io.StringIO(files["CSV"][1].decode())))
    assert [(r["run"], r["week"]) for r in rows][:2] == [("A", "0"), ("A", "1")]
    assert len(rows) == 2 * 5
    expected = reference(REGIMES[1], 4)
    last_b = [r for r in rows if r["run"] == "B"][-1]
    assert float(last_b["running"]) == expected["running"]
    assert_clean(page, "after exporting")


def test_typed_seed_and_controls_then_reset_rebuild_the_runs(page):
    typed = ("resources.level=0.5", "ties.decay_per_month=0.08")
    seed = page.get_by_label("Seed (integer)")
    seed.fill("7")
    seed.press("Enter")
    page.get_by_label("Catalyst B", exact=True).click(force=True)
    page.get_by_role("option", name="absent").click()
    overrides = page.get_by_label("Overrides A (KEY=VALUE a line)")
    overrides.fill("resources.level=0.5\nties.decay_per_month=0.08")
    page.keyboard.press("Tab")  # the text is taken when the field loses focus
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "() => (document.querySelectorAll('.quartier-run-title')[1]?.innerText || '')"
        ".includes('catalyst absent')"
    )
    assert "resources.level=0.5 · ties.decay_per_month=0.08" in (
        page.locator(".quartier-run-title").first.inner_text()
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('.quartier-numbers tbody tr')]"
        ".some(r => r.cells[0].innerText.trim() === 'catalyst'"
        " && r.cells[2].innerText.trim() === 'none')"
    )
    assert numbers(page)["catalyst"][:2] == ["active", "none"]
    for week in (1, 2, 3):
        click_step(page, week)
    assert_numbers(
        page,
        3,
        [
            reference(REGIMES[0], 3, seed=7, overrides=typed),
            reference(REGIMES[1], 3, seed=7, catalyst_mode="absent"),
        ],
    )
    commands = page.locator(".quartier-command").all_inner_texts()
    assert commands[0].endswith(
        "--seed 7 --set resources.level=0.5 --set ties.decay_per_month=0.08"
    )
    assert commands[1].endswith("--seed 7 --set catalyst.mode=absent")


def test_every_asset_is_served_through_steps_and_reset(page):
    """Load, Step three times, Reset: every file the page asked for came back below 400."""
    for week in (1, 2, 3):
        click_step(page, week)
    page.get_by_role("button", name="Reset").click()
    wait_for_week(page, 0)
    assert_clean(page, "after Reset")
    files = [url for url in page.requests if url.startswith("http")]
    assert any("/_solara/cdn/" in url for url in files), "no frontend asset was requested"
    unserved = sorted({url for url in files if not page.statuses.get(url)})
    failing = sorted({url for url, codes in page.statuses.items() if max(codes) >= 400})
    assert not unserved, f"requested but never answered: {unserved}"
    assert not failing, f"answered with status >= 400: {failing}"
