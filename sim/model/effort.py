"""Employees choose their effort (Holmstrom & Milgrom 1991, multitask principal-agent):
each splits their time between selling, serving and developing the accounts they own,
and sellers choose how much to promise, from what their reward measures and what they
observe, with inertia.

The reward scheme measures two things: sales volume (weight 1 - reward_mix) and
customer value (weight reward_mix). Selling earns on the first; serving and developing
accounts on the second. An employee's expected reward of a task is its weight times
what the employee sees a unit of effort on it achieve (``ret_sell``: the prospects
left to win, against the start; ``ret_serve``: the share of the contacts they handle
that they resolve, against a good week's), and they lean towards each task with a
logit (softmax) choice around their job's neutral shares:

    share_k  ∝  NEUTRAL[dept, k] · exp(incentive_strength · w_k(reward_mix) · return_k)

so at reward_mix 0.5 and returns as expected the shares are the job's own. Sellers
promise more than the product holds with the logit chance
1 / (1 + exp(-incentive_strength · (w_volume - w_value))): an oversold deal counts in
volume, and against customer value when the customer finds out. Effort and promises
move towards these targets by ``effort_adapt`` a week, and what they see by the same
rate. With ``effort_adapt`` = 0 the choice is frozen at the job's neutral shares: the
reward scheme then changes nothing.
"""

from __future__ import annotations

import numpy as np

from .organisation import DEPT, DEPARTMENTS, Employees, reward_of

TASKS = ("sell", "serve", "develop")
# The job's own split of effort (sell, serve, develop) at a neutral reward: what the
# role asks for. Sales sell about half their time and care for their accounts (the
# model's former fixed shares at reward_mix 0.5); marketing campaigns are selling;
# everyone else serves and sells a little in passing (essay 001's 'meetings that start
# with revenue'). Only account owners (sales) have accounts to develop.
NEUTRAL = np.full((len(DEPARTMENTS), 3), (0.05, 0.95, 0.0))
NEUTRAL[DEPT["sales"]] = (0.55, 0.25, 0.20)
NEUTRAL[DEPT["marketing"]] = (0.65, 0.35, 0.0)
GOOD_RESOLUTION = 0.75  # share of handled contacts a skilled employee resolves in a good week
NEUTRAL_PROMISING = 0.5  # sellers' share of oversold deals at a neutral reward


def weights(reward_mix: np.ndarray) -> np.ndarray:
    """What the reward pays on each task, per employee: (sell, serve, develop)."""
    m = np.asarray(reward_mix, dtype=float)
    return np.stack([1.0 - m, m, m], axis=-1)


def target_shares(dept: np.ndarray, reward_mix: np.ndarray, ret_sell: np.ndarray,
                  ret_serve: np.ndarray, strength: float) -> np.ndarray:
    """The effort each employee leans towards: the logit choice over the tasks."""
    base = NEUTRAL[dept]
    returns = np.stack([ret_sell, ret_serve, np.ones_like(ret_serve)], axis=-1)
    with np.errstate(divide="ignore"):
        u = np.log(base) + strength * weights(reward_mix) * returns
    u -= u.max(axis=1, keepdims=True)
    e = np.exp(u)
    return e / e.sum(axis=1, keepdims=True)


def target_promising(reward_mix: np.ndarray, strength: float) -> np.ndarray:
    """Chance a seller oversells a deal: the logit of volume's weight over value's."""
    m = np.asarray(reward_mix, dtype=float)
    return 1.0 / (1.0 + np.exp(-strength * (1.0 - 2.0 * m)))


def initial(ctx, task: str) -> np.ndarray:
    """A settled workforce's effort (a state declaration's init): adapted to the reward
    scheme if effort adapts at all, else the job's neutral shares."""
    dept, p = ctx.made["dept"], ctx.params
    if p["effort_adapt"] <= 0:
        return NEUTRAL[dept][:, TASKS.index(task)] if task != "promising" else \
            np.full(ctx.n, NEUTRAL_PROMISING)
    m = np.full(ctx.n, p["reward_mix"])
    if task == "promising":
        return target_promising(m, p["incentive_strength"])
    ones = np.ones(ctx.n)
    return target_shares(dept, m, ones, ones, p["incentive_strength"])[:, TASKS.index(task)]


def serve_share(emp: Employees) -> np.ndarray:
    return np.maximum(1.0 - emp.sell - emp.develop, 0.0)


def observe_and_adapt(emp: Employees, params: dict, prospects_left: float,
                      resolved: np.ndarray, handled: np.ndarray) -> None:
    """End of the week: what each employee saw effort achieve, then effort and promises
    move towards the choice that pays best under the reward scheme."""
    rate = params["effort_adapt"]
    if rate <= 0:
        return
    emp.ret_sell += rate * (prospects_left - emp.ret_sell)
    seen = handled > 0
    rate_seen = np.divide(resolved, handled, out=np.zeros(emp.n), where=seen) / GOOD_RESOLUTION
    emp.ret_serve[seen] += rate * (rate_seen[seen] - emp.ret_serve[seen])
    m = reward_of(emp, params)
    target = target_shares(emp.dept, m, emp.ret_sell, emp.ret_serve, params["incentive_strength"])
    emp.sell += rate * (target[:, 0] - emp.sell)
    emp.develop += rate * (target[:, 2] - emp.develop)
    emp.promising += rate * (target_promising(m, params["incentive_strength"]) - emp.promising)


def promising_share(emp: Employees) -> float:
    """The account owners' mean chance of overselling a deal."""
    owners = emp.dept == DEPT["sales"]
    return float(emp.promising[owners].mean()) if owners.any() else NEUTRAL_PROMISING
