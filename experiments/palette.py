"""Colours shared by the report figures and the browser app (no plotting library imported)."""

from __future__ import annotations

SECTOR_COLOURS = {
    "residents": "#4e79a7",
    "civil_society": "#59a14f",
    "public": "#f28e2b",
    "housing": "#b07aa1",
    "business": "#e15759",
    "qm": "#76b7b2",
}
"""One colour per sector, in the reports' figures and in the browser app alike."""
