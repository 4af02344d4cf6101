"""The results store of one sweep: a directory of atomically written files.

    DIR/manifest.json              spec, design, versions, git commit, sessions
    DIR/runs/part-NNNNNN.parquet   one row per run (the source of truth of what is done)
    DIR/timeseries/part-....parquet  weekly counters every `timeseries_every` steps
    DIR/network/part-....parquet   network metrics as the model measured them (same switch)
    DIR/failures/RUN_ID.txt        the traceback of each failed run

A batch of results is written as one part per table, the runs part last: a part whose runs
part is missing (a crash between the two writes) is an orphan, ignored and removed on resume.
At the end of a session the parts of each table are merged into one (`Store.compact`), so a
sweep of thousands of runs leaves a few files, not thousands.
"""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from experiments.atomic import atomic_write, write_json, write_parquet, write_text

TABLES = ("runs", "timeseries", "network")
PART = re.compile(r"^part-(\d{6})\.parquet$")


class Store:
    """Read and write the files of one sweep directory."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.manifest_path = self.root / "manifest.json"
        self._next = None

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, manifest: dict) -> None:
        write_json(self.manifest_path, manifest)

    def parts(self, table: str) -> list[Path]:
        """Part files of a table, in the order they were written."""
        folder = self.root / table
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if PART.match(p.name))

    def remove_orphans(self) -> int:
        """Delete time-series and network parts whose runs part was never written, and
        temporary files a killed writer left behind."""
        done = {p.name for p in self.parts("runs")}
        orphans = [p for table in TABLES[1:] for p in self.parts(table) if p.name not in done]
        orphans += [p for p in self.root.rglob(".*.tmp") if p.is_file()]
        for path in orphans:
            path.unlink()
        return len(orphans)

    def write_batch(self, rows: list[dict], series: dict[str, list[pd.DataFrame]]) -> None:
        """Write one batch of results: series parts first, then the runs part."""
        name = self._part_name()
        for table, frames in series.items():
            frames = [f for f in frames if f is not None and not f.empty]
            if frames:
                write_parquet(self.root / table / name, pd.concat(frames, ignore_index=True))
        atomic_write(self.root / "runs" / name, partial(pq.write_table, runs_table(rows)))

    def _part_name(self) -> str:
        if self._next is None:
            numbers = [int(PART.match(p.name)[1]) for t in TABLES for p in self.parts(t)]
            self._next = max(numbers, default=-1) + 1
        name = f"part-{self._next:06d}.parquet"
        self._next += 1
        return name

    def compact(self) -> int:
        """Merge each table's parts into one new part holding, for each run, the rows of the
        last part that stored it (what `read_table` reads); returns how many parts were merged.

        Safe if interrupted at any point: the merged parts are written (series first, runs
        last) before any old part is deleted, readers keep each run's latest rows, which the
        merged part repeats, and old parts are deleted runs first, so a series part left
        behind is an orphan, removed on resume. Parts are streamed one at a time."""
        merged = [p.name for p in self.parts("runs")]
        if len(merged) < 2:
            return 0
        owner: dict[str, str] = {}  # run id -> the last runs part that stored it
        for name in merged:
            ids = pq.read_table(self.root / "runs" / name, columns=["run_id"])["run_id"]
            owner.update(dict.fromkeys(ids.to_pylist(), name))
        owned: dict[str, list[str]] = {}
        for run, name in owner.items():
            owned.setdefault(name, []).append(run)
        arrays = {name: pa.array(runs, pa.string()) for name, runs in owned.items()}
        target = self._part_name()
        for table in (*TABLES[1:], "runs"):
            parts = [self.root / table / name for name in merged]
            parts = [p for p in parts if p.is_file()]
            if parts:
                atomic_write(self.root / table / target, partial(_merge, parts, arrays))
        for table in TABLES:
            for name in merged:
                (self.root / table / name).unlink(missing_ok=True)
        return len(merged)

    def stored_status(self) -> dict[str, str]:
        """run id -> status of every stored run (a later part supersedes an earlier one)."""
        status: dict[str, str] = {}
        for path in self.parts("runs"):
            frame = pd.read_parquet(path, columns=["run_id", "status"])
            status.update(zip(frame["run_id"], frame["status"], strict=True))
        return status

    def write_failure(self, run_id: str, text: str) -> None:
        write_text(self.root / "failures" / f"{run_id}.txt", text)

    def clear_failure(self, run_id: str) -> None:
        (self.root / "failures" / f"{run_id}.txt").unlink(missing_ok=True)

    def read_table(self, table: str, runs: set[str] | None = None) -> pd.DataFrame:
        """All parts of a table (only parts whose runs part exists), latest row per key."""
        done = {p.name for p in self.parts("runs")}
        frames = [pd.read_parquet(p) for p in self.parts(table) if p.name in done]
        frames = [f for f in frames if not f.empty]
        if not frames:
            return pd.DataFrame()
        frame = pd.concat(frames, ignore_index=True)
        keys = ["run_id"] if table == "runs" else ["run_id", "week"]
        frame = frame.drop_duplicates(keys, keep="last")
        if runs is not None:
            frame = frame[frame["run_id"].isin(runs)]
        order = ["scenario_index", "point", "replicate"] + ([] if table == "runs" else ["week"])
        return frame.sort_values(order, kind="stable").reset_index(drop=True)


def runs_table(rows: list[dict]) -> pa.Table:
    """The rows of a batch as an Arrow table: every key of any row a column (in the order
    first met; missing values null), each column's type inferred from its values. Made
    directly, not through a pandas frame: a part of a few rows costs the parent about a third
    of the time, which in a sweep of short runs is time taken from the workers."""
    keys = dict.fromkeys(key for row in rows for key in row)
    return pa.Table.from_pydict({key: [row.get(key) for row in rows] for key in keys})


MERGE_ROWS = 1 << 18
"""Rows gathered before a merged part writes them (one row group each): memory stays bounded,
and a part of many small batches does not become thousands of tiny row groups."""
COMBINE_PARTS = 64
"""Parts' rows gathered as separate tables before they are combined into one."""


def _merge(parts: list[Path], owned: dict[str, pa.Array], out: Path) -> None:
    """Write the rows of `parts` whose run's last part is theirs (`owned`: part name -> the
    run ids it holds last) into one Parquet file under the parts' common schema (a column
    missing from a part, or all empty there, is empty in its rows).

    Parts are read one at a time, and what is gathered until `MERGE_ROWS` is held in few
    tables: reading the parts as one dataset kept every part's metadata (10,000 parts of an
    80-column table took 2.9 GB), and so did keeping each part's rows as a table of its own
    (about 0.1 MB each)."""
    schema = _common_schema(parts)
    gathered: list[pa.Table] = []  # combined groups of `COMBINE_PARTS` parts' rows
    recent: list[pa.Table] = []  # the rows of parts read since
    with pq.ParquetWriter(out, schema) as writer:
        for path in parts:
            if path.name not in owned:
                continue
            table = pq.read_table(path)
            runs = table["run_id"]
            kept = table.filter(pc.is_in(runs, value_set=owned[path.name].cast(runs.type)))
            recent.append(_conformed(kept, schema))
            if len(recent) == COMBINE_PARTS:
                gathered.append(pa.concat_tables(recent).combine_chunks())
                recent = []
            if sum(t.num_rows for t in (*gathered, *recent)) >= MERGE_ROWS:
                writer.write_table(pa.concat_tables([*gathered, *recent]))
                gathered, recent = [], []
        if gathered or recent:
            writer.write_table(pa.concat_tables([*gathered, *recent]))


def _common_schema(parts: list[Path]) -> pa.Schema:
    """The schema all parts' rows fit: columns in the order first met, types promoted."""
    schema = pq.read_schema(parts[0]).remove_metadata()
    for path in parts[1:]:
        other = pq.read_schema(path).remove_metadata()
        if not other.equals(schema):
            schema = pa.unify_schemas([schema, other], promote_options="permissive")
    return schema


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with the columns of `schema`, in its order and types (missing ones empty)."""
    present = set(table.column_names)
    columns = [
        table[field.name].cast(field.type)
        if field.name in present
        else pa.nulls(table.num_rows, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)
