"""Word of mouth on the customer network (essay 004): customers with a notable week tell
others, the dissatisfied more than the satisfied; social-media amplification multiplies
reach and carries the extra beyond the teller's own neighbours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .customers import Customers
from .networks import CSR

# Appraisals that make a week worth talking about: well below neutral
# (params.NEUTRAL_SATISFACTION), or a clear surplus over expectations (a resolved
# contact on top of a good product).
TELL_BELOW, TELL_ABOVE = 0.4, 0.75


def spread(c: Customers, net: CSR, tellers: np.ndarray, sign: float, mean_reach: float,
           params: dict, rng: np.random.Generator) -> int:
    """Each teller sends Poisson(mean_reach x social_amplification) messages; a share
    1/amplification go to network neighbours, the rest to anyone in the market.
    Each message moves the listener's word-of-mouth score by ``wom_weight`` x sign.
    Returns the number of messages."""
    amp = params["social_amplification"]
    counts = rng.poisson(mean_reach * amp, size=len(tellers))
    total = int(counts.sum())
    if total == 0:
        return 0
    senders = np.repeat(tellers, counts)  # sorted, so the network is read in order
    listeners = net.random_neighbours(senders, rng)
    far = (rng.random(total) >= 1.0 / amp) | (listeners < 0)
    listeners[far] = rng.integers(0, c.n, size=int(far.sum()))
    listeners = listeners[listeners != senders]
    np.add.at(c.wom, listeners, c.wom.dtype.type(sign * params["wom_weight"]))
    c.wom[listeners] = np.clip(c.wom[listeners], -1.0, 1.0)
    return total


@dataclass(frozen=True)
class Told:
    """One week's word of mouth: messages sent and how many customers told, by sign."""

    negative: int = 0
    positive: int = 0
    tellers_negative: int = 0
    tellers_positive: int = 0


def word_of_mouth(c: Customers, net: CSR, notable: np.ndarray, appraisal: np.ndarray,
                  params: dict, rng: np.random.Generator) -> Told:
    """Fade old word of mouth, then let the customers whose week was notable (a
    contact or a fault) talk: the very unhappy and the delighted. ``notable`` is a
    mask over all customers."""
    c.wom *= np.exp(-1.0 / params["wom_memory"])
    reach = params["wom_reach"]
    unhappy = np.flatnonzero(notable & (appraisal < TELL_BELOW))
    delighted = np.flatnonzero(notable & (appraisal > TELL_ABOVE))
    neg = spread(c, net, unhappy, -1.0, reach * params["wom_negative_ratio"], params, rng)
    pos = spread(c, net, delighted, 1.0, reach, params, rng)
    return Told(neg, pos, len(unhappy), len(delighted))
