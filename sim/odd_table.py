"""The generated tables of ``docs/ODD.md``: every parameter from ``sim.model.params.PARAMS_LIST``,
the design levers in the named firms (``params.LEVERS`` and the preset files), the model's
fixed constants and every event kind's parameters from ``sim.model.events.SPECS``,
rendered as Markdown.

The parameter table sits between the marker lines ``<!-- params:start -->`` and
``<!-- params:end -->``; the preset table between ``<!-- presets:start -->`` and
``<!-- presets:end -->``; each constants table between ``<!-- constants:KEY:start -->``
and ``<!-- constants:KEY:end -->``; each event kind's table between
``<!-- events:KIND:start -->`` and ``<!-- events:KIND:end -->``. ``update_odd(path)``
rewrites the text between the markers, so the description cannot drift from the code::

    python -m sim.odd_table                       # print the parameter table
    python -m sim.odd_table --write docs/ODD.md   # refresh every generated table
"""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .model import (acquisition, contacts, customers, disruptions, effort, experience, networks,
                    organisation)
from .files import results
from .files import scenarios as scenario
from .model import wom
from .model.events import SPECS
from .model.params import DEFAULTS, LEVERS, PARAMS, PARAMS_LIST, Param, _fmt
from .model.state import KEEP, attrs

PARAMS_START, PARAMS_END = "<!-- params:start -->", "<!-- params:end -->"
PRESETS_START, PRESETS_END = "<!-- presets:start -->", "<!-- presets:end -->"
PRESETS = ("baseline", "product_centric", "customer_centric")  # the named firms (section 6)


def _cell(text: Any) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _value(x: Any) -> str:
    if isinstance(x, str):
        return f"`{x}`"
    return _fmt(x)


def _range(p: Param, aliases: bool = True) -> str:
    """Allowed values; ``aliases``: say which named values the parameter also takes
    (``Param.aliases``: true of the model parameter, not of an event field of the same
    name)."""
    if p.choices:
        return ", ".join(f"`{c}`" for c in p.choices)
    text = f"{_fmt(p.low)} – {_fmt(p.high)}"
    if p.kind is int:
        text += " (integer)"
    if aliases and p.aliases:
        text += " or " + " / ".join(f"`{k}` (= {_fmt(v)})" for k, v in p.aliases)
    if p.plausible:
        text += f"; plausible {_fmt(p.plausible[0])} – {_fmt(p.plausible[1])}"
    return text


def parameter_table() -> str:
    """Every model parameter as a Markdown table, in the order of ``PARAMS_LIST``."""
    head = ("| name | default | range / choices | unit | group | meaning | source or reason |\n"
            "|---|---|---|---|---|---|---|")
    rows = [
        "| " + " | ".join([f"`{p.name}`", _value(p.default), _range(p), _cell(p.unit),
                           _cell(p.group), _cell(p.doc), _cell(p.source)]) + " |"
        for p in PARAMS_LIST
    ]
    return "\n".join([head, *rows])


# --- state declarations ----------------------------------------------------------------

STATE_MARKERS = {"customers": "customer_state", "employees": "employee_state"}


def _rule(rule: Any, what: str) -> str:
    if rule is KEEP:
        return "kept" if what != "init" else "–"
    if callable(rule):
        return "see section 5" if what == "init" else "set (see text)"
    if isinstance(rule, float) and np.isnan(rule):
        return "NaN"
    return _fmt(rule) if not isinstance(rule, bool) else str(rule).lower()


def state_table(kind: str) -> str:
    """The declared attributes of customers or employees (``OrganisationModel``'s
    ``customer_state`` / ``employee_state``) as a Markdown table: what each is, its
    type, its value at creation and what acquisition, churn and a merger do to it."""
    from .model import OrganisationModel

    schema = attrs(getattr(OrganisationModel, STATE_MARKERS[kind]))
    events = kind == "customers"
    head = ("| variable | type | at creation | " + ("on acquisition | on churn | " if events else "")
            + "merged-in firm's | meaning |\n|---|---|---|" + ("---|---|" if events else "") + "---|---|")
    rows = []
    for a in schema:
        cells = [f"`{a.name}`", np.dtype(a.dtype).name, _rule(a.init, "init")]
        if events:
            cells += [_rule(a.on_acquire, "acquire"), _rule(a.on_churn, "churn")]
        merge = "as created for it" if a.on_merge is KEEP else _rule(a.on_merge, "merge")
        cells += [merge, _cell(a.doc)]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, *rows])


def state_markers(kind: str) -> tuple[str, str]:
    return f"<!-- state:{kind}:start -->", f"<!-- state:{kind}:end -->"


# --- the named firms ---------------------------------------------------------------------

def _preset_value(s: scenario.Scenario, name: str) -> str:
    """A lever's value in a preset, by the name the file gives it where it gives one."""
    raw, value = s.set_here.get(name), s.params[name]
    if isinstance(raw, str) and raw in dict(PARAMS[name].aliases):
        return f"`{raw}` ({_fmt(value)})"
    return _fmt(value)


def preset_table() -> str:
    """The design levers (``params.LEVERS``) in the named firms, read from their scenario
    files, as a Markdown table. Raises ValueError if a named firm sets anything but a
    lever away from its default: section 6 says the firms differ in the levers only."""
    firms = [scenario.load_scenario(name) for name in PRESETS]
    for s in firms:
        other = sorted(k for k, v in s.params.items() if k not in LEVERS and v != DEFAULTS[k])
        if other:
            raise ValueError(f"preset {s.name!r} sets {', '.join(other)}, which are not "
                             "levers: section 6's table and text would be wrong")
    head = ("| parameter | " + " | ".join(f"`{name}`" for name in PRESETS) + " |\n"
            "|---|" + "---|" * len(PRESETS))
    rows = ["| " + " | ".join([f"`{k}`", *(_preset_value(s, k) for s in firms)]) + " |"
            for k in LEVERS]
    return "\n".join([head, *rows])


# --- fixed constants ---------------------------------------------------------------------

@dataclass(frozen=True)
class Constant:
    """A fixed number of the model. ``value`` is read from the code where the code names
    it (a module constant or a function's default argument); a literal written inside a
    function body is given as text, with ``where`` naming the function."""

    section: str
    where: str
    value: Callable[[], Any] | str
    meaning: str
    reason: str


def _array(x: Any) -> str:
    if isinstance(x, np.ndarray):
        if x.dtype == bool:
            return "[" + ", ".join("yes" if b else "no" for b in x.tolist()) + "]"
        return "[" + ", ".join(f"{v:g}" for v in np.asarray(x, float).ravel().tolist()) + "]"
    if isinstance(x, tuple):
        return ", ".join(str(v) for v in x)
    if isinstance(x, float):
        return f"{x:g}"
    return str(x)


def _default_arg(func: Callable, name: str) -> Callable[[], Any]:
    return lambda: inspect.signature(func).parameters[name].default


def _matrix_rows(m: np.ndarray, labels: tuple[str, ...]) -> str:
    return "; ".join(f"{lab}: {_array(row)}" for lab, row in zip(labels, m))


NEED_KINDS = ("information", "purchase", "usage help", "billing")  # rows of NEED_HOME

CONSTANTS: tuple[Constant, ...] = (
    # organisation and employees
    Constant("organisation", "organisation.DEPARTMENTS", lambda: organisation.DEPARTMENTS,
             "the departments, in index order",
             "Modelling choice; essay 000 lists these departments (the brief's management is "
             "not one: escalated feedback goes to product)."),
    Constant("organisation", "organisation.ACCOUNT_DEPT",
             lambda: organisation.DEPARTMENTS[organisation.ACCOUNT_DEPT],
             "department of the account owners", "Account owners are in sales (code comment)."),
    Constant("organisation", "networks.department_access(direct=…)",
             _default_arg(networks.department_access, "direct"),
             "chance one direct tie into a department gets a hand-off through",
             "Modelling choice; no reason given in the code."),
    Constant("organisation", "networks.department_access(two_hop=…)",
             _default_arg(networks.department_access, "two_hop"),
             "chance one two-step path (a colleague's tie) gets a hand-off through",
             "Modelling choice; no reason given in the code."),
    Constant("organisation", "effort.NEUTRAL",
             lambda: "; ".join(f"{d} " + "/".join(f"{x:g}" for x in effort.NEUTRAL[i])
                               for i, d in enumerate(organisation.DEPARTMENTS)),
             "the job's own split of effort (sell / serve / develop) at a neutral reward",
             "Sales sell about half their time and care for their accounts (the fixed "
             "shares the model had before the effort choice, at reward_mix 0.5); "
             "marketing's campaigns are selling; everyone else serves and sells a little "
             "in passing (essay 001's 'meetings that start with revenue')."),
    Constant("organisation", "effort.GOOD_RESOLUTION", lambda: effort.GOOD_RESOLUTION,
             "share of handled contacts resolved in a good week: the yardstick of what "
             "serving is seen to achieve", "Modelling choice: about a skilled employee's "
             "resolution rate at the baseline."),
    Constant("organisation", "experience.CARE_BASE, CARE_PER_EFFORT",
             lambda: f"{experience.CARE_BASE:g}, {experience.CARE_PER_EFFORT:g}",
             "an owner's care for a relationship: from routine contact, and per neutral "
             "share of time spent developing accounts",
             "At the neutral share 0.7 of skill, as the fixed rule gave at reward_mix 0.5; "
             "at most 1."),
    Constant("organisation", "organisation.MAX_TIME_COSTS", lambda: organisation.MAX_TIME_COSTS,
             "largest share of an employee's week coordination and the record may take",
             "Modelling choice: nobody spends more than half their week in meetings."),
    Constant("organisation", "organisation.serving_capacity (inline)", "1/3, 8 weeks",
             "capacity lost by a new hire at tenure 0, and the time constant of the ramp-up",
             "'Lower for new hires still learning (a third less in their first weeks)'."),
    Constant("organisation", "organisation.learn (inline)", "0.2",
             "practice: own-skill gain per week is 0.2 × learn_rate × (1 − skill) if the "
             "employee handled a contact", "'Everyone slowly gets better at their own job'."),
    Constant("organisation", "organisation.update_engagement (inline)",
             "0.5, 0.3, 0.5, 0.05 per week",
             "engagement target 0.5 + 0.3·mandate − 0.5·overload; adjustment rate",
             "Engagement follows autonomy (mandate, essay 001) and falls with overload; "
             "values are modelling choices."),
    Constant("organisation", "organisation.turnover (inline)", "1.5 − engagement",
             "multiplier on turnover_rate",
             "1.5× for the disengaged, 0.5× for the most engaged (docstring)."),
    Constant("organisation", "organisation.replace_employees (inline)",
             "skill new_hire_skill; knowledge 0.1·(1 − silo_barrier); engagement 0.6; tenure 0",
             "state of a new hire in a leaver's slot",
             "A new hire 'starts low on skill and knowledge and keeps the leaver's ties'."),
    # contacts
    Constant("contacts", "contacts.NEED_SHARE", lambda: contacts.NEED_SHARE,
             "shares of need kinds: " + ", ".join(NEED_KINDS),
             "Modelling choice; no reason given in the code."),
    Constant("contacts", "contacts.NEED_HOME",
             lambda: _matrix_rows(contacts.NEED_HOME, NEED_KINDS),
             "per need kind, the chance each department (order as DEPARTMENTS) holds the "
             "answer", "Essay 000: specs with product, manuals with support, reviews with "
             "marketing (code comment)."),
    Constant("contacts", "contacts.SELF_SERVICEABLE", lambda: contacts.SELF_SERVICEABLE,
             "need kinds a customer may try to meet alone (order as NEED_SHARE)",
             "Modelling choice; no reason given in the code (information and usage help are "
             "what a customer can look up, essay 004)."),
    Constant("contacts", "contacts.FAULT_HOME", lambda: contacts.FAULT_HOME,
             "department that holds the answer to a product fault",
             "Product or delivery, half each (code comment)."),
    Constant("contacts", "complaints.take_to_management (inline)", "Q_HANDED_OFF − WAIT_PENALTY·waited",
             "quality of a complaint management put right",
             "Put right after going up, as after a hand-off, less the weeks it waited."),
    Constant("contacts", "contacts.Q_RESOLVED", lambda: contacts.Q_RESOLVED,
             "quality of a contact resolved without a hand-off",
             "Modelling choice, ordered as TARP 1984's repurchase figures: resolved quickly "
             "> resolved > unresolved."),
    Constant("contacts", "contacts.Q_HANDED_OFF", lambda: contacts.Q_HANDED_OFF,
             "quality of a contact resolved after a hand-off", "As Q_RESOLVED."),
    Constant("contacts", "contacts.Q_UNRESOLVED", lambda: contacts.Q_UNRESOLVED,
             "quality of a contact taken but not resolved", "As Q_RESOLVED."),
    Constant("contacts", "contacts.Q_NOT_REACHED", lambda: contacts.Q_NOT_REACHED,
             "quality of a contact nobody had capacity to take", "As Q_RESOLVED."),
    Constant("contacts", "contacts.WAIT_PENALTY", lambda: contacts.WAIT_PENALTY,
             "quality lost per week a contact has been open (per week)",
             "Modelling choice; no reason given in the code."),
    Constant("contacts", "contacts.route (inline)", "0.5",
             "factor on info_scatter for a repeat contact",
             "'A customer who already tried once was told where to go'."),
    Constant("contacts", "contacts.resolve (inline)", "0.5 + 0.5·knowledge",
             "chance an on-the-spot (mandate) resolution succeeds",
             "'Success rising with the employee's knowledge' (docstring)."),
    # experience
    Constant("experience", "params.NEUTRAL_SATISFACTION",
             lambda: customers.NEUTRAL_SATISFACTION,
             "satisfaction of a customer whose expectations are just met",
             "Modelling choice (code comment); equals the default satisfaction_ref."),
    Constant("experience", "experience.FAULT_QUALITY", lambda: experience.FAULT_QUALITY,
             "quality of the product touchpoint in a week with a fault",
             "'A product fault as a touchpoint: a bad week' (code comment)."),
    Constant("experience", "experience.Q_WAITING", lambda: experience.Q_WAITING,
             "quality of waiting on an open request not chased this week (before WAIT_PENALTY)",
             "'An open request nobody has answered yet' (code comment)."),
    Constant("experience", "experience.SILENT_QUALITY", lambda: experience.SILENT_QUALITY,
             "quality of a week lived with a problem never raised (no wait penalty)",
             "'Like waiting for an answer that does not come, without the customer counting "
             "the weeks' (code comment): equal to Q_WAITING."),
    Constant("experience", "experience.update_satisfaction (inline)", "0.5",
             "expectations move towards 0.5·(promise + experience)",
             "Docstring: 'expectations towards the mean of the promise and the experience'; "
             "no further reason given."),
    # word of mouth
    Constant("wom", "wom.TELL_BELOW", lambda: wom.TELL_BELOW,
             "appraisal below which a notable week makes a negative teller",
             "'Appraisals that make a week worth talking about' (code comment)."),
    Constant("wom", "wom.TELL_ABOVE", lambda: wom.TELL_ABOVE,
             "appraisal above which a notable week makes a positive teller", "As TELL_BELOW."),
    # churn and acquisition
    Constant("churn", "acquisition.PROMISE_PULL", lambda: acquisition.PROMISE_PULL,
             "conversion rises by this times the promise above base_expectation",
             "Modelling choice; no reason given for the value (brief mechanism 6: "
             "overpromising wins sales now)."),
    Constant("churn", "acquisition.acquire (inline)",
             "expectation promise + N(0, 0.05); satisfaction N(0.7, 0.05); relationship 0.2",
             "state of a newly acquired customer", "'New customers expect what was promised'."),
    # initialisation
    Constant("init", "organisation.create_employees (inline)",
             "tenure ~ Exponential(mean 208 weeks); skill ramps to 0.95 with time constant "
             "52 weeks; knowledge 0.1 + 0.6·grown·(1 − 0.5·silo_barrier); engagement "
             "N(0.6, 0.1)", "the settled workforce at step 0",
             "'A settled workforce: tenure spread over years, skill grown with it'."),
    Constant("init", "customers.create_customers (inline)",
             "expectation promise + N(0, 0.05); satisfaction N(0.7, 0.1); relationship "
             "N(0.4, 0.1); tenure ~ Exponential(mean 150 weeks)",
             "the settled customer base at step 0",
             "'Customers start in a settled state: tenure spread over years, satisfaction "
             "around neutral, relationship partly built'."),
    Constant("init", "customers.create_customers (inline)", "6",
             "Beta concentration of switching costs (a + b)",
             "'A spread of switching costs around the mean' (code comment)."),
    Constant("init", "customers.create_customers (inline)", "0.5",
             "σ of the log-normal customer value (μ = −σ²/2, so the mean is value_mean)",
             "'Log-normal spread of customer value' (code comment)."),
    Constant("init", "networks.scale_free(exponent=…)",
             _default_arg(networks.scale_free, "exponent"),
             "degree exponent of the scale-free customer network",
             "Goh, Kahng & Kim 2001; 2.5 is a modelling choice."),
    Constant("init", "scenario.DEFAULT_STEPS", lambda: scenario.DEFAULT_STEPS,
             "weeks a scenario runs unless it says otherwise",
             "'Three years of weeks, the horizon the brief asks about' (code comment)."),
    Constant("init", "scenario.DEFAULT_SEED", lambda: scenario.DEFAULT_SEED,
             "random seed unless the scenario or the caller gives one",
             "Reproducible by default."),
    # outputs
    Constant("outputs", "customers.PROMOTER", lambda: customers.PROMOTER,
             "promoters (9–10 of 10) have at least this satisfaction",
             "NPS 'reads satisfaction as a 0-10 answer' (code comment)."),
    Constant("outputs", "customers.DETRACTOR", lambda: customers.DETRACTOR,
             "detractors (0–6 of 10) have less than this satisfaction", "As PROMOTER."),
    Constant("outputs", "results.WEEKS_PER_YEAR", lambda: results.WEEKS_PER_YEAR,
             "weeks per year, for annual rates and the last-year window", "Calendar."),
    Constant("outputs", "results.DISCOUNT_PER_YEAR", lambda: results.DISCOUNT_PER_YEAR,
             "annual discount rate in customer lifetime value",
             "'A common corporate hurdle rate' (code comment)."),
    # events
    Constant("events", "disruptions.CONTACT_RESET", lambda: disruptions.CONTACT_RESET,
             "relationship of a customer with a new key contact is cut to at most this",
             "'They barely know the supplier' (code comment); the value is a modelling choice."),
    Constant("events", "params.LEVERS", lambda: LEVERS,
             "organisational parameters a transformation moves towards the preset's",
             "The design levers (declared with `lever=True` in sim/model/params.py): the "
             "parameters in which the named firms differ (section 6)."),
    Constant("events", "disruptions.Transformation.step (inline)", "3x² − 2x³",
             "share of the change made after a share x of the transition (smoothstep)",
             "'Change is slow to take hold, as culture is' (docstring)."),
    Constant("events", "disruptions.Transformation.step (inline)", "4 weeks",
             "the employee network is drawn anew every this many weeks of a transition",
             "'As the silo barrier and bridges change' (docstring); the period is a modelling "
             "choice."),
    Constant("events", "disruptions.Transformation.step (inline)", "0.2",
             "cap on turnover_rate during a transition",
             "The top of turnover_rate's allowed range."),
    Constant("events", "disruptions.Integration.begin (inline)", "max(L / 2, 1) weeks",
             "time constant of the merger's event risk, L the integration's length",
             "Modelling choice; no reason given in the code."),
    Constant("events", "disruptions.fire_merger (inline)", "max(1, integration_weeks // 4)",
             "length of the integration after a `separate` period",
             "'Then integrates in a quarter of that' (docstring); no reason given for a quarter."),
    Constant("events", "networks.append_block (inline)", "rewire · customer_degree / 2 per node",
             "ties between the acquired firm's customers and the existing market",
             "'Two markets that overlap a little' (docstring)."),
)


def constants_table(section: str) -> str:
    """The fixed constants of one section (see ``CONSTANTS``) as a Markdown table."""
    head = ("| in the code | value | meaning | reason |\n"
            "|---|---|---|---|")
    rows = []
    for k in CONSTANTS:
        if k.section != section:
            continue
        value = k.value if isinstance(k.value, str) else _array(k.value())
        rows.append("| " + " | ".join([f"`{k.where}`", _cell(value), _cell(k.meaning),
                                       _cell(k.reason)]) + " |")
    if not rows:
        raise KeyError(f"no constants in section {section!r}")
    return "\n".join([head, *rows])


def constant_sections() -> tuple[str, ...]:
    """Section keys of ``CONSTANTS``, in order of first appearance."""
    return tuple(dict.fromkeys(k.section for k in CONSTANTS))


# --- event kinds ------------------------------------------------------------------------

# What an event field means, where its doc in sim.model.events.SPECS is empty.
EVENT_MEANINGS: dict[tuple[str, str], str] = {
    ("key_person_loss", "department"): "department the leavers come from; `any`: the whole firm",
    ("competitor_leap", "segment"): "customers it affects: all, businesses (b2b) or consumers (b2c)",
    ("announce_promise", "to"): "preset whose organisational parameters the organisation adapts to",
    ("announce_promise", "capacity_cost"):
        "capacity lost when the adaptation starts, fading linearly to 0",
    ("announce_promise", "turnover_boost"):
        "extra turnover when the adaptation starts (x base rate), fading linearly to 0",
}

_KP_HAZARD = ("No clean percentage exists (Palmatier, Scheer & Steenkamp 2007; Bermiss & "
              "Greenbaum 2016; Broschak & Block 2014): a parameter to sweep. 0.02 is a "
              "modelling choice.")
_SCENARIO = "the value of the scenario of the same name"

# The source of, or the reason for, every event field's default: the one place for them.
EVENT_SOURCES: dict[tuple[str, str], str] = {
    # key person leaves (supplier side)
    ("key_person_loss", "count"): "Essay 003 (key persons who leave); two, as in both "
                                  "key_person_loss scenarios, is a modelling choice.",
    ("key_person_loss", "share"): "0 means: use count. Modelling choice.",
    ("key_person_loss", "by"): "Brief, 'Disruptions': an employee 'holding many accounts or "
                               "much knowledge' (essay 003).",
    ("key_person_loss", "department"): "Modelling choice. Only sales employees own accounts, "
                                       "so with by = accounts `any` picks sellers.",
    ("key_person_loss", "hazard"): _KP_HAZARD,
    ("key_person_loss", "window"): "Modelling choice (13 weeks, a quarter); no reason given "
                                   "in the code.",
    # customer's key contact changes
    ("customer_contact_change", "share"): "Modelling choice; the customer_contact_change "
                                          "scenario uses a third (0.33).",
    ("customer_contact_change", "hazard"): "Essay 003 (the new contact 'wants to set their own "
                                           "mark' whatever was done); Broschak & Block 2014 (exits "
                                           "on either side raise tie dissolution). No figure: a "
                                           "modelling choice, equal to key_person_loss's.",
    ("customer_contact_change", "window"): "Modelling choice, equal to key_person_loss's; no "
                                           "reason given in the code.",
    # competitor leap
    ("competitor_leap", "amount"): "Essay 003 ('a Ryanair in your industry'). The size is a "
                                   "modelling choice: from the default attractiveness 0.5 to "
                                   "0.8, the competitor hazard rises by 60%.",
    ("competitor_leap", "ramp_weeks"): "Modelling choice: a leap. The competitor_leap scenario "
                                       "spreads 0.5 over 13 weeks.",
    ("competitor_leap", "segment"): "Modelling choice; essay 003 names no segment.",
    # substitute
    ("substitute", "p"): "Bass 1969; Sultan, Farley & Lehmann 1990: mean p about 0.03 a year "
                         "(meta-analysis). The substitute_shock scenario uses 0.05.",
    ("substitute", "q"): "Sultan, Farley & Lehmann 1990: mean q about 0.38 a year. The "
                         "substitute_shock scenario uses 0.8 (a disruptive substitute).",
    ("substitute", "mixing"): "`network`: adoption spreads by word of mouth on the customer "
                              "network. `full` is the Bass equation's own assumption, for "
                              "docking (Rand & Rust 2011).",
    # viral complaint
    ("viral_complaint", "reach"): "Essay 004 (the Dr. Holms tweet). The number is a modelling "
                                  "choice; it is multiplied by social_amplification (the "
                                  "viral_complaint scenario: 200 x 20 = 4,000 readers).",
    ("viral_complaint", "weight"): "Modelling choice: as much as 2.5 messages at the default "
                                   "wom_weight 0.2. Goldenberg et al. 2007: bad news is costly "
                                   "even when few are dissatisfied.",
    ("viral_complaint", "hazard"): "Modelling choice; no reason given in the code. Luca 2011 "
                                   "and Goldenberg et al. 2007 give no per-reader figure.",
    ("viral_complaint", "window"): "Modelling choice; no reason given in the code. Equal to "
                                   "the default contagion_memory (4 weeks).",
    # merger
    ("merger", "size"): "Modelling choice: a firm half our size, as in both merger scenarios.",
    ("merger", "silo_barrier"): "Modelling choice: the other firm has 'its own sharp silos and "
                                "volume bonus' (merger_product_centric scenario).",
    ("merger", "reward_mix"): "As silo_barrier. Unlike the model parameter, it takes no "
                              "named values ('volume', 'customer').",
    ("merger", "integration_weeks"): "Modelling choice: a year ('the border ... falls over a "
                                     "year', merger_product_centric scenario).",
    ("merger", "style"): "Brief, experiment 3: how integration style changes the retention "
                         "dip. Modelling choice: `absorb`, as in both merger scenarios.",
    ("merger", "owner_change"): "Brief: 'account owners change'. Half is a modelling choice "
                                "('half the customers get a new account owner', "
                                "merger_product_centric scenario).",
    ("merger", "border"): "Brief: 'borders between legacy units rise for a while'. 0.8 is a "
                          "modelling choice ('the border starts high').",
    ("merger", "hazard"): "Essay 003 ('perhaps the greatest threat'). Gallup 2015: acquired "
                          "bank customers leave at 8% a year vs 5%; Babcock: 15% -> 30% a year. "
                          "0.002 a week is about 10% a year extra at first, fading (about 5% "
                          "in all over an absorb integration of 52 weeks, before the loyalty "
                          "shield): a modelling choice between the extra 3 points a year of "
                          "Gallup and the 15 of Babcock.",
    # transformation
    ("transformation", "to"): "Brief mechanism 10 (essays 000, 001, 003): from product- to "
                              "customer-centric.",
    ("transformation", "weeks"): "Modelling choice: two years, as the transformation scenario.",
    ("transformation", "capacity_cost"): "Brief mechanism 10: 'a transition period with cost "
                                         "before the gain'. The size is a modelling choice: "
                                         "at 0.25 a product-centric firm, which now leaves half "
                                         "its faults unraised, hardly feels it (0.7 points below "
                                         "its path at the trough); at 0.4, 1.3 points.",
    ("transformation", "turnover_boost"): "As capacity_cost: turnover doubled at the start is a "
                                          "modelling choice.",
    # announce a promise
    ("announce_promise", "amount"): "Essay 003, second essay ('from words to action'): an "
                                    "external promise forces the organisation to adapt. The "
                                    "size is a modelling choice (twice the default "
                                    "marketing_promise).",
    ("announce_promise", "lag"): "Modelling choice: a quarter (the announce_promise scenario).",
    ("announce_promise", "to"): "As transformation.to.",
    ("announce_promise", "weeks"): "Modelling choice; no reason given in the code.",
    ("announce_promise", "capacity_cost"): "Modelling choice, below transformation's 0.4; no "
                                           "reason given in the code.",
    ("announce_promise", "turnover_boost"): "Modelling choice, below transformation's 1; no "
                                            "reason given in the code.",
}


def event_table(kind: str) -> str:
    """The parameters of one event kind (``sim.model.events.SPECS``) as a Markdown table."""
    head = ("| name | default | range / choices | meaning | source or reason |\n"
            "|---|---|---|---|---|")
    rows = []
    for name, f in SPECS[kind].items():
        meaning = f.doc or EVENT_MEANINGS[(kind, name)]
        rows.append("| " + " | ".join([f"`{name}`", _value(f.default), _range(f, aliases=False),
                                       _cell(meaning), _cell(EVENT_SOURCES[(kind, name)])]) + " |")
    return "\n".join([head, *rows])


def event_tables() -> dict[str, str]:
    """Every event kind's parameter table, by kind, in the order of ``SPECS``."""
    return {kind: event_table(kind) for kind in SPECS}


def event_markers(kind: str) -> tuple[str, str]:
    """The marker lines around the parameter table of event ``kind``."""
    return f"<!-- events:{kind}:start -->", f"<!-- events:{kind}:end -->"


# --- the document ------------------------------------------------------------------------

def _replace_block(text: str, start: str, end: str, body: str) -> str:
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"markers {start} ... {end} not found")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text, count=1)


def block(text: str, start: str, end: str) -> str:
    """The text between two marker lines (without the markers and surrounding newlines)."""
    i, j = text.find(start), text.find(end)
    if i < 0 or j < i:
        raise ValueError(f"markers {start} ... {end} not found")
    return text[i + len(start):j].strip("\n")


def render(text: str) -> str:
    """``text`` with every generated table refreshed; constants and event blocks that
    the text does not contain are left out."""
    text = _replace_block(text, PARAMS_START, PARAMS_END, parameter_table())
    text = _replace_block(text, PRESETS_START, PRESETS_END, preset_table())
    for kind in STATE_MARKERS:
        text = _replace_block(text, *state_markers(kind), state_table(kind))
    for section in constant_sections():
        start, end = f"<!-- constants:{section}:start -->", f"<!-- constants:{section}:end -->"
        if start in text:
            text = _replace_block(text, start, end, constants_table(section))
    for kind, table in event_tables().items():
        start, end = event_markers(kind)
        if start in text:
            text = _replace_block(text, start, end, table)
    return text


def update_odd(path: str | Path) -> bool:
    """Rewrite the generated tables of the ODD document at ``path`` in place.
    Returns True if the file changed."""
    path = Path(path)
    old = path.read_text(encoding="utf-8")
    new = render(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.odd_table", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", metavar="PATH", type=Path,
                    help="refresh the generated tables of this ODD document in place")
    args = ap.parse_args(argv)
    if args.write is None:
        print(parameter_table())
        return 0
    changed = update_odd(args.write)
    print(f"{args.write}: {'updated' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
