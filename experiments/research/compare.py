"""compare (the headline): does the catalyst matter more where there is no programme?

Two designs, paired by common random numbers (replicate r has one seed in every cell):
compare.toml — regime × catalyst absent / present with the same holder in both regimes (an
independent networker, the same paid hours and functions): the primary contrast; and
compare_holders.toml — each regime's own holder (QM staff, the initiative's lead) and the
initiative's lead under the programme: secondary contrasts. Runs end inside the funding
period. Replicates grow in batches until the primary interaction's 95 % CI half-width meets
the spec's target (or the cap). One primary outcome; the secondary tests are Holm-corrected.
The interaction over the years, its power (minimum detectable effect) and its robustness
(random streams, a calibrated ensemble, Sobol' indices of the interaction) are reported; the
report opens with the answer (stylised fact 9, docs/FACTS.md).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from experiments.research import compare_design as design
from experiments.research import compare_figures, figures
from experiments.research import compare_robustness as robust
from experiments.research.analysis import (
    OUTCOME_LABELS,
    cell_means_table,
    cross_sector_erosion,
    series_figure,
    snapshot_years,
    snapshots,
    text_table,
    value_at,
)
from experiments.research.compare_design import (
    NONE,
    PROGRAMME,
    SELF_ORGANISED,
    Contrast,
)
from experiments.research.experiment import (
    Experiment,
    Part,
    Study,
    Sweep,
    build_spec,
    parameters_text,
)
from experiments.research.facts import verdict
from experiments.research.sobol import CONVERGED, uncorrected_text
from experiments.stats import (
    Estimate,
    PairedTest,
    cell_table,
    holm,
    minimum_detectable_effect,
    replications_for,
    t_interval,
)
from experiments.sweep.spec import Spec, scenario_configs
from simulation.config import WEEKS_PER_YEAR

ALPHA = 0.05
SERIES = ["running", "completed", "actors_involved", "success_rate"]
NETWORK = ["resilient_ties", "cross_sector_share", "giant_component_share", "hubs"]
OVER_TIME = {"completed": "timeseries", "giant_component_share": "network"}
"""Outcomes whose interaction is followed over the years, and the series that holds them."""

PRIMARY, HOLDERS, SENSITIVITY = (
    Sweep("compare", "primary", check=design.check_primary),
    Sweep("compare_holders", "holders", check=design.check_holders),
    Sweep("compare_sensitivity", "sensitivity"),
)


# ------------------------------------------------------------------ running


def collect(study: Study, specs: dict[str, Spec]) -> None:
    """Grow the primary and holders designs in paired batches; then the robustness runs
    the options ask for (streams, an ensemble, the sensitivity of the interaction)."""
    primary, holders = specs["primary"], specs["holders"]
    design.check_together(primary, holders)
    ensemble = robust.check_ensemble(study.options.ensemble)
    rule = design.settings(primary)
    if study.options.streams is not None:
        rule = rule.model_copy(update={"streams": study.options.streams})
    cap = primary.experiment.replications
    holder = _primary_holder(primary)
    parts, growth = design.grow(
        study,
        [(PRIMARY, primary), (HOLDERS, holders)],
        primary.experiment.seed,
        "",
        rule,
        cap,
        holder,
    )
    study.parts.update(parts)
    runs = pd.concat([parts["primary"].runs, parts["holders"].runs], ignore_index=True)
    study.found |= {"rule": rule, "growth": growth, "runs": runs, "holder": holder}
    study.found["streams"] = robust.run_streams(study, PRIMARY, primary, rule, cap, holder)
    if ensemble is not None:
        part = robust.run_ensemble(study, PRIMARY, primary, ensemble, growth.n)
        study.found["ensemble"] = part
    if study.options.samples is not None:
        # the spec's own replications per design point: --replications is compare's cap
        spec = build_spec(SENSITIVITY.spec, replace(study.options, replications=None))
        study.found["sensitivity"] = robust.run_sensitivity(study, SENSITIVITY, spec)


def _primary_holder(spec: Spec) -> str:
    config = scenario_configs(spec)[0]
    return design.HOLDER_LABELS[config.catalyst.holder]


# ------------------------------------------------------------------ analysis (no output)


def analyse(study: Study) -> None:
    """Every paired test of the report, kept in study.found for the sections."""
    rule, runs = study.found["rule"], study.found["runs"]
    pairs = design.contrasts(runs, study.found["holder"])
    rows = []
    for contrast in pairs:
        for output in rule.outcomes:
            table = design.wide(runs, output)
            rows.append(
                {
                    "contrast": contrast,
                    "output": output,
                    "test": design.interaction(table, contrast),
                    "self": design.effect(table, SELF_ORGANISED, contrast.self_holder),
                    "programme": design.effect(table, PROGRAMME, contrast.programme_holder),
                    "primary": contrast.primary and output == rule.primary,
                }
            )
    tests = pd.DataFrame(rows)
    secondary = ~tests["primary"]
    tests["holm"] = np.nan
    tests.loc[secondary, "holm"] = holm([t.p for t in tests.loc[secondary, "test"]])
    study.found["contrasts"], study.found["tests"] = pairs, tests
    primary = tests[tests["primary"]].iloc[0]
    test: PairedTest = primary["test"]
    study.found["primary"] = primary
    study.found["mde"] = minimum_detectable_effect(test.sd, test.n, rule.power, ALPHA)
    study.found["streams_tests"] = [
        (growth, _primary_test(part.runs, rule, study.found["holder"]))
        for part, growth in study.found["streams"]
    ]


def _primary_test(runs: pd.DataFrame, rule, holder: str) -> PairedTest:
    contrast = design.contrasts(runs, holder)[0]
    return design.interaction(design.wide(runs, rule.primary), contrast)


def _direction(estimate: Estimate, p: float, alpha: float = ALPHA) -> int:
    """+1: matters more when self-organised; −1: more under the programme; 0: not resolved."""
    if not p < alpha:
        return 0
    return 1 if estimate.value > 0 else -1


OWN = design.OWN_CONTRAST
READING = {
    1: "matters more when self-organised",
    -1: "matters more when programme-funded",
    0: "no difference resolved",
}


# ------------------------------------------------------------------ the answer


def answer(study: Study) -> None:
    """The report opens with the plain answer and the numbers behind it."""
    study.report.text(answer_text(study))


def answer_text(study: Study) -> str:
    """'Yes', 'No', or 'It depends on …', with the primary interaction, its power, the
    holders' contrast and the streams."""
    found, rule = study.found, study.found["rule"]
    row, mde = found["primary"], found["mde"]
    test: PairedTest = row["test"]
    unit = OUTCOME_LABELS[rule.primary]
    years = study.main.years
    primary = _direction(test.estimate, test.p)
    own = _own_row(study)
    own_direction = _direction(own["test"].estimate, own["holm"]) if own is not None else None
    streams = [_direction(t.estimate, t.p) for _, t in found["streams_tests"]]
    held = sum(d == primary for d in streams) + 1
    total = len(streams) + 1
    head = _head(primary, own_direction)
    variant = _variant(study)
    if variant is not None and _direction(variant.estimate, variant.p) != primary:
        head = (
            f"{head} and on the parameters"
            if head.startswith("It depends")
            else "It depends on the parameters"
        )
    if total > 1 and held < total:
        head += f" — but not in every random stream ({held} of {total} agree)"
    text = [
        f"**Does the catalyst matter more where there is no programme? {head}.** ",
        f"With the same kind of catalyst in both regimes (an {found['holder']}, the same "
        f"paid hours and functions) over the first {years:g} years of a funded programme, the "
        f"catalyst changes the {unit} by {row['self'].estimate.text()} when self-organised "
        f"and by {row['programme'].estimate.text()} when programme-funded; the difference, "
        f"the interaction, is **{test.estimate.text()}** ({test.n} paired replicates, "
        f"p = {test.p:.2g}: {READING[primary]}). ",
        f"With {rule.power * 100:.0f} % power the design detects an interaction of "
        f"±{mde:.3g} ({unit}); ",
    ]
    if primary == 0:
        text.append("an effect of that size or more is unlikely to have been missed. ")
    else:
        text.append("the estimate is beyond that. ")
    if own is not None:
        text.append(
            f"With each regime's own holder (the {design.OWN_HOLDERS[SELF_ORGANISED]} when "
            f"self-organised, the {design.OWN_HOLDERS[PROGRAMME]} under the programme) the "
            f"interaction is {own['test'].estimate.text()} (Holm-adjusted p = "
            f"{own['holm']:.2g}: {READING[own_direction]}). "
        )
    if variant is not None:
        text.append(
            f"With {_variant_how(study.options.ensemble)} the primary interaction is "
            f"{variant.estimate.text()} ({variant.n} paired replicates, p = {variant.p:.2g}: "
            f"{READING[_direction(variant.estimate, variant.p)]}). "
        )
    if total > 1:
        text.append(
            f"Over {total} independent random streams the verdict on the primary interaction "
            f"was the same in {held}. "
        )
    else:
        text.append("Only one random stream was run (more: --streams). ")
    return "".join(text)


def _variant(study: Study) -> PairedTest | None:
    """The primary interaction with other parameters (--ensemble), if that was run."""
    part = study.found.get("ensemble")
    if part is None:
        return None
    return _primary_test(part.runs, study.found["rule"], study.found["holder"])


def _variant_how(chosen: str) -> str:
    """The parameters of the --ensemble run, in words."""
    if chosen == robust.NO_ENSEMBLE:
        return "the presets' own parameter values (no ensemble)"
    return f"every run of both regimes drawing its parameters from the ensemble `{chosen}`"


def _head(primary: int, own: int | None) -> str:
    """The answer's first words from the primary verdict and that with each regime's own
    holder (None: not run)."""
    if own is not None and own != 0 and own != primary:
        return "It depends on who holds the role"
    if primary == 0:
        return "No: no difference was found"
    words = "Yes" if primary == 1 else "No — the reverse: it matters more under the programme"
    if own == 0:
        words += (
            " — with the same kind of catalyst in both; with each regime's own holder no "
            "difference was resolved"
        )
    return words


def _own_row(study: Study) -> pd.Series | None:
    tests, rule = study.found["tests"], study.found["rule"]
    own = np.array([c.name == OWN for c in tests["contrast"]], dtype=bool)
    mask = (tests["output"] == rule.primary).to_numpy() & own
    return tests[mask].iloc[0] if mask.any() else None


# ------------------------------------------------------------------ sections


def introduce(study: Study) -> None:
    rule, growth = study.found["rule"], study.found["growth"]
    primary, holders = study.parts["primary"], study.parts["holders"]
    config = primary.configs[0]
    programme = next(c for c in primary.configs if c.programme.enabled)
    end = programme.programme.start_year + programme.programme.funding_years
    taper = end - programme.programme.transition_years
    study.report.heading("Design")
    study.report.text(
        f"Regime (programme-funded, self-organised) × who holds the catalyst role: no "
        f"catalyst; an {study.found['holder']} (the primary contrast: the same kind of holder "
        f"in both regimes); and in the secondary design each regime's own holder (the QM staff, "
        f"the initiative's lead) and the initiative's lead under the programme. Every catalyst "
        f"has {config.catalyst.hours:g} paid hours a week (`catalyst.time = "
        f'"{config.catalyst.time}"`) and the same five functions. Runs last '
        f"{primary.years:g} years after a {config.warmup_years:g}-year warm-up: inside the "
        f"programme's funding period (it ends at year {end:g}, tapering from year {taper:g}"
        + (", so the last years here are the degressive phase" if primary.years > taper else "")
        + "), so both regimes are what they claim to be; what happens after funding ends is "
        "the funding-exit experiment."
    )
    study.report.text(
        f"**Pairing.** Common random numbers: replicate r has the same seed (experiment seed "
        f"{growth.seed}) in all {len(design.cell_order(study.found['runs']))} cells. The "
        f"warm-up has no meetings, catalyst or programme (docs/ODD.md §5), so "
        f"{_paired_start(study.parts['primary'])} Every effect and interaction is estimated "
        f"on pairs: per replicate the difference (effect) or difference of differences "
        f"(interaction), then its mean with a Student-t 95 % CI and a paired t test."
    )
    study.report.text(
        f"**Outcomes.** Primary: {OUTCOME_LABELS[rule.primary]} (declared in the spec; the "
        "question is about cooperations that realise their project). Secondary: "
        + ", ".join(OUTCOME_LABELS[o] for o in rule.secondary)
        + ". The primary interaction is tested at 5 %; every other interaction (all outcomes "
        "of the secondary contrasts, the secondary outcomes of the primary contrast) is one "
        "family with Holm's correction, and the catalyst's effects per regime another."
    )
    study.report.text(
        f"**Replications by power.** Replicates are added in batches of {rule.batch} until "
        f"the 95 % CI half-width of the primary interaction is at most "
        f"{rule.target_half_width:g} ({OUTCOME_LABELS[rule.primary]}), or {growth.cap} "
        f"replicates (the cap). "
        + (
            f"Reached at n = {growth.n}."
            if growth.reached
            else f"**Not reached: the cap of {growth.cap} replicates was hit** (half-width "
            f"{growth.steps[-1]['estimate'].half:.3g} at n = {growth.n})."
        )
        + f" {len(primary.results.runs) + len(holders.results.runs)} runs."
    )


def outcomes(study: Study) -> None:
    runs, rule = study.found["runs"], study.found["rule"]
    order = design.cell_order(runs)
    runs = runs.set_index("cell").loc[order].reset_index()
    study.report.heading("Outcomes per cell")
    table = cell_means_table(runs, "cell", rule.outcomes)
    study.report.table(table, "mean ± 95 % CI half-width over replicates, at the end of the run")
    study.found["cells"] = table


def _label(output: str) -> str:
    return OUTCOME_LABELS[output]


def primary_section(study: Study) -> None:
    row, rule, mde = study.found["primary"], study.found["rule"], study.found["mde"]
    test: PairedTest = row["test"]
    study.report.heading("The primary interaction")
    study.report.text(
        f"Contrast: {row['contrast'].name}. Interaction = (catalyst effect when "
        "self-organised) − (catalyst effect when programme-funded), per replicate; positive "
        "means the catalyst matters more where there is no programme (stylised fact 9)."
    )
    table = pd.DataFrame(
        [
            {
                "outcome": _label(rule.primary),
                "effect self-organised": row["self"].estimate.text(),
                "effect programme-funded": row["programme"].estimate.text(),
                "interaction [95 % CI]": test.estimate.text(),
                "SD of paired interaction": f"{test.sd:.3g}",
                "n": test.n,
                "p": f"{test.p:.2g}",
                f"MDE ({rule.power * 100:.0f} % power)": f"{mde:.3g}",
                "reading": READING[_direction(test.estimate, test.p)],
            }
        ]
    )
    study.report.table(table, "Primary outcome, primary contrast (paired t)")


def secondary_section(study: Study) -> None:
    tests = study.found["tests"]
    rows = []
    for _, row in tests[~tests["primary"]].iterrows():
        test: PairedTest = row["test"]
        rows.append(
            {
                "contrast": row["contrast"].name,
                "outcome": _label(row["output"]),
                "interaction [95 % CI]": test.estimate.text(),
                "p": f"{test.p:.2g}",
                "Holm p": f"{row['holm']:.2g}",
                "reading (Holm, 5 %)": READING[_direction(test.estimate, row["holm"])],
            }
        )
    study.report.heading("Secondary interactions (Holm-corrected)")
    study.report.text(
        f"{len(rows)} secondary tests form one family; Holm's step-down correction keeps the "
        "chance of any false 'matters more' among them at 5 %. The CIs are unadjusted 95 % "
        "intervals."
    )
    study.report.table(pd.DataFrame(rows), "Regime × catalyst, secondary")


def effects_section(study: Study) -> None:
    runs, rule = study.found["runs"], study.found["rule"]
    rows = []
    for output in rule.outcomes:
        table = design.wide(runs, output)
        for name in design.cell_order(runs):
            regime_label, holder = name.split(" / ", 1)
            if holder == NONE:
                continue
            test = design.effect(table, regime_label, holder)
            rows.append(
                {
                    "regime": regime_label,
                    "holder": holder,
                    "outcome": _label(output),
                    "effect [95 % CI]": test.estimate.text(),
                    "_test": test,
                }
            )
    frame = pd.DataFrame(rows)
    frame["Holm p"] = [f"{p:.2g}" for p in holm([t.p for t in frame["_test"]])]
    study.report.heading("The catalyst's effects per regime and holder")
    study.report.text(
        "Per replicate: the cell with the catalyst minus the same regime without it (paired); "
        "Holm-corrected over this table."
    )
    study.report.table(frame.drop(columns=["_test"]), "Catalyst effects (paired differences)")
    plot = frame[frame["outcome"] == _label(rule.primary)]
    stem = figures.effects(
        pd.DataFrame(
            {
                "label": plot["regime"] + ": " + plot["holder"],
                "value": [t.estimate.value for t in plot["_test"]],
                "low": [t.estimate.low for t in plot["_test"]],
                "high": [t.estimate.high for t in plot["_test"]],
                "group": plot["regime"],
            }
        ),
        study.out,
        "effects",
        f"catalyst effect on {_label(rule.primary)} (95 % CI, paired)",
        "group",
    )
    study.report.figure(stem, f"The catalyst's effect on {_label(rule.primary)} by holder")


# ------------------------------------------------------------------ over the years


def over_time(runs: pd.DataFrame, series: pd.DataFrame, output: str, contrast: Contrast):
    """Per measurement week: the paired interaction's mean and 95 % t-CI."""
    frame = series.merge(runs[["run_id", "cell"]], on="run_id")
    rows = []
    for week, part in frame.groupby("week"):
        table = part.pivot_table(index="replicate", columns="cell", values=output)
        if not set(contrast.cells) <= set(table.columns):
            continue
        estimate = t_interval(design.interaction_differences(table, contrast))
        rows.append(
            {
                "year": week / WEEKS_PER_YEAR,
                "mean": estimate.value,
                "low": estimate.low,
                "high": estimate.high,
            }
        )
    return pd.DataFrame(rows)


def time_section(study: Study) -> None:
    runs = study.found["runs"]
    series = {
        "timeseries": pd.concat(
            [study.parts[k].results.timeseries for k in ("primary", "holders")]
        ),
        "network": pd.concat([study.parts[k].results.network for k in ("primary", "holders")]),
    }
    pairs = study.found["contrasts"][:2]
    curves = {
        (OUTCOME_LABELS[output], contrast.name): over_time(runs, series[table], output, contrast)
        for output, table in OVER_TIME.items()
        for contrast in pairs
        if not series[table].empty
    }
    curves = {k: v for k, v in curves.items() if not v.empty}
    study.report.heading("When the difference appears")
    if not curves:
        study.report.text("No time series were stored (outputs.timeseries_every = 0).")
        return
    stem = compare_figures.interaction_over_time(curves, study.out, "interaction_over_time")
    study.report.figure(
        stem,
        "The interaction over the years (mean of paired differences, 95 % CI band): "
        "cooperations completed so far (left), giant-component share (right)",
    )
    primary = curves.get((OUTCOME_LABELS["completed"], pairs[0].name))
    if primary is not None:
        study.report.text(_appears(primary))


def _appears(curve: pd.DataFrame) -> str:
    """When the primary interaction's CI leaves 0 for good, in words."""
    outside = (curve["low"] > 0) | (curve["high"] < 0)
    values = outside.to_numpy()
    if not values.any():
        return (
            "The interaction on completed cooperations does not leave zero at any time of "
            "the run (its 95 % band includes 0 throughout)."
        )
    last_inside = np.flatnonzero(~values)
    start = 0 if not len(last_inside) else last_inside[-1] + 1
    if start >= len(curve):
        return (
            "The interaction on completed cooperations leaves zero at times but is back "
            "within the band at the end of the run."
        )
    year = curve["year"].iloc[start]
    side = "above" if curve["mean"].iloc[-1] > 0 else "below"
    return (
        f"The interaction on completed cooperations (so far) is {side} zero, its 95 % band "
        f"excluding 0, from year {year:.2g} to the end of the run."
    )


# ------------------------------------------------------------------ power


def power_section(study: Study) -> None:
    growth, rule, mde = study.found["growth"], study.found["rule"], study.found["mde"]
    test: PairedTest = study.found["primary"]["test"]
    study.report.heading("How many replications: the interaction's precision and power")
    rows = [
        {
            "n": step["n"],
            "primary interaction [95 % CI]": step["estimate"].text(),
            "CI half-width": f"{step['estimate'].half:.3g}",
            "SD of paired interaction": f"{step['sd']:.3g}",
        }
        for step in growth.steps
    ]
    needed = replications_for(test.sd, rule.target_half_width)
    study.report.text(
        "Replications are set by the quantity the question is about — the interaction — not "
        "by the precision of cell means. After each batch the paired interaction's CI "
        f"half-width is compared with the target {rule.target_half_width:g}: "
        + (
            f"reached at n = {growth.n}. "
            if growth.reached
            else f"not reached by the cap of {growth.cap} replicates. "
        )
        + f"With the measured SD of the paired interaction ({test.sd:.3g}) the target needs "
        f"n = {needed or 'more than ten million'}. The minimum detectable interaction at "
        f"{rule.power * 100:.0f} % power "
        f"(two-sided paired t test, 5 %) with n = {test.n} is ±{mde:.3g}. The stopping rule "
        "looks only at the CI's width (the SD), never at the estimate, so it cannot stop at a "
        "favourable verdict. What pairing gained: " + _pairing_gain(study)
    )
    study.report.table(pd.DataFrame(rows), "The primary interaction after each batch")


def _pairing_gain(study: Study) -> str:
    """The paired interaction's SD against what independent cells would give."""
    runs, rule = study.found["runs"], study.found["rule"]
    contrast = study.found["contrasts"][0]
    table = design.wide(runs, rule.primary)
    variances = [table[c].var(ddof=1) for c in contrast.cells]
    unpaired = float(np.sqrt(np.sum(variances)))
    paired = float(study.found["primary"]["test"].sd)
    if not unpaired > 0 or not paired > 0:
        return "no variance to compare."
    factor = (unpaired / paired) ** 2
    return (
        f"the SD of the paired interaction is {paired:.3g}, against {unpaired:.3g} if the "
        f"four cells had independent seeds: without common random numbers {factor:.2g} times "
        "the replicates would be needed for the same precision."
    )


# ------------------------------------------------------------------ robustness


def robustness_section(study: Study) -> None:
    study.report.heading("Robustness")
    _streams(study)
    _ensemble(study)
    _sensitivity(study)


def _streams(study: Study) -> None:
    study.report.heading("Independent random streams", 3)
    first = study.found["primary"]["test"]
    rows = [_stream_row(study.found["growth"], first)]
    rows += [_stream_row(growth, test) for growth, test in study.found["streams_tests"]]
    if len(rows) == 1:
        study.report.text(
            "Not run in this call: one random stream only. `--streams 3` repeats the primary "
            "design with experiment seeds seed + 1 and seed + 2, each grown by the same rule."
        )
    else:
        directions = {r["reading"] for r in rows}
        study.report.text(
            f"The primary design in {len(rows)} independent streams (experiment seeds), each "
            "grown by the same precision rule. "
            + (
                "The verdict is the same in every stream."
                if len(directions) == 1
                else "**The verdict differs between streams**: read the primary result with "
                "that in mind."
            )
        )
    study.report.table(pd.DataFrame(rows), "Primary interaction per random stream")


def _stream_row(growth, test: PairedTest) -> dict:
    return {
        "experiment seed": growth.seed,
        "n": test.n,
        "interaction [95 % CI]": test.estimate.text(),
        "p": f"{test.p:.2g}",
        "target reached": "yes" if growth.reached else "no (cap)",
        "reading": READING[_direction(test.estimate, test.p)],
    }


def _paired_start(part: Part) -> str:
    """What the runs of a replicate share at week 0, given where their parameters came from."""
    ensembles = part.results.manifest.get("ensembles") or []
    if len({None if e is None else e["hash"] for e in ensembles}) > 1:
        return (
            "within a regime the runs of a replicate start week 0 from the same "
            "neighbourhood and part only through what differs between the cells; the two "
            "regimes' neighbourhoods differ also by the parameter sets drawn from their own "
            "calibrated ensembles (see Parameter uncertainty)."
        )
    return (
        "the runs of a replicate start week 0 from the same neighbourhood and part only "
        "through what differs between the cells."
    )


def _ensemble(study: Study) -> None:
    study.report.heading("Parameter uncertainty (calibrated ensembles)", 3)
    sources = parameters_text({"primary": study.parts["primary"]})
    part = study.found.get("ensemble")
    if part is None:
        study.report.text(
            f"{sources} So the interaction above carries the uncertainty of the calibrated "
            "parameters. Not run: the primary design with one ensemble for both regimes "
            "(`--ensemble NAME`: the regimes then differ only in their structures), or with "
            "the presets' own values (`--ensemble none`)."
        )
        return
    rule = study.found["rule"]
    test = _variant(study)
    how = _variant_how(study.options.ensemble)
    study.report.text(
        f"{sources} The primary design with {how} ({test.n} paired replicates): interaction on "
        f"{_label(rule.primary)} {test.estimate.text()} (p = {test.p:.2g}: "
        f"{READING[_direction(test.estimate, test.p)]})."
    )


def _sensitivity(study: Study) -> None:
    study.report.heading("Which parameters drive the interaction (Sobol' indices)", 3)
    parts = study.found.get("sensitivity")
    if parts is None:
        study.report.text(
            "Not run in this call. `--samples N` runs compare_sensitivity.toml's Sobol' design "
            "(N base samples, several replicates per design point) with the catalyst absent "
            "and present, and gives the indices of the mean interaction, corrected for "
            "run-to-run noise, with a convergence check; a cluster (`--scheduler`) makes "
            "large N affordable."
        )
        return
    rule = study.found["rule"]
    table, check = robust.sobol_indices(parts, rule.primary)
    if check["missing"]:
        study.report.text("Runs are missing or the interaction is constant: no indices.")
        return
    years = parts["absent"].spec.experiment.years
    study.report.text(_sobol_design(check, years, _label(rule.primary)))
    if not check["corrected"]:
        study.report.text(uncorrected_text("compare_sensitivity.toml", 4))
        _sobol_results(study, table, "uncorrected: run-to-run noise inflates every total index")
    elif not check["distinguishable"]:
        study.report.text(_sobol_noise(check) + " " + _no_signal(check))
    else:
        study.report.text(_sobol_noise(check) + " " + _sobol_convergence(check))
        _sobol_results(study, table, "noise-corrected, of the mean interaction")
    study.found["sobol"] = (table, check)


def _sobol_design(check: dict, years: float, outcome: str) -> str:
    r = check["replicates"]
    runs = check["points"] * 4 * r
    replicates = f"R = {r} replicates per point" if r > 1 else "R = 1 replicate per point"
    averaged = ", averaged over the replicates" if r > 1 else ""
    return (
        f"Scenario pair of both regimes, {years:g} years; N = {check['n']} base samples, "
        f"{check['points']} design points × 4 runs (catalyst absent and present in each "
        f"regime, common random numbers) × {replicates} ({runs:,} runs). Per design point "
        f"the paired interaction on {outcome}{averaged} (mean over points "
        f"{check['mean']:.3g}, SD {check['sd']:.3g})."
    )


def _sobol_noise(check: dict) -> str:
    r, noise = check["replicates"], check["noise_variance"]
    signal, ci = check["signal_variance"], check["signal_ci"]
    return (
        "The model is stochastic, so part of that spread is run-to-run noise. The indices are "
        "those of the mean interaction at a point, corrected for the noise left in the mean of "
        f"R = {r} replicates (its variance τ² = {_amount(noise)}, from the replicates' "
        f"spread: run-to-run SD {np.sqrt(noise * r):.3g}): noise share η = τ²/V = "
        f"{check['noise_share']:.2f} of the variance V = {_amount(check['variance'])} across "
        f"points; the parameters' share V_m = V − τ² = {_amount(signal)} [95 % CI "
        f"{_amount(signal - ci)}, {_amount(signal + ci)}]."
    )


def _amount(value: float) -> str:
    """A variance for the text: 3 significant digits, whole numbers from 100 on."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _no_signal(check: dict) -> str:
    return (
        "**The parameters' share of the variance is not distinguishable from zero** (V_m ≤ 0 "
        "or its CI includes 0): over these ranges the interaction does not measurably depend "
        f"on these {len(check['names'])} parameters at this budget — the differences between "
        "design points are within run-to-run noise — so no indices are shown (indices of a "
        "variance that is not there are undefined; more runs narrow the bound on V_m, whose CI "
        "shrinks like 1/√N)." + _half_text(check)
    )


def _half_text(check: dict) -> str:
    """Whether the conclusion about V_m holds with the first N/2 base samples."""
    if "distinguishable_half" not in check:
        return ""
    signal, ci = check["signal_half"], check["signal_half_ci"]
    held = "the same conclusion" if not check["distinguishable_half"] else "then distinguishable"
    return (
        f" With the first N/2 = {check['n'] // 2} base samples: V_m = {_amount(signal)} [95 % "
        f"CI {_amount(signal - ci)}, {_amount(signal + ci)}] — {held}."
    )


def _sobol_convergence(check: dict) -> str:
    return (
        f"Convergence: max |ST(N) − ST(N/2)| = {check['change']:.2g}, max ST CI half-width = "
        f"{check['widest']:.2g}: "
        + (
            "converged (both below 0.1)."
            if check["converged"]
            else "**not converged** (needs both below 0.1): " + _samples_needed(check)
        )
    )


def _sobol_results(study: Study, table: pd.DataFrame, kind: str) -> None:
    study.report.table(table, f"Sobol' indices of the interaction ({kind})")
    stem = figures.indices(
        table,
        [("S1", "S1 CI"), ("ST", "ST CI")],
        study.out,
        "interaction_sobol",
        "Sobol': the interaction",
    )
    study.report.figure(stem, f"Sobol' S1 and ST of the interaction ({kind}), with 95 % CIs")


def _samples_needed(check: dict) -> str:
    """How many base samples the widest ST CI suggests (half-widths shrink like 1/√N) and the
    runs they take with the same replicates per point."""
    if not check["widest"] > 0:
        return "use a larger N."
    needed = int(np.ceil(check["n"] * (check["widest"] / CONVERGED) ** 2))
    power_of_two = 2 ** int(np.ceil(np.log2(max(needed, 2))))
    r = check["replicates"]
    runs = power_of_two * (len(check["names"]) + 2) * 4 * r
    return (
        f"the CI half-widths shrink like 1/√N, so N ≈ {power_of_two} base samples with "
        f"R = {r} replicates per point ({runs:,} runs) would bring the widest below 0.1 — a "
        "run for a cluster (`--scheduler`). More replicates narrow them too, by lowering the "
        f"noise share (now {check['noise_share']:.2f})."
    )


# ------------------------------------------------------------------ figures


def figure_section(study: Study) -> None:
    runs = study.found["runs"]
    primary = study.parts["primary"]
    study.report.heading("Figures")
    main = runs[runs["holder_label"].isin([NONE, study.found["holder"]])]
    timeseries = pd.concat([study.parts[k].results.timeseries for k in ("primary", "holders")])
    network = pd.concat([study.parts[k].results.network for k in ("primary", "holders")])
    series_figure(
        study,
        timeseries,
        main,
        SERIES,
        "timeseries",
        "Weekly counters of the primary design: mean and 95 % CI band per cell",
    )
    series_figure(
        study,
        network,
        main,
        NETWORK,
        "network_series",
        "Network metrics of the primary design every 13 weeks: mean and 95 % CI band",
    )
    kinds = [c for c in runs if c.startswith("completed_")]
    order = design.cell_order(runs)
    types = cell_table(runs.set_index("cell").loc[order].reset_index(), ["cell"], kinds)
    stem = figures.cooperation_types(types, "cell", study.out, "cooperation_types")
    study.report.figure(stem, "Completed cooperations by type (intensity × formality), mean ± CI")
    years = snapshot_years(primary.years)
    shots = {}
    for label in (PROGRAMME, SELF_ORGANISED):
        chosen = primary.runs[primary.runs["cell"] == design.cell(label, study.found["holder"])]
        if not chosen.empty:
            run = chosen.iloc[0]
            shots[f"{label} (rep {run['replicate']})"] = snapshots(primary.results, run, years)
    if shots:
        stem = figures.network_snapshots(shots, study.out, "network_snapshots")
        study.report.figure(
            stem,
            "Ties of one run per regime (the same seed; an independent networker) at years "
            + ", ".join(f"{y:g}" for y in years)
            + ": colour = sector, width = tie strength, star = catalyst, square = QM office",
        )


# ------------------------------------------------------------------ facts


def fact_1(study: Study) -> None:
    runs = study.found["runs"]
    estimate = t_interval(runs["completed_light_informal"] - runs["completed_intensive_formal"])
    study.fact(
        1,
        "completed light-informal − intensive-formal cooperations per run (all cells)",
        estimate.text(),
        verdict(estimate, 1),
    )


def fact_4(study: Study) -> None:
    part = study.parts["primary"]
    absent = part.runs[part.runs["holder_label"] == NONE]
    estimate = cross_sector_erosion(part.results.network, absent["run_id"], part.years)
    if estimate is None:
        study.fact(4, "cross-sector share, no catalyst", "—", "not measured (run too short)")
        return
    study.fact(
        4,
        f"change of cross-sector share of resilient ties, year 1 → {part.years:g}, no "
        "catalyst (forums present here: partial test; conditions has the pure one)",
        estimate.text(),
        verdict(estimate, -1),
    )


def fact_5(study: Study) -> None:
    part, years = study.parts["primary"], study.parts["primary"].years
    present = part.runs[part.runs["holder_label"] != NONE]["run_id"]
    network = part.results.network[part.results.network["run_id"].isin(present)]
    if network.empty or years < 2:
        study.fact(5, "trajectory, catalyst present", "—", "not measured (run too short)")
        return
    early, mid = 0.25, min(5.0, years / 2)
    steps = [
        ("components", early, mid, -1, "components fall (clusters join)"),
        ("degree_centralisation", early, mid, 1, "centralisation rises (hub-and-spoke)"),
        ("hubs", mid, years, 1, "hubs increase (several hubs)"),
        ("degree_centralisation", mid, years, -1, "centralisation falls (core–periphery)"),
    ]
    parts, held = [], 0
    for metric, t0, t1, sign, meaning in steps:
        change = t_interval(value_at(network, metric, t1) - value_at(network, metric, t0))
        parts.append(f"{metric} {t0:g}→{t1:g} y: {change.text()} ({meaning})")
        held += verdict(change, sign) == "yes"
    core = t_interval(value_at(network, "core_share", years))
    parts.append(f"core share at year {years:g}: {core.text()}")
    judged = (
        "yes (all four steps)" if held == 4 else f"partly ({held} of 4 steps)" if held else "no"
    )
    study.fact(
        5,
        "changes between years per run, an independent networker (both regimes)",
        "; ".join(parts),
        judged,
    )


def fact_9(study: Study) -> None:
    tests, rule = study.found["tests"], study.found["rule"]
    for _, row in tests[tests["output"] == rule.primary].iterrows():
        test: PairedTest = row["test"]
        p = test.p if row["primary"] else row["holm"]
        direction = _direction(test.estimate, p)
        judged = {1: "yes", -1: "no — reversed", 0: "not resolved"}[direction]
        kind = "primary" if row["primary"] else "secondary, Holm"
        study.fact(
            9,
            f"interaction on {_label(rule.primary)}, {row['contrast'].name} ({kind}; paired "
            f"t, p = {p:.2g})",
            test.estimate.text(),
            judged,
        )


# ------------------------------------------------------------------ terminal


def key_lines(study: Study) -> list[str]:
    """The cells table, the primary interaction with its power, and the streams."""
    lines = text_table(study.found["cells"])
    row, rule = study.found["primary"], study.found["rule"]
    test: PairedTest = row["test"]
    growth = study.found["growth"]
    lines.append(
        f"Primary interaction on {_label(rule.primary)} ({row['contrast'].name}; catalyst "
        f"effect self-organised − programme-funded, paired): {test.estimate.text()}, "
        f"p = {test.p:.2g} — {READING[_direction(test.estimate, test.p)]}; n = {test.n} "
        f"({'target half-width reached' if growth.reached else 'cap reached'}); MDE at "
        f"{rule.power * 100:.0f} % power ±{study.found['mde']:.3g}"
    )
    own = _own_row(study)
    if own is not None:
        lines.append(
            f"Each regime's own holder: {own['test'].estimate.text()}, Holm p = "
            f"{own['holm']:.2g} — {READING[_direction(own['test'].estimate, own['holm'])]}"
        )
    for growth, test in study.found["streams_tests"]:
        lines.append(
            f"Stream seed {growth.seed}: {test.estimate.text()}, p = {test.p:.2g} — "
            f"{READING[_direction(test.estimate, test.p)]} (n = {test.n})"
        )
    return lines


COMPARE = Experiment(
    name="compare",
    title="Compare: does the catalyst matter more where there is no programme?",
    sweeps=(PRIMARY, HOLDERS, SENSITIVITY),
    sections=(
        analyse,
        answer,
        introduce,
        outcomes,
        primary_section,
        secondary_section,
        effects_section,
        time_section,
        power_section,
        robustness_section,
        figure_section,
    ),
    facts=(fact_1, fact_4, fact_5, fact_9),
    key_lines=key_lines,
    collect=collect,
)
