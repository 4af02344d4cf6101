"""Calibration and validation: from starting values to parameter sets that fit what is
observed.

    targets    targets files: patterns, priors, method, budget (and their one-line errors)
    measures   what a pattern measures in a run's outputs
    patterns   misfit, passing and the distance to all patterns at once
    rejection  pattern-oriented rejection on a prior sample (the sweep engine)
    smc        ABC-SMC with pyabc (seeded, on the sweep engine's executors, resumable)
    analysis   posterior, identifiability, posterior predictive checks, clashing patterns
    calibrate  the whole calibration: fit, ensemble, checks, report
    recovery   parameter recovery: calibrate on simulated observations with known truths

>>> from calibration import calibrate  # doctest: +SKIP
>>> outcome = calibrate("programme_funded", "results/calibrate/programme_funded")  # doctest: +SKIP
"""

from calibration.calibrate import Outcome, calibrate
from calibration.targets import Targets, load_targets

__all__ = ["Outcome", "Targets", "calibrate", "load_targets"]
