"""What the page lists as text: the numbers of each run, an actor, the running cooperations.

Everything is read from a run's history at the week shown, so scrubbing back shows the
actor, its ties and cooperations as they were then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from quartier.viz.figures import cooperation_type
from quartier.viz.history import Cooperation, Frame
from quartier.viz.network import SECTOR_LABELS
from quartier.viz.series import NETWORK, series, value_at
from quartier.viz.session import Run
from simulation.config import RESOURCES, SECTORS

MAX_NAMES = 6
MAX_TIES = 12
UNITS = {"time": "h", "money": "EUR", "material": "", "rooms": ""}

NUMBERS = (  # (shown name, DataCollector column, format)
    ("active actors", "active_actors", "count"),
    ("forming", "forming", "count"),
    ("running", "running", "count"),
    ("completed", "completed", "count"),
    ("failed", "failed", "count"),
    ("abandoned", "abandoned", "count"),
    ("success rate", "success_rate", "share"),
    ("actors involved", "actors_involved", "count"),
    ("meetings held", "meetings_held", "count"),
    ("fund balance", "fund_balance", "EUR"),
)


def numbers(runs: list[Run], frames: list[Frame]) -> tuple[list[str], list[list[str]]]:
    """The numbers table at the frames' week: a row a measure, a column a run, and with two
    runs their difference (B − A)."""
    header = ["measure", *(run.label for run in runs)]
    two = len(runs) == 2
    if two:
        header.append(f"{runs[1].label} − {runs[0].label}")
    rows = [["week", *(str(f.week) for f in frames), *([""] if two else [])]]
    for name, key, kind in NUMBERS:
        if key == "fund_balance" and not any(r.config.programme.enabled for r in runs):
            continue
        values = [_float(f.counters.get(key)) for f in frames]
        rows.append([name, *(_format(v, kind) for v in values), *_delta(values, kind, two)])
    resilient = [
        value_at(*series(run, NETWORK["resilient_ties"]), frame.week)
        for run, frame in zip(runs, frames, strict=True)
    ]
    rows.append(
        [
            "resilient ties",
            *(_format(v, "count") for v in resilient),
            *_delta(resilient, "count", two),
        ]
    )
    rows.append(
        [
            "catalyst",
            *("active" if f.counters.get("catalyst_active") else "none" for f in frames),
            *([""] if two else []),
        ]
    )
    return header, rows


def _float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _format(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "EUR":
        return f"{value:,.0f} EUR"
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.2f}"


def _delta(values: list[float | None], kind: str, two: bool) -> list[str]:
    if not two:
        return []
    first, second = values
    if first is None or second is None:
        return ["–"]
    difference = second - first
    if kind == "share":
        return [f"{difference * 100:+.0f} pt"]
    text = _format(abs(difference), kind)
    return [("+" if difference > 0 else "−" if difference < 0 else "±") + text]


# -- actors ------------------------------------------------------------------------------------


@dataclass
class ActorView:
    """One actor of one run in one week."""

    run: str
    actor: int
    name: str
    present: bool
    facts: list[tuple[str, str]] = field(default_factory=list)  # (what, value)
    ties: list[tuple[int, str, str, str]] = field(default_factory=list)  # id, name, sector, w
    tie_count: str = ""
    cooperations: list[list[str]] = field(default_factory=list)  # id, type, topic, progress
    cooperation_ids: list[int] = field(default_factory=list)


def actor_view(run: Run, frame: Frame, actor: int) -> ActorView:
    """Name, sector, role, resources, ties and cooperations of `actor` in the frame's week."""
    state = run.model.state
    names = state.names
    name = str(names[actor]) if 0 <= actor < len(names) else f"actor {actor}"
    rows = np.flatnonzero(frame.actors == actor)
    view = ActorView(run.label, actor, name, present=len(rows) > 0)
    sector = _sector_of(run, actor)
    spans = run.history.actors
    mine = np.flatnonzero(spans.keys == actor)
    since = int(spans.start[mine[0]]) if len(mine) else None
    view.facts.append(("sector", sector))
    if not view.present:
        view.facts.append(("in week", f"{frame.week}: not in the neighbourhood"))
        return view
    row = int(rows[0])
    role = frame.roles.get(actor, "")
    view.facts.append(("role", role or "–"))
    if since is not None:
        view.facts.append(("here since", "the start" if since <= 0 else f"week {since}"))
    view.facts.append(("takes part", "yes" if frame.engaged[row] else "no (no time for it)"))
    view.facts.append(("open cooperations", str(int(frame.load[row]))))
    for k, resource in enumerate(RESOURCES[: frame.stock.shape[1]]):
        unit = UNITS.get(resource, "")
        amount = float(frame.stock[row, k])
        shown = f"{amount:,.0f}" if abs(amount) >= 100 else f"{amount:.1f}"
        view.facts.append((resource, f"{shown} {unit}".strip()))
    threshold = run.config.ties.resilient_threshold
    contacts = frame.contacts(actor)
    strong = sum(1 for _, w in contacts if w >= threshold)
    view.tie_count = f"{len(contacts)} ties, {strong} resilient"
    view.ties = [
        (other, str(names[other]), _sector_of(run, other), f"{w:.2f}")
        for other, w in contacts[:MAX_TIES]
    ]
    for cooperation in frame.cooperations_of(actor):
        view.cooperations.append(cooperation_row(run, cooperation)[:4])
        view.cooperation_ids.append(cooperation.id)
    return view


def _sector_of(run: Run, actor: int) -> str:
    codes = np.asarray(run.model.state.sector)
    if not 0 <= actor < len(codes):
        return "?"
    code = int(codes[actor])
    sector = SECTORS[code] if 0 <= code < len(SECTORS) else str(code)
    return SECTOR_LABELS.get(sector, sector)


# -- cooperations ---------------------------------------------------------------------------


def topic_name(run: Run, topic: int) -> str:
    names = run.config.actors.topic_names or []
    return names[topic] if 0 <= topic < len(names) else str(topic)


def cooperation_row(run: Run, cooperation: Cooperation) -> list[str]:
    """#, type, topic, progress, members (the first few names)."""
    names = run.model.state.names
    members = [str(names[i]) for i in cooperation.members if 0 <= i < len(names)]
    shown = ", ".join(members[:MAX_NAMES])
    if len(members) > MAX_NAMES:
        shown += f" +{len(members) - MAX_NAMES}"
    return [
        str(cooperation.id),
        cooperation_type(cooperation.kind),
        topic_name(run, cooperation.topic),
        f"{cooperation.progress:.0%}",
        shown,
    ]
