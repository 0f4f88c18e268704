"""The classroom page's model, without the web server: built from the flat keyword
parameters the page passes, the controls' definitions, the second organisation of the
side-by-side view, and "Save as scenario".

Nothing here changes how the model behaves: the page's model is the model with the
same values and seed, and what it draws is in ``sim.app.views``.
"""

from __future__ import annotations

import inspect
import json
import threading
from dataclasses import replace
from typing import Any


from ..model.events import SPECS
from ..model.model import OrganisationModel
from ..model.params import LEVERS, PARAMS
from ..model.scenario import ScenarioError
from ..files import budget
from ..files.scenarios import list_scenarios, load_scenario
from .trust import (PageInputError, StepBudget, check_inputs, check_tab_cost, load_offered,
                    offered, scenario_file, tab_cpu)
from .views import lock_of
from . import texts

CUSTOM = "custom: baseline + the sliders"  # older name of "baseline and the sliders"
N_EMPLOYEES = 60
MAX_CUSTOMERS = 2000
DEFAULT_CUSTOMERS = 500
DEFAULT_SEED = 42

# The page's sliders: every design lever of the organisation, and social-media reach.
# Label, step and range come from the parameters' declarations (sim/model/params.py):
# the range is the parameter's own unless it declares a narrower classroom one
# (``slider``: bridges, social amplification).
SLIDERS: tuple[str, ...] = (*LEVERS, "social_amplification")


def slider_control(name: str) -> dict[str, Any]:
    """One slider in Mesa's format, from the parameter's declaration."""
    p = PARAMS[name]
    lo, hi = p.slider or (p.low, p.high)
    default = p.default if not isinstance(p.default, str) else 0.5  # always a number
    kind = "SliderInt" if p.kind is int else "SliderFloat"
    return {"type": kind, "value": default, "min": lo, "max": hi, "step": p.step,
            "label": p.label}


def slider_value_text(name: str, value: float, t=texts.EN) -> str:
    """A slider's value with its unit, as the page shows it beside the slider (in
    language ``t``, a ``sim.app.texts.of``)."""
    p = PARAMS[name]
    shown = t.lang.num(int(round(value))) if p.kind is int else t.lang.num(value, 2)
    if p.unit == "-":
        return t.SCALE_OF_ONE.format(value=shown)
    return t.WITH_UNIT.format(value=shown, unit=texts.unit(t, p.unit))


def scenario_levers(name: str) -> dict[str, float]:
    """The sliders' values of an offered scenario (what the sliders move to on a pick)."""
    params = (load_offered(name) if name != CUSTOM else load_scenario("baseline")).params
    return {k: params[k] for k in SLIDERS}


def changes_from(name: str, values: dict[str, float]) -> dict[str, float]:
    """The sliders that differ from the named scenario's own values."""
    own = scenario_levers(name)
    return {k: v for k, v in values.items() if k in own and not _same(k, v, own[k])}


def _same(name: str, a: float, b: float) -> bool:
    return abs(float(a) - float(b)) < 0.5 * PARAMS[name].step


def describe_choice(name: str, changes: dict[str, float], t=texts.EN) -> str:
    """``product_centric, as it is`` or ``custom: product_centric + silo barrier 0.20, ...``
    (in language ``t``; a scenario by its file's name)."""
    base = "baseline" if name == CUSTOM else name
    if not changes:
        return t.AS_IS.format(scenario=base)
    listed = t.lang.join(
        f"{texts.parameter(t, PARAMS[k].label).split(' (')[0].lower()} "
        f"{slider_value_text(k, v, t).split(' ')[0]}" for k, v in changes.items())
    return t.CUSTOM_LABEL.format(scenario=base, changes=listed)


# The kinds of the model's one line for the page (``notice_kind``): a kind's line is
# written from the model's state in the tab's language (``notice_in``); None: a line
# as it was written (a refusal of what a browser sent).
RATE_NOTICE = "rate"  # the tab's budget held a step back: the line says its rate_cap

# The disruptions the page fires with a click, with their button labels.
DISRUPTIONS: dict[str, str] = dict(texts.DISRUPTIONS)
assert set(DISRUPTIONS) <= set(SPECS)

def things_to_try() -> list[tuple[str, str]]:
    """(scenario, what to look for): one line per named scenario, from its file."""
    return list_scenarios()


def model_params() -> dict[str, Any]:
    """The page's controls in Mesa's format (what values from the browser are checked
    against): the scenarios the page offers (``sim.app.trust.offered``), the sliders, size and seed."""
    names = [CUSTOM] + list(offered())
    out: dict[str, Any] = {
        "scenario": {"type": "Select", "value": CUSTOM, "values": names,
                     "label": "Scenario (the sliders apply to 'custom')"},
    }
    for name in SLIDERS:
        out[name] = slider_control(name)
    out["n_customers"] = {"type": "SliderInt", "value": DEFAULT_CUSTOMERS, "min": 50,
                          "max": MAX_CUSTOMERS, "step": 50,
                          "label": "Customers (and prospects)"}
    out["seed"] = {"type": "SliderInt", "value": DEFAULT_SEED, "min": 0, "max": 1000,
                   "step": 1, "label": "Random seed"}
    return out


def build_scenario(scenario: str = CUSTOM, n_customers: int = DEFAULT_CUSTOMERS,
                   n_employees: int = N_EMPLOYEES, **levers):
    """The scenario the page runs: an offered one (CUSTOM: the baseline) with the sliders
    that are given (None: the scenario's own value), at the page's scale. A name the page
    does not offer is refused (PageInputError): no file is opened by its name."""
    scale = dict(n_customers=int(n_customers), n_prospects=int(n_customers),
                 n_employees=int(n_employees))
    chosen = {k: v for k, v in levers.items() if v is not None}
    for k in chosen:  # a slider may hand over 2.0 for a whole-number parameter
        if PARAMS[k].kind is int:
            chosen[k] = int(round(chosen[k]))
    if scenario == CUSTOM:
        return load_scenario("baseline", **scale, **chosen)
    return load_offered(scenario, **scale, **chosen)


class ClassroomModel(OrganisationModel):
    """OrganisationModel (or ``base_class``, see ``classroom_class``) built from flat
    keyword parameters, as the page passes them (and as its Reset calls the class again). Steps and triggered events hold a
    lock, so a disruption clicked while the model plays never lands inside a step.

    ``compare_with(name)`` runs a second organisation alongside (the side-by-side
    view): the named scenario at the same size, with the same seed and the same
    events, stepped and disrupted together with this one."""

    base_class: type = OrganisationModel  # the model class the page runs
    # The page's own class sets this: its steps then keep to a tab's budget
    # (sim.app.trust.StepBudget); a model made in Python steps whenever asked.
    metered: bool = False

    def __init__(self, scenario: str = CUSTOM, *, n_customers: int = DEFAULT_CUSTOMERS,
                 n_employees: int = N_EMPLOYEES, seed: int = DEFAULT_SEED,
                 **sliders: float | None):
        # one keyword per slider (SLIDERS; None: the baseline's value), as the signature
        # below (checked against the controls by Mesa's _check_model_params) spells out
        unknown = sorted(set(sliders) - set(SLIDERS))
        if unknown:
            raise TypeError(f"ClassroomModel() got unexpected keyword argument(s) "
                            f"{', '.join(unknown)}; sliders: {', '.join(SLIDERS)}")
        # every value below came from a browser: checked against the page's controls
        checked = check_inputs({"scenario": scenario, "n_customers": n_customers,
                                "seed": seed, **sliders}, model_params(), CUSTOM, CUSTOM)
        v = checked.values
        self.notice: str | None = checked.notice  # one line the page shows, if any
        self.notice_kind: str | None = None  # what the line says (RATE_NOTICE, or None)
        built = build_scenario(v["scenario"], v["n_customers"], n_employees,
                               **{k: v[k] for k in sliders})
        try:
            check_tab_cost(built)
        except ScenarioError as err:
            self.notice = f"{err}; the custom default is used instead."
            v = {**v, "scenario": CUSTOM, "n_customers": DEFAULT_CUSTOMERS}
            built = build_scenario(CUSTOM, DEFAULT_CUSTOMERS, n_employees)
        self.lock = threading.RLock()
        super().__init__(built, rng=int(v["seed"]))
        self.page_choice = v["scenario"]
        self.changes = changes_from(self.page_choice,
                                    {k: v[k] for k in sliders if v.get(k) is not None})
        self.step_budget = None
        if self.metered:
            self.step_budget = StepBudget(budget.scenario_cost(built, 1).seconds, tab_cpu())
            self._counted_step = self.step  # Mesa's: counts the week, then steps
            self.step = self._metered_step
        self.manual: list[tuple[int, str, dict]] = []  # disruptions fired by a click
        self.twin: OrganisationModel | None = None
        self.twin_name: str | None = None

    rate_cap: float | None = None  # the tab's steps a second, once its budget held one back

    @property
    def display_name(self) -> str:
        """What runs: the scenario as it is, or ``custom: SCENARIO + the changes``."""
        return describe_choice(self.page_choice, self.changes)

    def _metered_step(self) -> None:
        """A step of the page's model, if the tab's budget has one; else none (skipped,
        not queued, and not counted as a week)."""
        models = 1 if self.twin is None else 2
        if not self.step_budget.take(models):
            self.rate_cap = self.step_budget.rate(models)
            self.notice, self.notice_kind = rate_notice(self, texts.EN), RATE_NOTICE
            return
        self._counted_step()

    def step(self) -> None:
        with self.lock:
            super().step()
            if self.twin is not None:
                self.twin.step()

    def trigger(self, kind: str, **params):
        with self.lock:
            event = super().trigger(kind, **params)
            self.manual.append((int(self.steps), kind, dict(event.params)))
            if self.twin is not None:
                self.twin.trigger(kind, **event.params)
            return event

    def compare_with(self, name: str | None) -> None:
        """Run the named scenario alongside from now on (None: stop). The second
        organisation starts from week 0 with this one's seed, size and scheduled events,
        and is brought up to this week with the clicked disruptions at their weeks."""
        with self.lock:
            if name == self.twin_name:
                return
            if name is None:
                self.twin, self.twin_name = None, None
                return
            try:
                scenario_file(name)  # from the browser: an offered name or nothing
            except PageInputError as err:
                self.notice, self.notice_kind = str(err), None
                return
            p = self.params
            other = load_offered(name, n_customers=p["n_customers"],
                                 n_prospects=p["n_prospects"], n_employees=p["n_employees"])
            twin = self.base_class(replace(other, events=self.scenario.events),
                                   rng=self.seed_used)
            for week in range(int(self.steps) + 1):
                for at, kind, params in self.manual:
                    if at == week:
                        twin.trigger(kind, **params)
                if week < self.steps:
                    twin.step()
            self.twin, self.twin_name = twin, name


def rate_notice(model: ClassroomModel, t=texts.EN) -> str | None:
    """The line saying the tab's budget held a step back, in language ``t`` (None if it
    never did)."""
    if model.rate_cap is None:
        return None
    return t.TAB_RATE.format(rate=t.lang.num(model.rate_cap))


def notice_in(model: ClassroomModel, t=texts.EN) -> str | None:
    """The model's one line for the page in language ``t``, chosen by its kind: the tab's
    speed limit written from ``rate_cap`` in ``t``; any other (a refusal of what a browser
    sent) as it was written."""
    if getattr(model, "notice_kind", None) == RATE_NOTICE:
        return rate_notice(model, t)
    return getattr(model, "notice", None)


def _init_signature() -> inspect.Signature:
    """ClassroomModel.__init__ as Mesa's parameter check sees it: a keyword (default None) for each
    slider, so the page's controls and the model's signature come from one list."""
    own = inspect.signature(ClassroomModel.__init__).parameters
    kw = inspect.Parameter.KEYWORD_ONLY
    return inspect.Signature([
        own["self"], own["scenario"],
        *(inspect.Parameter(name, kw, default=None,
                            annotation=f"{PARAMS[name].kind.__name__} | None")
          for name in SLIDERS),
        own["n_customers"], own["n_employees"], own["seed"]])


ClassroomModel.__init__.__signature__ = _init_signature()


def classroom_class(model_class: type = OrganisationModel) -> type:
    """The page's model class on top of ``model_class``: a model class of one's own
    (``orgsim app --model REF``; docs/extending.md) runs with the same controls, and
    its extra columns and attributes show in the page's texts."""
    if model_class is OrganisationModel:
        return ClassroomModel
    return type(f"Classroom{model_class.__name__}", (ClassroomModel, model_class),
                {"base_class": model_class, "__module__": __name__})


def default_comparison(model: ClassroomModel) -> str:
    """What the side-by-side view shows first next to the page's model."""
    return "product_centric" if model.page_choice == "customer_centric" else "customer_centric"


# --- save as scenario ---------------------------------------------------------------
def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string for plain text
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def scenario_toml(model: OrganisationModel) -> str:
    """The page's model as a scenario file that `orgsim run` and studies accept: the
    preset it started from, every parameter that differs from it, its scheduled events
    and the disruptions clicked so far, each at the week it first acted."""
    choice = getattr(model, "page_choice", CUSTOM)
    preset = "baseline" if choice == CUSTOM else choice
    base = load_offered(preset)
    if preset not in dict(list_scenarios()):  # a file the teacher gave: its path
        preset = str(scenario_file(preset))
    with lock_of(model):
        params, steps = dict(model.scenario.params), int(model.steps)
        clicked = list(getattr(model, "manual", []))
        scheduled = [(e.at, e.kind, dict(e.params)) for e in model.scenario.events]
    # a click lands between weeks and acts from the next one
    events = sorted(scheduled + [(at + 1, kind, p) for at, kind, p in clicked],
                    key=lambda e: e[0])
    lines = [f"# Saved from the orgsim classroom page at week {steps}.",
             f"description = {_toml_value(f'Classroom demo from {preset}, saved at week {steps}')}",
             f"preset = {_toml_value(preset)}",
             f"steps = {max([steps, 1] + [at for at, _, _ in events])}",
             f"seed = {int(model.seed_used) if model.seed_used is not None else 42}"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in params.items() if v != base.params[k]]
    for at, kind, p in events:
        lines += ["", "[[events]]", f"at = {at}", f"kind = {_toml_value(kind)}"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in p.items()]
    return "\n".join(lines) + "\n"
