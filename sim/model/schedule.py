"""The week as a list of named phases.

A phase is a function ``phase(model, week)`` that acts on the model's state and writes
what it counted into ``week`` (``sim.model.phases.Week``). A ``Schedule`` lists the
phases in the order they happen; it is immutable, and its methods return a new
schedule, so a model class can add, replace or wrap a phase without touching the
others::

    class MyModel(OrganisationModel):
        schedule = (OrganisationModel.schedule
                    .insert_after("experience", "earn_points", earn_points)
                    .wrap("churn", log_churners))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

PhaseFn = Callable[..., None]  # (model, week) -> None


@dataclass(frozen=True)
class Phase:
    """One named phase of the week."""

    name: str
    run: PhaseFn

    @property
    def doc(self) -> str:
        """The first line of the phase function's docstring."""
        return (self.run.__doc__ or "").strip().split("\n")[0]


class ScheduleError(ValueError):
    """A schedule edit that names a phase that is not there, or one already there."""


@dataclass(frozen=True)
class Schedule:
    """The phases of a week, in order."""

    phases: tuple[Phase, ...]

    def __post_init__(self):
        names = [p.name for p in self.phases]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ScheduleError(f"phase {sorted(dup)[0]!r} appears twice in the schedule")

    @classmethod
    def of(cls, *phases: tuple[str, PhaseFn]) -> "Schedule":
        return cls(tuple(Phase(name, fn) for name, fn in phases))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.phases)

    def __iter__(self):
        return iter(self.phases)

    def __len__(self) -> int:
        return len(self.phases)

    def __getitem__(self, name: str) -> Phase:
        return self.phases[self._index(name)]

    def _index(self, name: str) -> int:
        for i, p in enumerate(self.phases):
            if p.name == name:
                return i
        raise ScheduleError(f"no phase {name!r} in the schedule; phases: {', '.join(self.names)}")

    def _with(self, i: int, remove: int, *new: Phase) -> "Schedule":
        return Schedule(self.phases[:i] + new + self.phases[i + remove:])

    def insert_after(self, name: str, new_name: str, fn: PhaseFn) -> "Schedule":
        """A new phase right after phase ``name``."""
        return self._with(self._index(name) + 1, 0, Phase(new_name, fn))

    def insert_before(self, name: str, new_name: str, fn: PhaseFn) -> "Schedule":
        """A new phase right before phase ``name``."""
        return self._with(self._index(name), 0, Phase(new_name, fn))

    def replace(self, name: str, fn: PhaseFn) -> "Schedule":
        """Phase ``name`` done by ``fn`` instead (another form of the mechanism)."""
        return self._with(self._index(name), 1, Phase(name, fn))

    def wrap(self, name: str, wrapper: Callable[[PhaseFn, object, object], None]) -> "Schedule":
        """Phase ``name`` done by ``wrapper(inner, model, week)``, which may act before
        and after calling ``inner(model, week)``, the phase as it was."""
        inner = self[name].run

        def wrapped(model, week):
            return wrapper(inner, model, week)

        wrapped.__doc__ = inner.__doc__
        return self.replace(name, wrapped)

    def remove(self, name: str) -> "Schedule":
        """The schedule without phase ``name``."""
        return self._with(self._index(name), 1)
