"""The stylised facts the experiments bear on: their names, the verdict rule, the table.

The names are kept here and nowhere else in the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.research.report import Report
from experiments.stats import Estimate

FACTS = {
    1: "Light, informal cooperations outnumber intensive, formalised ones",
    2: "Without resources (time above all) no cooperation completes",
    3: "Regular meetings raise cross-sector acquaintance and the share of cooperations "
    "with newcomers",
    4: "Without forums or a catalyst, the share of cross-sector ties erodes",
    5: "With a catalyst: scattered clusters → hub-and-spoke → several hubs → core–periphery",
    6: "More incumbents (p) join separate clusters into one network; repeat collaboration (q) "
    "keeps links among established partners",
    7: "After funding ends, funding-induced ties decay faster than pre-existing ones",
    8: "Removing the top broker fragments the network far more than removing a random actor",
    9: "The catalyst matters more in self-organised than in programme-funded networks",
}


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
    return {
        "fact": f"{number}. {FACTS[number]}",
        "measured": measured,
        "estimate [95 % CI]": estimate,
        "pattern appears?": judged,
    }


def facts_table(report: Report, rows: list[dict[str, str]]) -> None:
    """The report's section on the facts: what they are, and the rows ordered by fact."""
    report.heading("Stylised facts this experiment bears on")
    report.text(
        "From ../shared/MODEL-BACKGROUND.md §4. 'yes' means the 95 % CI lies on the side the "
        "fact predicts; nothing in the model is written to make a pattern appear, and a "
        "pattern that does not appear is reported as such."
    )
    ordered = sorted(rows, key=lambda row: int(row["fact"].split(".")[0]))
    report.table(pd.DataFrame(ordered), "Stylised facts: measured quantity, CI, verdict")
