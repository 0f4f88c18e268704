"""Mesa 3.3 counts agent ids per model in ``mesa.Agent._ids``, a class-level dict that
holds every model ever made in the process: no model is ever freed. A worker running a
study's runs one after another would grow by a whole model per run (all its arrays).
Here the counters hold their models weakly, so a finished run's model goes with its
last reference; ids within a live model are numbered as before (1, 2, ...)."""

from __future__ import annotations

import itertools
import weakref


class WeakCounters(weakref.WeakKeyDictionary):
    """Mesa's per-model agent id counters, holding their models weakly."""

    def __getitem__(self, model):
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = self[model] = itertools.count(1)
            return counter


def forget_finished_models() -> None:
    """Make ``mesa.Agent._ids`` hold its models weakly (once per process; the counters
    of models alive now are kept)."""
    import mesa

    if not isinstance(mesa.Agent._ids, WeakCounters):
        counters = WeakCounters()
        for model, counter in list(mesa.Agent._ids.items()):
            counters[model] = counter
        mesa.Agent._ids = counters
