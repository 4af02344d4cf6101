"""The browser app's runs without a browser: controls, the same numbers as `quartier run`,
paired runs, the stored history, the layout, and the command that starts it."""

from __future__ import annotations

import re
import shlex
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest

import scenarios
from quartier.commands.viz import handle, server_command, starting_scenarios
from quartier.viz.controls import (
    Controls,
    build_config,
    describe,
    parse_seed,
    run_command,
    split_overrides,
)
from quartier.viz.history import LEVELS, History, quantise
from quartier.viz.offline import SOLARA_PACKAGES, frontend_mismatch
from quartier.viz.session import Comparison, Run
from quartier.viz.start import REGIME_COMPARISON, SCENARIOS_ENV, SEED_ENV
from scenarios.dotted import parse_assignments
from scenarios.errors import InputError
from scenarios.explain import Flag
from scenarios.scaling import scale_counts
from simulation import NeighbourhoodModel
from simulation.run import network_series, result_of, run

ONE_YEAR = ("years=1",)  # 52 weeks: short enough for many checks


def test_neutral_controls_keep_the_scenario():
    for name in ("self_organised", "programme_funded"):
        assert build_config(Controls(scenario=name)) == scenarios.load(name)


def test_controls_become_overrides():
    base = scenarios.load("self_organised")
    config = build_config(
        Controls(catalyst_mode="leaves", meeting_interval=2.0, resource_level=0.5, actors=300)
    )
    assert config.catalyst.mode == "leaves"
    assert [m.interval_weeks for m in config.meetings] == [
        2 * m.interval_weeks for m in base.meetings
    ]
    assert config.resources.level == pytest.approx(0.5 * base.resources.level)
    assert sum(config.actors.counts.values()) == 300


def test_regime_swaps_in_the_programme():
    config = build_config(Controls(scenario="self_organised", regime="programme_funded"))
    assert config.regime == "programme" and config.programme.enabled
    assert config.catalyst.holder == "qm"
    back = build_config(Controls(scenario="programme_funded", regime="self_organised"))
    assert back.regime == "self_organised" and not back.programme.enabled


def test_typed_overrides_apply_and_fail_as_quartier_run_does():
    config = build_config(Controls(overrides=("ties.decay_per_month=0.1", "years=3")))
    assert config.ties.decay_per_month == 0.1 and config.years == 3
    with pytest.raises(InputError) as ours:
        build_config(Controls(overrides=("ties.decay_per_mnth=0.1",)))
    with pytest.raises(InputError) as theirs:  # what `quartier run --set` does
        config = scenarios.load("self_organised")
        scenarios.override(config, parse_assignments(["ties.decay_per_mnth=0.1"]), Flag("--set"))
    assert str(ours.value) == str(theirs.value)
    assert "--set" in str(ours.value) and "\n" not in str(ours.value)


def test_split_overrides_and_describe():
    assert split_overrides("a=1\n b = 2 ; c=3\n") == ("a=1", "b = 2", "c=3")
    text = describe(Controls("programme_funded", catalyst_mode="absent", overrides=("years=2",)))
    assert text == "programme_funded · catalyst absent · years=2"


@pytest.mark.parametrize(
    "controls",
    [
        Controls("self_organised"),
        Controls("programme_funded", catalyst_mode="absent", meeting_interval=2.0, actors=120),
        Controls("self_organised", resource_level=0.5, overrides=("ties.decay_per_month=0.08",)),
    ],
)
def test_the_shown_command_makes_the_same_config(controls):
    command = shlex.split(run_command(controls, seed=4))
    assert command[:6] == ["quartier", "run", "--scenario", controls.scenario, "--seed", "4"]
    typed = [command[k + 1] for k, word in enumerate(command) if word == "--set"]
    config = scenarios.load(controls.scenario)
    if typed:
        config = scenarios.override(config, parse_assignments(typed), Flag("--set"))
    assert config == build_config(controls)


def test_no_command_where_a_regime_is_swapped_in():
    assert run_command(Controls("self_organised", regime="programme_funded"), 1) is None
    assert run_command(Controls("self_organised", regime="self_organised"), 1) is not None


def test_scale_counts_keeps_total_and_shares():
    counts = {"residents": 40, "civil_society": 20, "public": 12, "housing": 4, "business": 14}
    scaled = scale_counts(counts, 500)
    assert sum(scaled.values()) == 500
    assert scaled["residents"] == pytest.approx(500 * 40 / 90, abs=1)


@pytest.mark.parametrize(
    ("typed", "seed"),
    [("42", 42), (" 7 ", 7), (3, 3), ("", None), ("x", None), ("-1", None), ("1.5", None)],
)
def test_parse_seed(typed, seed):
    assert parse_seed(typed) == seed


# -- the same run as `quartier run` ------------------------------------------------------------


@pytest.mark.parametrize(("scenario", "seed"), [("programme_funded", 3), ("self_organised", 7)])
def test_each_side_reproduces_quartier_run(scenario, seed):
    """Both runs of a comparison, stepped together to their end, give exactly the time series,
    network series and summary `simulation.run.run` gives for their config and seed."""
    other = "self_organised" if scenario == "programme_funded" else "programme_funded"
    comparison = Comparison([Controls(scenario, overrides=ONE_YEAR), Controls(other)], seed)
    while not comparison.runs[0].finished:
        comparison.step()
    ours = comparison.runs[0]
    theirs = run(ours.config, seed=seed)
    assert ours.week == 52 and ours.finished
    mine = result_of(ours.model, seed)
    assert mine.timeseries.equals(theirs.timeseries)
    assert mine.network.equals(theirs.network)
    assert mine.summary == theirs.summary
    assert comparison.runs[1].week == 52  # stepped along, not finished
    assert not comparison.runs[1].finished


def test_runs_of_a_comparison_share_the_seed_and_stop_at_their_end():
    comparison = Comparison(
        [Controls("self_organised", overrides=("years=0.5",)), Controls(overrides=ONE_YEAR)], 5
    )
    assert {run.seed for run in comparison.runs} == {5}
    assert [run.label for run in comparison.runs] == ["A", "B"]
    assert comparison.step(100) == 52 and comparison.finished
    assert [run.week for run in comparison.runs] == [26, 52]
    assert comparison.step(5) == 52  # nothing more to do
    with pytest.raises(ValueError):
        Comparison([Controls()] * 5, 1)


def test_a_bad_scenario_fails_when_the_run_is_built():
    with pytest.raises(InputError, match="no_such_preset"):
        Run.start("A", Controls("no_such_preset"), 1)


# -- the history ---------------------------------------------------------------------------------


def test_quantised_strengths_keep_their_side_of_the_threshold():
    strengths = np.random.default_rng(0).uniform(0, 1, 5000)
    for threshold in (0.3, 0.6, 0.61234):
        stored = quantise(strengths, threshold) / LEVELS
        assert np.all((stored >= threshold) == (strengths >= threshold))
        assert np.max(np.abs(stored - strengths)) < 1 / LEVELS


def test_the_history_gives_back_every_week():
    """Any week recorded equals the model as it was then: actors, ties (exact pairs, strength
    to 1/255), running cooperations with their members, roles, and the counters."""
    config = build_config(Controls("programme_funded", actors=120))
    model = NeighbourhoodModel(config, rng=11)
    history = History(model)
    seen = {}
    for _ in range(80):
        model.step()
        history.record(model)
        if model.week in (1, 13, 40, 80):
            seen[model.week] = (
                model.tie_graph(),
                {k: list(model.cooperations.members[k]) for k in model.cooperations.running},
                model.roles(),
                np.asarray(model.state.stock)[: len(model.state.names)].copy(),
            )
    threshold = config.ties.resilient_threshold
    for week, (graph, running, roles, stock) in seen.items():
        frame = history.frame(week, model)
        assert frame.week == week and sorted(frame.actors.tolist()) == sorted(graph.nodes)
        ties = {(min(a, b), max(a, b)): w for a, b, w in graph.edges(data="strength")}
        stored = dict(
            zip(zip(frame.a.tolist(), frame.b.tolist(), strict=True), frame.strength, strict=True)
        )
        assert stored.keys() == ties.keys()
        assert all(abs(stored[k] - w) <= 1 / LEVELS for k, w in ties.items())
        assert all((stored[k] >= threshold) == (w >= threshold) for k, w in ties.items())
        assert {c.id: c.members for c in frame.cooperations} == running
        assert frame.roles == {i: r for i, r in roles.items() if r}
        assert np.allclose(frame.stock, stock[frame.actors], rtol=1e-3, atol=1e-2)
        row = model.datacollector.get_model_vars_dataframe().iloc[week - 1].to_dict()
        assert frame.counters == row


def test_the_history_is_compact():
    model = NeighbourhoodModel(build_config(Controls("self_organised")), rng=1)
    history = History(model)
    for _ in range(104):
        model.step()
        history.record(model)
    per_week = history.nbytes / 105
    ties = len(history.ties.keys) and len(model.ties.live_slots())
    assert per_week < 2 * ties + 2000  # about a byte per tie and a few per actor a week
    assert history.weeks == 105 and history.last == 104


def test_recording_out_of_order_is_refused():
    model = NeighbourhoodModel(build_config(Controls()), rng=1)
    history = History(model)
    with pytest.raises(ValueError, match="week 1"):
        model.step()
        model.step()
        history.record(model)


def test_layout_places_newcomers_once_and_never_moves_anyone():
    arrivals = ("turnover.sectors.residents.arrival_rate_per_year=1",)  # ~1 a week
    run = Run.start("A", Controls("self_organised", actors=150, overrides=arrivals), 3)
    before = dict(run.layout.positions)
    for _ in range(40):
        run.step()
    after = run.layout.positions
    assert all(after[node] == xy for node, xy in before.items())
    arrived = set(run.history.actors.keys.tolist()) - set(before)
    assert arrived and arrived <= set(after)  # newcomers arrived and were placed


# -- the command -------------------------------------------------------------------------------


def test_server_command_binds_what_was_asked():
    command = server_command("127.0.0.1", 8123)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8123"
    assert "--production" in command and "--no-check-version" in command


def viz_args(**given) -> Namespace:
    return Namespace(
        **(
            {"scenario": None, "compare": None, "seed": 1, "host": "127.0.0.1", "port": 8765}
            | given
        )
    )


def test_viz_starts_with_the_regime_comparison_or_what_was_asked():
    assert starting_scenarios(viz_args()) == list(REGIME_COMPARISON)
    assert starting_scenarios(viz_args(scenario="no_meetings")) == ["no_meetings"]
    pair = ["self_organised", "catalyst_loss_self_organised"]
    assert starting_scenarios(viz_args(compare=pair)) == pair


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"scenario": "no_such_preset"}, "no_such_preset"),
        ({"port": 0}, "--port"),
        ({"seed": -2}, "--seed"),
        ({"compare": ["self_organised"]}, "--compare"),
        ({"compare": ["self_organised"] * 5}, "--compare"),
        ({"compare": ["self_organised", "nope"]}, "nope"),
        ({"compare": ["a", "b"], "scenario": "c"}, "--compare"),
    ],
)
def test_viz_refuses_bad_flags_with_one_line(given, named):
    with pytest.raises(InputError, match=re.escape(named)) as error:
        handle(viz_args(**given))
    assert "\n" not in str(error.value)


def test_viz_hands_the_runs_to_the_server(monkeypatch, tmp_path):
    started = {}
    monkeypatch.setattr("os.execve", lambda path, argv, env: started.update(env=env, argv=argv))
    own = tmp_path / "mine.toml"
    own.write_text('extends = "self_organised"\nname = "mine"\n')
    handle(viz_args(compare=["programme_funded", str(own)], seed=9))
    env = started["env"]
    assert env[SCENARIOS_ENV].splitlines() == ["programme_funded", str(own.resolve())]
    assert env[SEED_ENV] == "9" and env["SOLARA_ASSETS_PROXY"] == "True"


# -- the frontend files --------------------------------------------------------------------------


def test_solara_packages_are_one_release():
    """The page's files (solara-assets) were built for the Solara release that asks for them."""
    assert frontend_mismatch() is None, frontend_mismatch()


def test_a_mixed_solara_install_is_named():
    versions = dict.fromkeys(SOLARA_PACKAGES, "1.64.1") | {"solara-assets": "1.58.2"}
    message = frontend_mismatch(versions)
    assert message and "solara 1.64.1" in message and "solara-assets 1.58.2" in message


def test_the_page_template_files_are_installed():
    """Every frontend package (name@version) that Solara's page names lies in the installed
    assets, which the app serves instead of a CDN; so does the charting library the app's
    figures load."""
    import solara.server
    import solara.server.settings

    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    named = set(re.findall(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+@[\w.+-]+)/", template.read_text()))
    assert named, "the page template names no frontend package"
    vue = (Path(__file__).parent.parent / "quartier" / "viz" / "echart.vue").read_text()
    named |= set(re.findall(r"/([\w.-]+@[\d.]+)/", vue))
    assert "echarts@5.4.0" in named
    assets = solara.server.settings.assets.proxy_cache_dir
    assert not sorted(name for name in named if not (assets / name).is_dir())


def test_network_series_of_a_finished_run_ends_in_its_last_week():
    run_ = Run.start("A", Controls("self_organised", overrides=("years=0.25",)), 2)
    while not run_.finished:
        run_.step()
    assert network_series(run_.model)["week"].iloc[-1] == run_.end == 13
