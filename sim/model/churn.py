"""Churn as competing hazards, each with its cause: dissatisfaction, the competitor's
pull, and contagion from neighbours who just left (Nitzan & Libai 2011)."""

from __future__ import annotations

import numpy as np

from . import _blocks
from .customers import ACTIVE, CHURNED, Customers
from .networks import CSR
from .state import Context

CAUSES = ("dissatisfaction", "competitor", "contagion")
# Cap on the exponent of the dissatisfaction hazard. exp(60) x churn_base is a weekly
# hazard far past certain departure (1 - exp(-h) is 1 from h of about 17 in single
# precision), while exp of more than 88 overflows single precision to inf, and inf x a
# shield of 0 is NaN: a customer who would then never leave. Below the cap (at the
# defaults the exponent is at most about 10) nothing changes.
MAX_EXPONENT = 60.0


def hazards(c: Customers, active: np.ndarray, params: dict,
            attractiveness_shift: np.ndarray | None = None,
            risks: tuple[np.ndarray | None, ...] = ()) -> tuple[np.ndarray, ...]:
    """Weekly hazard of each cause for each active customer: a tuple of arrays
    (dissatisfaction, competitor, contagion, then one per event risk).

    shield = 1 - loyalty_protection x mean(relationship, switching cost);
    dissatisfaction = churn_base x exp(min(sensitivity x (ref - effective satisfaction),
    MAX_EXPONENT)) x shield,
    where word of mouth heard shifts effective satisfaction by wom_loyalty x score;
    competitor = competitor_pull x attractiveness x shield, whatever the satisfaction
    (attractiveness = alternative_attractiveness + an event's shift for the segment);
    contagion = (the two) x contagion_boost x exposure to a neighbour's recent defection;
    each event risk = the customer's extra hazard from that event x shield.

    A parameter may also be an array of one value per active customer (a batch of
    firms with their own values, sim.model.replicas).

    Worked out a block of customers at a time (sim.model._blocks), so the
    intermediates stay in the cache; the numbers are those of one pass."""
    shifted = attractiveness_shift is not None and np.any(attractiveness_shift)
    shift = attractiveness_shift if shifted else None
    if len(active) <= _blocks.BLOCK:
        return _hazards(c, active, params, shift, risks)
    per = [k for k, v in params.items() if isinstance(v, np.ndarray)]
    parts = [_hazards(c, active[s], {**params, **{k: params[k][s] for k in per}} if per else params,
                      shift, risks) for s in _blocks.blocks(len(active))]
    return tuple(np.concatenate(p) if np.ndim(p[0]) else p[0] for p in zip(*parts))


def _hazards(c: Customers, active: np.ndarray, params: dict,
             attractiveness_shift: np.ndarray | None, risks: tuple) -> tuple[np.ndarray, ...]:
    loyalty = 0.5 * (c.relationship[active] + c.switching_cost[active])
    shield = 1.0 - params["loyalty_protection"] * loyalty
    s_eff = c.satisfaction[active] + params["wom_loyalty"] * c.wom[active]
    exponent = params["churn_sat_sensitivity"] * (params["satisfaction_ref"] - s_eff)
    np.minimum(exponent, MAX_EXPONENT, out=exponent)  # no overflow in single precision
    dis = params["churn_base"] * np.exp(exponent) * shield
    attract = params["alternative_attractiveness"]
    if attractiveness_shift is not None:
        attract = np.maximum(attract + attractiveness_shift[c.b2b[active].astype(np.int64)], 0.0)
    comp = params["competitor_pull"] * attract * shield
    cont = (dis + comp) * params["contagion_boost"] * c.exposure[active]
    extra = tuple(np.float32(0.0) if r is None else r[active] * shield for r in risks)
    return (dis, comp, cont) + extra


def leaving(parts: tuple) -> tuple[np.ndarray, np.ndarray]:
    """From ``hazards``' parts: each customer's total weekly hazard, and the probability
    1 - exp(-total) that the week's churn takes them."""
    total = parts[0] + parts[1]
    total += parts[2]
    for h in parts[3:]:
        if np.ndim(h):  # an event's risk; causes with none are a scalar 0
            total += h
    # 1 - exp(-h) in single precision: exact enough for weekly hazards, and 6x faster
    return total, 1.0 - np.exp(-total.astype(np.float32))


def churn(c: Customers, net: CSR, active: np.ndarray, params: dict, step: int,
          rng: np.random.Generator, attractiveness_shift: np.ndarray | None = None,
          risks: tuple[np.ndarray | None, ...] = ()) -> np.ndarray:
    """Draw this week's churners, record their cause and step, and expose their
    neighbours to contagion. ``risks`` are per-customer extra hazards of the event
    causes (after CAUSES; None where none is active). Returns churners per cause."""
    parts = hazards(c, active, params, attractiveness_shift, risks)
    total, p_leave = leaving(parts)
    leave = np.flatnonzero(rng.random(len(active), dtype=np.float32) < p_leave)
    who = active[leave]
    # the cause of each departure, drawn in proportion to its share of the hazard
    hw = np.stack([np.broadcast_to(h, total.shape)[leave] for h in parts], axis=1)
    cdf = np.cumsum(hw, axis=1) / np.maximum(total[leave], 1e-30)[:, None]
    cause = np.minimum((cdf < rng.random(len(who))[:, None]).sum(axis=1), len(parts) - 1)
    depart(c, who, cause, step, params, rng)
    c.exposure *= np.exp(-1.0 / params["contagion_memory"])
    if len(who):
        _, nbrs = net.neighbours_of(who)
        c.exposure[nbrs] = 1.0
    return np.bincount(cause, minlength=len(parts))


def depart(c: Customers, who: np.ndarray, cause, step: int, params: dict,
           rng: np.random.Generator) -> None:
    """Record customers leaving, with their cause(s) and the step, then what each state
    declaration does on churn (``on_churn``: an open contact and a silent problem end)."""
    c.status[who] = CHURNED
    c.cause[who] = cause
    c.churn_step[who] = step
    c.churn(who, Context(len(who), params, rng))


def active_index(c: Customers) -> np.ndarray:
    """Indices of the active customers."""
    return np.flatnonzero(c.status == ACTIVE)
