"""Product text speaks to users: no issue numbers, no paths outside the project, no notes
of how it was made — in code, help texts, presets, specs, docs and reports."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ("simulation", "scenarios", "experiments", "quartier", "benchmarks")
TEXT = {".py", ".toml", ".md", ".json", ".csv", ".txt", ".html", ".css", ".js"}
FORBIDDEN = re.compile(r"\bissue\s+#?\d+|\(issue|\.\./shared|MODEL-BACKGROUND", re.IGNORECASE)


def product_files() -> list[str]:
    """Every text file of the product: the packages (code, presets, specs), docs, README."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for package in CODE:
        files += sorted(
            p
            for p in (ROOT / package).rglob("*")
            if p.is_file() and p.suffix in TEXT and "__pycache__" not in p.parts
        )
    return [str(p.relative_to(ROOT)) for p in files if p.is_file()]


def offences(relative: str) -> list[str]:
    """The lines of a file that name an issue or a path outside the project."""
    text = (ROOT / relative).read_text(encoding="utf-8", errors="replace")
    return [
        f"{relative}:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        if FORBIDDEN.search(line)
    ]


def test_the_scan_covers_code_presets_specs_and_docs():
    files = set(product_files())
    for expected in (
        "README.md",
        "docs/FACTS.md",
        "experiments/specs/compare.toml",
        "experiments/specs/scenarios/programme_no_meetings.toml",
        "scenarios/self_organised.toml",
        "quartier/commands/experiment.py",
        "benchmarks/suite.py",
        "simulation/config.py",
    ):
        assert expected in files
    assert FORBIDDEN.search("see issue 5") and FORBIDDEN.search("(issue: 20 years)")
    assert FORBIDDEN.search("../shared/x.md") and FORBIDDEN.search("MODEL-BACKGROUND §4")
    assert not FORBIDDEN.search("an issue of the journal, tissue 5")


def test_product_text_names_no_issue_and_no_outside_path():
    found = [line for f in product_files() for line in offences(f)]
    assert not found, "product text that speaks of our process:\n" + "\n".join(found)
