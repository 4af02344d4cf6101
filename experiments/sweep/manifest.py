"""manifest.json: what a sweep directory holds and how it was made (provenance)."""

from __future__ import annotations

import platform
import shlex
import socket
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from experiments.sweep.spec import config_hash
from scenarios.errors import InputError

if TYPE_CHECKING:
    from experiments.sweep.plan import Plan
    from experiments.sweep.runner import SweepStats
    from experiments.sweep.store import Store

FORMAT = 1
PACKAGES = (
    "quartier",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "pydantic",
    "SALib",
    "networkx",
    "dask",
    "distributed",
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str | None]:
    """Python and the installed versions of the packages a result depends on."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_state() -> dict[str, object]:
    """Commit and dirty flag of the repository this package lives in, when there is one."""
    repo = Path(__file__).resolve().parents[2]
    try:
        commit = _git(repo, "rev-parse", "HEAD")
        dirty = bool(_git(repo, "status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()


def open_manifest(store: Store, plan: Plan, resume: bool, command: str | None) -> dict:
    """Start a session: a new manifest, or the stored one checked against this plan."""
    if store.exists():
        if not resume:
            raise InputError(
                str(store.root),
                "already holds a sweep; add --resume to continue it, or choose another --out",
            )
        manifest = _check_stored(store, plan)
        store.remove_orphans()
    else:
        if store.root.exists() and any(store.root.iterdir()):
            raise InputError(
                str(store.root),
                "exists and is not a sweep directory "
                "(no manifest.json); choose an empty or new --out",
            )
        manifest = _new_manifest(plan)
    manifest["sessions"].append(
        {
            "command": command or shlex.join(sys.argv),
            "host": socket.gethostname(),
            "started": now(),
            "ended": None,
            "outcome": "running",
            "git": git_state(),
            "versions": versions(),
        }
    )
    store.write_manifest(manifest)
    return manifest


def _new_manifest(plan: Plan) -> dict:
    return {
        "format": FORMAT,
        "name": plan.spec.name,
        "spec_file": plan.source,
        "spec": plan.spec.resolved(),
        "spec_hash": plan.spec.digest(),
        "scenarios": [
            {"label": label, "config_hash": config_hash(config), "config": config}
            for label, config in zip(plan.spec.experiment.scenarios, plan.configs, strict=True)
        ],
        "design": plan.design.to_manifest(),
        **({"ensembles": plan.ensembles} if plan.ensembles else {}),
        "runs_total": plan.total,
        "runs_layout": "run_id s{scenario_index}-p{point}-r{replicate}",
        "created": now(),
        "sessions": [],
    }


def _check_stored(store: Store, plan: Plan) -> dict:
    manifest = store.read_manifest()
    stored, current = manifest.get("spec_hash", ""), plan.spec.digest()
    if stored != current:
        raise InputError(
            str(store.manifest_path),
            f"belongs to a different spec (hash "
            f"{stored[:12]}, this spec {current[:12]}); resume only with the "
            "same spec, or choose another --out",
        )
    if _hashes(manifest.get("ensembles")) != _hashes(plan.ensembles):
        raise InputError(
            str(store.manifest_path),
            "its runs drew from another calibrated ensemble; resume only with the same "
            "ensemble, or choose another --out",
        )
    for entry, config in zip(manifest["scenarios"], plan.configs, strict=True):
        if entry["config_hash"] != config_hash(config):
            print(
                f"quartier: warning: scenario {entry['label']} changed since this sweep "
                "started; stored runs used the old version",
                file=sys.stderr,
            )
    return manifest


def _hashes(ensembles: list[dict | None] | None) -> list[str | None]:
    return [e and e["hash"] for e in ensembles or []]


def close_manifest(store: Store, manifest: dict, stats: SweepStats) -> None:
    """End the session: times, counts and outcome."""
    session = manifest["sessions"][-1]
    outcome = "interrupted" if stats.interrupted else "failures" if stats.failed else "done"
    session.update(
        ended=now(),
        outcome=outcome,
        engine=stats.engine,
        ran=stats.ran,
        failed=stats.failed,
        skipped=stats.skipped,
        seconds=round(stats.seconds, 3),
        startup_seconds=round(stats.startup, 3),
        merge_seconds=round(stats.merge_seconds, 3),
    )
    store.write_manifest(manifest)
