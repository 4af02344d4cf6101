"""Actor maps and ties files in a scenario: read them, name their topics, check them — once.

``[actors] map = "FILE.csv"`` and ``[ties] map = "FILE.csv"`` fill ``actors.roster`` and
``ties.initial`` (each row keeps its line for error messages); the model itself never reads
files. Topic words become topic numbers (`resolve_topics`). After validation, `check` does
the checks that span rows — unique names, topics in range, ties between known actors — for
rosters and ties from files and written inline alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenarios.actor_map import Row, read_actors, read_ties
from scenarios.chain import MapRef, Origins
from scenarios.errors import InputError
from scenarios.explain import Loc, Locator
from scenarios.files import close_match, is_file, suggest
from simulation.config import TOPICS_MAX, ActorsConfig, ScenarioConfig, name_keys
from simulation.neighbourhood import planned_sectors

ROSTER: Loc = ("actors", "roster")
TIES: Loc = ("ties", "initial")


def read_maps(data: dict[str, Any], origins: Origins) -> None:
    """Fill actors.roster and ties.initial from the files the scenario names."""
    actors, ties = data.get("actors"), data.get("ties")
    if isinstance(actors, dict) and isinstance(actors.get("map"), MapRef):
        ref = actors.pop("map")
        _one_source(ref, actors, "roster")
        rows = _rows(ref, read_actors)
        if not rows:
            raise ref.target().error("", "no actors; expected one row per actor below the header")
        actors["roster"] = _place(rows, ref, ROSTER, origins)
    if isinstance(ties, dict) and isinstance(ties.get("map"), MapRef):
        ref = ties.pop("map")
        _one_source(ref, ties, "initial")
        if not (isinstance(actors, dict) and isinstance(actors.get("roster"), list)):
            raise ref.origin.error(
                ref.key,
                'a ties file needs an actor map ([actors] map = "...") so that its names are '
                "real actors",
            )
        ties["initial"] = _place(_rows(ref, read_ties), ref, TIES, origins)


def _one_source(ref: MapRef, table: dict[str, Any], inline_key: str) -> None:
    if table.get(inline_key) is not None:
        section = ref.key.split(".")[0]
        raise ref.origin.error(
            ref.key, f"give either {section}.map or {section}.{inline_key}, not both"
        )


def _rows(ref: MapRef, reader: Callable[[Path], list[Row]]) -> list[Row]:
    if not is_file(ref.path):
        raise ref.origin.error(
            ref.key, f"no such file {ref.written!r} (paths are relative to the scenario file)"
        )
    try:
        return reader(ref.path)
    except InputError as error:
        raise ref.target().error("", error.message) from None


def _place(rows: list[Row], ref: MapRef, at: Loc, origins: Origins) -> list[dict[str, Any]]:
    """The rows' values; each row's origin is its line in the map."""
    target = ref.target()
    for k, row in enumerate(rows):
        origins.table[(*at, k)] = target.at_line(row.line)
    return [dict(row.values) for row in rows]


# -- topic words -----------------------------------------------------------------------------


class Vocabulary:
    """Topic names and their numbers: declared in actors.topic_names, or collected from the
    roster's words in order of first appearance."""

    def __init__(self, declared: list[str] | None) -> None:
        self.declared = declared is not None
        self.names: list[str] = list(declared or [])
        self.first_at: list[Loc] = []
        self.numbers: dict[str, int] = {
            key: number for number, name in enumerate(self.names) for key in name_keys(name)
        }
        self.kind_at: dict[str, Loc] = {}

    def number(self, item: object, loc: Loc, where: Locator) -> object:
        """The topic number of one item of a topics list (anything else is left to validation)."""
        if isinstance(item, str) and item.strip().isascii() and item.strip().isdigit():
            item = int(item)
        if isinstance(item, bool) or not isinstance(item, int | str):
            return item
        self._one_kind("number" if isinstance(item, int) else "word", loc, item, where)
        if isinstance(item, int):
            return item
        found = next((self.numbers[key] for key in name_keys(item) if key in self.numbers), None)
        if found is not None:
            return found
        if self.declared:
            hint = close_match(item, self.names)
            raise where.error(
                loc,
                f"{item!r} is not one of actors.topic_names; "
                + (f"did you mean {hint!r}? " if hint else "")
                + f"topic names: {', '.join(self.names)}",
            )
        number = len(self.names)
        self.names.append(item.strip())
        self.first_at.append(loc)
        self.numbers.update(dict.fromkeys(name_keys(item), number))
        return number

    def _one_kind(self, kind: str, loc: Loc, item: object, where: Locator) -> None:
        """Without declared names, a map writes topics as numbers or as words, not both."""
        self.kind_at.setdefault(kind, loc)
        other = "word" if kind == "number" else "number"
        if not self.declared and other in self.kind_at:
            there = where.place(self.kind_at[other])
            mixed = "among topic" if there == where.place(loc) else f"but {there} has topic"
            raise where.error(
                loc,
                f"{item!r} is a topic {kind} {mixed} {other}s; write all topics as words or "
                "all as numbers, or name the numbers in [actors] topic_names",
            )


def resolve_topics(data: dict[str, Any], where: Locator) -> None:
    """Replace topic words in actors.roster by topic numbers; fill actors.topic_names and,
    when the scenario does not set actors.topics, raise it to cover the names."""
    actors = data.get("actors")
    if not isinstance(actors, dict):
        return
    declared = actors.get("topic_names")
    if declared is not None and not (
        isinstance(declared, list) and all(isinstance(name, str) for name in declared)
    ):
        return  # validation reports it
    vocabulary = Vocabulary(declared)
    roster = actors.get("roster")
    for k, actor in enumerate(roster if isinstance(roster, list) else []):
        if isinstance(actor, dict) and isinstance(actor.get("topics"), list):
            loc = (*ROSTER, k, "topics")
            actor["topics"] = [vocabulary.number(item, loc, where) for item in actor["topics"]]
    if not vocabulary.names:
        return
    if not vocabulary.declared:
        _check_count(vocabulary, actors, where)
        actors["topic_names"] = vocabulary.names
    if "topics" not in actors:
        default = ActorsConfig.model_fields["topics"].default
        actors["topics"] = max(default, min(len(vocabulary.names), TOPICS_MAX))


def _check_count(vocabulary: Vocabulary, actors: dict[str, Any], where: Locator) -> None:
    """More distinct topic words than the model (or the scenario's actors.topics) allows."""
    given = actors.get("topics")
    limit = given if isinstance(given, int) and "topics" in actors else TOPICS_MAX
    if len(vocabulary.names) <= limit:
        return
    word, loc = vocabulary.names[limit], vocabulary.first_at[limit]
    if limit == TOPICS_MAX:
        raise where.error(
            loc, f"{word!r} is topic {limit + 1}; the model has at most {TOPICS_MAX} topics"
        )
    raise where.error(
        loc,
        f"{word!r} is topic {limit + 1}, but actors.topics = {limit}; raise actors.topics "
        f"(at most {TOPICS_MAX}) or leave it out to fit the map",
    )


# -- checks across rows ----------------------------------------------------------------------


def check(config: ScenarioConfig, where: Locator) -> None:
    """Unique actor names, topics in range, ties between two different known actors."""
    roster = config.actors.roster
    topics = config.actors.topics
    first: dict[str, int] = {}
    for k, actor in enumerate(roster or []):
        if actor.name in first:
            raise where.error(
                (*ROSTER, k),
                f"duplicate actor name {actor.name!r} "
                f"({_first(where, (*ROSTER, first[actor.name]))}); names must be unique",
            )
        first[actor.name] = k
        bad = [t for t in actor.topics if not 0 <= t < topics]
        if bad:
            raise where.error(
                (*ROSTER, k, "topics"),
                f"topic {bad[0]} out of range; allowed 0 to {topics - 1} "
                f"(actors.topics = {topics})",
            )
    if config.ties.initial is not None:
        _check_ties(config, where)


def _check_ties(config: ScenarioConfig, where: Locator) -> None:
    names = [name for _, name, _ in planned_sectors(config)]
    known = set(names)
    first: dict[frozenset[str], int] = {}
    for k, tie in enumerate(config.ties.initial or []):
        for column in ("a", "b"):
            name = getattr(tie, column)
            if name not in known:
                raise where.error(
                    (*TIES, k, column), f"unknown actor {name!r}; " + suggest(name, names, "actors")
                )
        pair = frozenset((tie.a, tie.b))
        if len(pair) == 1:
            raise where.error((*TIES, k), "a tie needs two different actors")
        if pair in first:
            raise where.error(
                (*TIES, k),
                f"duplicate tie {tie.a} - {tie.b} ({_first(where, (*TIES, first[pair]))})",
            )
        first[pair] = k


def _first(where: Locator, loc: Loc) -> str:
    place = where.place(loc)
    return f"first on {place}" if place.startswith("line ") else f"first at {place}"
