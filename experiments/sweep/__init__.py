"""The sweep engine: run every scenario × design point × replicate of an experiment file,
on any Executor, resumably, into a results directory; read it back.

It knows scenarios, designs, seeds, engines and the store, and nothing of research
questions (those are in experiments.research).

    spec      experiment files (TOML) and their validation
    design    design points: grid, LHS, Sobol', Morris; run seeds
    plan      every run of a sweep, resolved before any starts
    worker    a batch of runs as plain data, on any worker
    engines   in-process, process pool, Dask
    runner    run_sweep: batches in flight, progress, resume, Ctrl-C
    store     the results directory's files
    manifest  manifest.json: provenance
    results   load a results directory; summaries
"""

from experiments.sweep.plan import Plan, plan
from experiments.sweep.results import SweepResults, load
from experiments.sweep.runner import SweepStats, run_sweep
from experiments.sweep.spec import Spec, load_spec, spec_from_dict

__all__ = [
    "Plan",
    "Spec",
    "SweepResults",
    "SweepStats",
    "load",
    "load_spec",
    "plan",
    "run_sweep",
    "spec_from_dict",
]
