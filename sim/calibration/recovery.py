"""Recovery (simulation-based calibration, Talts et al. 2018): draw parameter values
from the prior, make synthetic observations from the model at those values (a run plus
the observations' stated error, the very generative model the fit assumes), calibrate,
and count how often the known values fall inside the 90% posterior intervals. A
calibration that works covers them at about the nominal rate; an ABC posterior that
stopped above temperature 1 is wider and covers more."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .fit import fit
from .measures import simulate
from .output import BAND, _prior_width, interval, posterior_frame
from .targets import Targets


@dataclass(frozen=True)
class Recovered:
    draw: int
    parameter: str
    true: float
    low: float
    high: float
    narrowing: float  # posterior interval width over the prior's central BAND

    @property
    def inside(self) -> bool:
        return self.low <= self.true <= self.high


def draw_truth(targets: Targets, rng: np.random.Generator) -> dict[str, float]:
    out = {}
    for p in targets.priors:
        if p.scale == "log":
            out[p.name] = float(np.exp(rng.uniform(np.log(p.low), np.log(p.high))))
        else:
            out[p.name] = float(rng.uniform(p.low, p.high))
    return out


def synthetic(targets: Targets, truth: dict[str, float], rng: np.random.Generator) -> Targets:
    """``targets`` with observations made by the model at ``truth``."""
    values = simulate(truth, int(rng.integers(2**31 - 1)), targets.targets, targets.setting)
    obs = tuple(replace(t, observed=float(values[t.key] + rng.normal(0.0, t.sd)))
                for t in targets.targets)
    return replace(targets, targets=obs)


def recover(targets: Targets, draws: int, seed: int = 1, workers: int = 1,
            say=lambda line: None) -> list[Recovered]:
    """``draws`` recoveries of ``targets``' parameters; one row per draw and parameter."""
    rng = np.random.default_rng(seed)
    names = [p.name for p in targets.priors]
    out = []
    with tempfile.TemporaryDirectory(prefix="orgsim-recovery-") as tmp:
        for i in range(draws):
            truth = draw_truth(targets, rng)
            case = replace(synthetic(targets, truth, rng), seed=seed * 1000 + i)
            result = fit(case, Path(tmp) / f"draw{i}.db", False, workers, None, False,
                         say=lambda line: None)
            post = posterior_frame(result.history, names)
            for p in targets.priors:
                _, lo, hi = interval(post, p.name)
                out.append(Recovered(i, p.name, truth[p.name], lo, hi,
                                     (hi - lo) / _prior_width(p)))
            inside = sum(r.inside for r in out if r.draw == i)
            say(f"draw {i + 1} of {draws}: {inside} of {len(names)} known values inside "
                f"their {BAND:.0%} interval")
    return out


def coverage(rows: list[Recovered]) -> float:
    return float(np.mean([r.inside for r in rows])) if rows else float("nan")
