"""Discovery's reading of PRIM boxes: what a box needs and what the catalyst substitutes for."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from experiments.research.discovery import answer, needed


def test_a_box_needs_kept_categories_and_lower_bounds_only():
    box = {
        "resources": (0.75, None),
        "clear goals": (0.1, 0.6),
        "clear responsibilities": (None, 0.73),
        "fixed meetings": ["with exchange"],
    }
    assert needed(box) == {"resources", "clear goals", "fixed meetings"}


def test_the_catalyst_substitutes_for_what_only_the_box_without_it_needs():
    def box(restrictions):
        return {"restrictions": restrictions, "coverage": 0.8, "density": 0.9}

    with_catalyst = box({"resources": (0.75, None)})
    without = box(
        {
            "resources": (0.75, None),
            "fixed meetings": ["with exchange"],
            "clear responsibilities": (None, 0.73),
        }
    )
    found = {
        "boxes": [with_catalyst],
        "by_catalyst": {"present": with_catalyst, "absent": without},
        "importance": pd.DataFrame({"condition": ["resources", "fixed meetings"]}),
    }
    text = answer(SimpleNamespace(found=found))
    assert "substitutes for fixed meetings but not for resources." in text
    assert "clear responsibilities" not in text.split("substitutes for", 1)[1]
