"""The stylised facts the experiments bear on: their names, the verdict rule, the table.

docs/FACTS.md defines each fact with its sources, its measures and its verdict rule; the
names are kept here and nowhere else in the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.research.report import Report
from experiments.stats import Estimate

FACTS = {
    1: "Light, informal cooperations outnumber intensive, formalised ones",
    2: "Without resources (time above all) no cooperation completes",
    3: "Regular meetings let people reach actors they did not know",
    4: "Without forums or a catalyst, the share of cross-sector ties erodes",
    5: "With a catalyst: scattered clusters → hub-and-spoke → several hubs → core–periphery",
    6: "More incumbents (p) join separate clusters into one network; repeat collaboration (q) "
    "keeps links among established partners",
    7: "After funding ends, funding-induced ties decay faster than others, and rebuilding "
    "needs more than the first push",
    8: "Removing the top broker fragments the network far more than removing a random actor",
    9: "The catalyst matters more in self-organised than in programme-funded networks",
}
FACTS_DOC = "docs/FACTS.md"
ASSUMPTION_CHECKS = {
    1: "the cooperation types it is given",
    2: "pooled resources as a minimum for any cooperation",
}
"""Facts that follow from the model's own rules: their rows check those assumptions."""


def verdict(estimate: Estimate, expected_sign: int) -> str:
    """'yes' when the CI lies on the expected side of zero, 'reversed', or 'not resolved'."""
    if np.isnan(estimate.low):
        return "not resolved (too few runs for a CI)"
    if expected_sign * estimate.low > 0 and expected_sign * estimate.high > 0:
        return "yes"
    if expected_sign * estimate.low < 0 and expected_sign * estimate.high < 0:
        return "no — reversed (CI on the other side of 0)"
    return "not resolved (CI includes 0)"


def fact_row(number: int, measured: str, estimate: str, judged: str) -> dict[str, str]:
    """One row of the stylised-facts table."""
    check = " (assumption check)" if number in ASSUMPTION_CHECKS else ""
    return {
        "fact": f"{number}. {FACTS[number]}{check}",
        "measured": measured,
        "estimate [95 % CI]": estimate,
        "pattern appears?": judged,
    }


def facts_table(report: Report, rows: list[dict[str, str]]) -> None:
    """The report's section on the facts: what they are, and the rows ordered by fact."""
    if not rows:  # an experiment that tests none (discovery) says nothing about them
        return
    report.heading("Stylised facts this experiment bears on")
    ordered = sorted(rows, key=lambda row: int(row["fact"].split(".")[0]))
    numbers = sorted({int(row["fact"].split(".")[0]) for row in rows} & set(ASSUMPTION_CHECKS))
    report.text(
        f"Each fact, its sources, how it is measured and the verdict rule: {FACTS_DOC}. 'yes' "
        "means the 95 % CI lies on the side the fact predicts; nothing in the model is written "
        "to make a pattern appear, and a pattern that does not appear is reported as such."
        + _assumption_text(numbers)
    )
    report.table(pd.DataFrame(ordered), "Stylised facts: measured quantity, CI, verdict")


def _assumption_text(numbers: list[int]) -> str:
    """What the report says of the assumption checks among its facts."""
    if not numbers:
        return ""
    rules = "; ".join(ASSUMPTION_CHECKS[n] for n in numbers)
    if len(numbers) == 1:
        return (
            f" Fact {numbers[0]} follows from the model's own rules ({rules}): its row checks "
            "that assumption, it does not reproduce a pattern."
        )
    named = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
    return (
        f" Facts {named} follow from the model's own rules ({rules}): their rows check those "
        "assumptions, they do not reproduce a pattern."
    )
