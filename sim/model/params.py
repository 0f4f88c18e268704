"""The one validated definition of every model parameter.

Each parameter has a name, a type, a default, an allowed range (or set of choices),
a unit and a source or stated reason. The scenario loader, the CLI's ``--set``, the
classroom page's sliders and the parameter table in ``docs/ODD.md`` all read this list,
so a name means the same thing everywhere. One step is one week.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Param:
    """One model parameter: what it is, its default, what values it may take, why."""

    name: str
    kind: type  # int, float or str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    unit: str = "-"
    group: str = ""
    doc: str = ""
    source: str = ""
    # A design lever of the organisation: what the product- and customer-centric
    # presets differ in, what a client's alternatives and a transformation change.
    lever: bool = False
    label: str = ""  # short human label for sliders and reports
    step: float | None = None  # slider step
    # Named values a scenario, --set or a client file may give instead of a number, as
    # (name, value) pairs (a dict given here is turned into them, so Param stays hashable).
    aliases: tuple[tuple[str, Any], ...] = ()
    slider: tuple[float, float] | None = None  # classroom range, if narrower than low-high
    # for a calibration constant the data pin down loosely: the range its source or
    # reason allows, which the sensitivity study sweeps (experiments/sensitivity_morris.toml)
    plausible: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.aliases, Mapping):
            object.__setattr__(self, "aliases", tuple(self.aliases.items()))
        if self.slider is not None:
            object.__setattr__(self, "slider", tuple(self.slider))

    def allowed(self) -> str:
        """Human description of the allowed values, for error messages."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = "an integer" if self.kind is int else "a number"
        return f"{kind} from {_fmt(self.low)} to {_fmt(self.high)}"


def _fmt(x: float | None) -> str:
    if x is None:
        return "?"
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", "_") if abs(x) >= 10_000 else str(int(x))
    return repr(x)


# Satisfaction of a customer whose expectations are just met: where the appraisal of a
# week sits when experience equals expectation, the centre of a settled customer base,
# and the satisfaction at which the dissatisfaction hazard is churn_base. Declared once
# here (the kernel's parameters import nothing) and imported where it is used.
NEUTRAL_SATISFACTION = 0.7

_P = Param
PARAMS_LIST: tuple[Param, ...] = (
    # --- scale -------------------------------------------------------------------
    _P("n_customers", int, 5000, 1, 5_000_000, unit="customers", group="scale",
       doc="Active customers at the start.",
       source="Laptop-sized demo; the benchmark runs 10k to 1M."),
    _P("n_prospects", int, 5000, 0, 5_000_000, unit="prospects", group="scale",
       doc="Prospects (potential customers) on the customer network at the start.",
       source="Modelling choice: a market as large again as the customer base."),
    _P("n_employees", int, 100, 6, 200_000, unit="employees", group="scale",
       doc="Employees, split over the departments.",
       source="Modelling choice: 50 customers per employee, the benchmark's ratio at 10k."),
    # Relative headcount per department (normalised over the six). The defaults are a
    # modelling choice for a firm that sells and serves; a client file sets them from
    # the client's own headcounts.
    *(_P(f"staff_{d}", float, w, 0.01, 1.0, group="staff",
         doc=f"Relative headcount of the {d} department (normalised over the six departments).",
         source="Modelling choice for a firm that sells and serves; a client file gives its own.")
      for d, w in (("sales", 0.20), ("marketing", 0.10), ("product", 0.20), ("support", 0.25),
                   ("delivery", 0.15), ("billing", 0.10))),
    # --- organisation ------------------------------------------------------------
    # The seven design levers are marked lever=True; the rest of the group is how the
    # firm is staffed, networked and learns, which every preset leaves at its default.
    _P("silo_barrier", float, 0.5, 0.0, 1.0, group="organisation",
       lever=True, label="Silo barrier (0 open, 1 closed)", step=0.05,
       doc="How hard it is to cross a department border: cuts cross-department ties "
           "and the chance a hand-off succeeds; slows learning and feedback across borders.",
       source="Brief mechanism 1 (essays 000, 002); 0.5 is the midpoint, swept in studies."),
    _P("bridges", int, 1, 0, 50, unit="per department pair", group="organisation",
       lever=True, label="Bridges per department pair", step=1, slider=(0, 10),
       doc="Boundary-spanning employees per department pair (cross-functional teams).",
       source="Essay 002 ('build bridges between silos'); Fang, Lee & Schilling 2010."),
    _P("bridge_ties", int, 5, 1, 100, unit="ties", group="organisation",
       doc="Ties each boundary spanner has into the other department.",
       source="Modelling choice: a spanner knows a handful of people on the other side."),
    _P("within_degree", float, 8.0, 1.0, 100.0, unit="ties", group="organisation",
       doc="Mean number of ties an employee has inside their own department.",
       source="Modelling choice: a working team of about eight."),
    _P("cross_degree", float, 4.0, 0.0, 100.0, unit="ties", group="organisation",
       doc="Mean cross-department ties per employee when the silo barrier is 0; "
           "scaled by (1 - silo_barrier).",
       source="Modelling choice: half the within-department density, so departments stay "
              "visible even without barriers (essay 002: silos are not the problem)."),
    _P("reward_mix", float, 0.5, 0.0, 1.0, group="organisation",
       lever=True, label="Reward (0 volume, 1 customer)", step=0.05,
       aliases={"volume": 0.0, "customer": 1.0},
       doc="Reward scheme: 0 = bonus on sales volume, 1 = bonus on customer value; "
           "also accepts 'volume' (0) or 'customer' (1).",
       source="Essay 001 ('add a customer-specific part to the reward system')."),
    _P("mandate", float, 0.3, 0.0, 1.0, group="organisation",
       lever=True, label="Mandate to act alone", step=0.05,
       doc="Share of out-of-domain requests an employee may resolve on the spot.",
       source="Essay 001 (mandate to act on one's own towards customers)."),
    _P("escalation", float, 0.4, 0.0, 1.0, group="organisation",
       lever=True, label="Feedback escalation", step=0.05,
       doc="Share of customer feedback the escalation policy passes on towards product.",
       source="Essays 001, 004; Goodman 2005: 1-5% of complaints reach management unaided."),
    _P("info_scatter", float, 0.3, 0.0, 1.0, group="organisation",
       lever=True, label="Scattered information", step=0.05,
       doc="Chance a contact lands at the wrong department because information is "
           "scattered over departments.",
       source="Essay 000 ('it all exists, scattered over the departments' pages')."),
    _P("shared_record", float, 0.3, 0.0, 1.0, group="organisation",
       lever=True, label="Shared customer record", step=0.05,
       doc="Share of customer knowledge held in one shared customer record rather than "
           "in the account owner's head; protects relationships when owners change.",
       source="Essay 002 (bridges incl. one customer record); Palmatier et al. 2007."),
    _P("capacity", float, 12.0, 0.0, 1000.0, unit="contacts / employee / week",
       group="organisation",
       doc="Contacts an employee can handle in a week at full serving effort.",
       source="Modelling choice: at the baseline's 50 customers per employee the firm "
              "uses about 40% of serving time on average, with the departments customers "
              "reach most near full, so failure demand can push them over."),
    _P("key_person_share", float, 0.1, 0.0, 1.0, group="organisation",
       doc="Share of account-holding employees who are key persons.",
       source="Essay 003; modelling choice, swept in the key-person study."),
    _P("key_person_weight", float, 3.0, 1.0, 100.0, unit="x", group="organisation",
       doc="How many times more accounts a key person is given than a colleague.",
       source="Modelling choice: a few people hold most relationships (essay 003)."),
    _P("account_capacity", float, 300.0, 1.0, 100_000.0, unit="accounts", group="organisation",
       doc="Accounts an owner can actively care for; beyond it care is diluted.",
       source="Modelling choice: a key-account manager's portfolio."),
    _P("turnover_rate", float, 0.003, 0.0, 0.2, unit="per employee per week",
       group="organisation",
       doc="Base chance an employee leaves in a week (raised by low engagement).",
       source="About 15% a year, a typical voluntary turnover."),
    _P("new_hire_skill", float, 0.4, 0.0, 1.0, group="organisation",
       doc="Skill in their own department's domain of a new hire.",
       source="Modelling choice: new hires resolve under half of what veterans do."),
    _P("learn_rate", float, 0.05, 0.0, 1.0, unit="per week", group="organisation",
       doc="Rate at which employees close the gap to more skilled colleagues they are "
           "tied to (cross-department ties count by 1 - silo_barrier).",
       source="Modelling choice: a new hire reaches most of a veteran's skill in about a year."),
    # --- product and contacts -----------------------------------------------------
    _P("need_rate", float, 0.08, 0.0, 1.0, unit="per customer per week", group="contacts",
       doc="Chance an active customer has a need (information, purchase, usage help) in a week.",
       source="Modelling choice: about four contacts a year per customer."),
    _P("fault_rate", float, 0.03, 0.0, 1.0, unit="per customer per week", group="contacts",
       doc="Initial chance an active customer meets a product fault in a week.",
       source="Modelling choice: one or two faults a year per customer."),
    _P("fault_rate_min", float, 0.005, 0.0, 1.0, unit="per customer per week",
       group="contacts",
       doc="The floor escalated feedback can bring the fault rate down to.",
       source="Modelling choice: faults never vanish."),
    _P("fault_fix_rate", float, 0.03, 0.0, 1.0, unit="per week", group="contacts",
       doc="Share of the gap to the floor that fully escalated feedback closes in a week.",
       source="Modelling choice: half the gap in about six months at full escalation."),
    _P("self_service", float, 0.3, 0.0, 1.0, group="contacts",
       doc="Share of information and usage needs customers try to meet themselves.",
       source="Essay 004 (customers do more of the work themselves)."),
    _P("self_service_success", float, 0.6, 0.0, 1.0, group="contacts",
       doc="Chance a self-service attempt meets the need; failures become contacts.",
       source="Modelling choice."),
    _P("cross_need", float, 0.3, 0.0, 1.0, group="contacts",
       doc="Chance a contact that lands at the right department still needs knowledge "
           "held in another one.",
       source="Essay 000 (what the customer needs is spread over departments)."),
    _P("repeat_rate", float, 0.7, 0.0, 1.0, unit="per week", group="contacts",
       doc="Chance an unresolved contact comes back in a week as failure demand.",
       source="Essay 002 (failure demand). Modelling choice: a customer chases an open "
              "request soon (nine in ten within two weeks) and never gives up on it but "
              "by leaving; Goodman 2005's 'about half complain again' counts customers "
              "over a problem's life and is not reproduced."),
    # --- complaints ----------------------------------------------------------------
    _P("complaint_rate", float, 0.5, 0.0, 1.0, group="complaints",
       doc="Chance a consumer who meets a product fault raises it with the firm; the "
           "others live with it in silence.",
       source="Goodman 2005 (the TARP '4% complain' is a misquote): about half complain "
              "to a front-line person."),
    _P("complaint_rate_b2b", float, 0.75, 0.0, 1.0, group="complaints",
       doc="Chance a business customer who meets a product fault raises it with the firm.",
       source="Goodman 2005: about 75% in business-to-business."),
    _P("silent_problem_weeks", float, 8.0, 1.0, 520.0, unit="weeks", group="complaints",
       doc="Mean time a fault never raised goes on troubling the customer before it wears "
           "off (a workaround, a new release); the firm never hears of it.",
       source="Modelling choice: about two months. TARP 1984: problems not raised do the "
              "most harm (37% repurchase against 70% resolved)."),
    _P("complaint_escalation", float, 0.25, 0.0, 1.0, group="complaints",
       doc="Chance a customer whose repeat contact is left unresolved again takes the "
           "complaint to management, which puts it right and hears of it.",
       source="Goodman 2005: 1-5% of customers with a problem escalate beyond the front "
              "line; calibrated so that the baseline's share lands in that range "
              "(docs/validation.md)."),
    # --- expectations and satisfaction ----------------------------------------------
    _P("product_quality", float, 0.75, 0.0, 1.0, group="experience",
       doc="Experience of using the product in a week without a fault.",
       source="Modelling choice: a good product, slightly above neutral expectations."),
    _P("base_expectation", float, 0.6, 0.0, 1.0, group="experience", plausible=(0.5, 0.7),
       doc="Expectation a customer holds before any promise.",
       source="Modelling choice: a little below neutral satisfaction, so a good product "
              "pleases; plausible 0.5-0.7 (0.1 either side), swept in the sensitivity study."),
    _P("marketing_promise", float, 0.05, 0.0, 1.0, group="experience",
       doc="How much marketing's promises raise expectations.",
       source="Essay 004 (promises and price set expectations)."),
    _P("sales_promise", float, 0.1, 0.0, 1.0, group="experience",
       doc="How much more an oversold deal promises: expectations rise by sales_promise "
           "x the share of deals sellers choose to oversell (sim.model.effort).",
       source="Essays 001, 004 (the hotel example: overpromising)."),
    _P("expectation_adapt", float, 0.02, 0.0, 1.0, unit="per week", group="experience",
       doc="Rate at which expectations move towards both the promise and experience.",
       source="Modelling choice: expectations anchor for months."),
    _P("loss_aversion", float, 2.0, 1.0, 10.0, unit="x", group="experience",
       doc="How much more an experience below expectation weighs than one above it.",
       source="Kahneman & Tversky 1979; Anderson & Sullivan 1993 (asymmetric disconfirmation)."),
    _P("weakest_link", float, 0.5, 0.0, 1.0, group="experience",
       doc="Weight of the worst touchpoint of the week against the mean of all of them.",
       source="Essay 004 ('customers remember the weakest link')."),
    _P("satisfaction_memory", float, 0.1, 0.0, 1.0, unit="per week", group="experience",
       doc="Rate at which satisfaction follows a week with only the product as touchpoint.",
       source="Modelling choice: about ten weeks of memory."),
    _P("contact_salience", float, 0.2, 0.0, 1.0, unit="per week", group="experience",
       doc="Rate at which satisfaction follows a week with a contact (contacts are salient).",
       source="Modelling choice: one contact moves satisfaction a fifth of the way, twice "
              "as fast as a quiet week."),
    _P("relationship_rate", float, 0.05, 0.0, 1.0, unit="per week", group="experience",
       doc="Rate at which relationship strength follows the account owner's care.",
       source="Modelling choice: relationships build over months (essay 003)."),
    _P("relationship_loss", float, 0.6, 0.0, 1.0, group="experience",
       doc="Share of relationship strength lost when the account owner leaves through "
           "turnover, for knowledge not in the shared record (events cut it to the shared "
           "part: see their own rules).",
       source="Palmatier, Scheer & Steenkamp 2007; Bermiss & Greenbaum 2016."),
    # --- churn --------------------------------------------------------------------
    _P("churn_base", float, 0.001, 0.0, 1.0, unit="per week", group="churn",
       doc="Dissatisfaction hazard of a customer at the reference satisfaction with no loyalty.",
       plausible=(0.0005, 0.002),
       source="With the competitor hazard the baseline loses 8-9% a year, "
              "customer_centric 6-7% and product_centric 12-16%: within the 5-15% a year "
              "of retail banking (Gallup 2015; ABA) and near mobile's 10-12% "
              "(docs/validation.md, pattern 1). The band pins it loosely: plausible "
              "half to twice the default, swept in the sensitivity study."),
    _P("churn_sat_sensitivity", float, 6.0, 0.0, 50.0, unit="per unit satisfaction",
       group="churn",
       plausible=(3.0, 9.0),
       doc="How steeply the hazard rises as satisfaction falls below the reference.",
       source="TARP 1984: repurchase 37% unresolved vs 95% quickly resolved, about 5x. "
              "That ratio sets the order of magnitude, not the value: plausible 3-9 "
              "(half again either side), swept in the sensitivity study."),
    _P("satisfaction_ref", float, NEUTRAL_SATISFACTION, 0.0, 1.0, group="churn",
       plausible=(0.6, 0.8),
       doc="Satisfaction at which the dissatisfaction hazard equals churn_base.",
       source="Modelling choice: expectations met (NEUTRAL_SATISFACTION); where that sits "
              "on a 0-1 scale is a choice: plausible 0.6-0.8, swept in the sensitivity study."),
    _P("loyalty_protection", float, 0.6, 0.0, 1.0, group="churn",
       doc="How much relationship and switching cost cut the hazard at their maximum.",
       source="Brief mechanism 8 (alternative weighed by relationship and switching cost)."),
    _P("competitor_pull", float, 0.0015, 0.0, 1.0, unit="per week", group="churn",
       doc="Hazard of leaving for the competitor at attractiveness 1, whatever the satisfaction.",
       source="Essay 003 (even fully satisfied customers leave)."),
    _P("alternative_attractiveness", float, 0.5, 0.0, 1.0, group="churn",
       doc="How attractive the competitors' offer is.",
       source="Modelling choice: a neutral market."),
    _P("switching_cost", float, 0.3, 0.0, 1.0, group="churn",
       doc="Mean switching cost of customers (Beta-distributed across them).",
       source="Modelling choice."),
    _P("contagion_boost", float, 1.1, 0.0, 10.0, unit="x", group="churn",
       doc="Rise in hazard the week after a neighbour defects (decays over contagion_memory).",
       source="Nitzan & Libai 2011: +80% in the month after a neighbour's defection; "
              "calibrated so that the baseline's hazard ratio over weeks 1-4, measured as "
              "they did, is about 1.8 (docs/validation.md)."),
    _P("contagion_memory", float, 4.0, 0.1, 520.0, unit="weeks", group="churn",
       doc="Time constant of the decay of a neighbour's defection effect.",
       source="Nitzan & Libai 2011: strongest in the first month."),
    # --- word of mouth and acquisition ----------------------------------------------
    _P("wom_reach", float, 1.0, 0.0, 1000.0, unit="people per experience", group="wom",
       doc="People a satisfied customer tells about a good experience.",
       source="Goodman 1999 / TARP 1984 report 4-5 over time; 1 within the week, a choice."),
    _P("wom_negative_ratio", float, 2.0, 0.0, 100.0, unit="x", group="wom",
       doc="How many more people a dissatisfied customer tells.",
       source="Goodman 1999: 10 vs 5; TARP 1984. Essay 004's 1:10 belongs in a scenario."),
    _P("social_amplification", float, 1.0, 1.0, 1000.0, unit="x", group="wom",
       label="Social-media reach (x)", step=1.0, slider=(1.0, 50.0),
       doc="Multiplier on reach from social media; the extra reach goes beyond neighbours.",
       source="Essay 004 (the Dr. Holms tweet); 1 = no amplification."),
    _P("wom_weight", float, 0.2, 0.0, 1.0, group="wom",
       doc="Change in a listener's word-of-mouth score per message heard.",
       source="Modelling choice."),
    _P("wom_memory", float, 8.0, 0.1, 520.0, unit="weeks", group="wom",
       doc="Time constant over which a heard message fades.",
       source="Modelling choice: about two months."),
    _P("wom_loyalty", float, 0.2, 0.0, 1.0, group="wom",
       doc="How much the word-of-mouth score shifts a customer's effective satisfaction.",
       source="Brief mechanism 7 (WOM moves existing customers' loyalty)."),
    _P("wom_conversion", float, 0.02, 0.0, 1.0, unit="per week", group="wom",
       doc="Conversion hazard of a prospect at the maximum positive word-of-mouth score.",
       source="Modelling choice: WOM brings a minority of new customers."),
    _P("wom_deterrence", float, 3.0, 0.0, 50.0, group="wom",
       doc="How strongly negative word of mouth suppresses a prospect's conversion.",
       source="Goldenberg et al. 2007 (negative WOM is costly)."),
    _P("marketing_rate", float, 0.0015, 0.0, 1.0, unit="per prospect per week",
       group="acquisition",
       doc="Conversion hazard of a prospect from marketing and sales at reference effort, "
           "before the pull of promises (x 1.2 at the baseline's promise).",
       source="Modelling choice: acquisitions roughly replace baseline churn."),
    _P("value_mean", float, 1.0, 0.0, 1e6, unit="money / week", group="acquisition",
       doc="Mean revenue per active customer per week (log-normal across customers).",
       source="Normalised unit: revenue figures are relative."),
    _P("gross_margin", float, 0.5, 0.0, 1.0, group="economics",
       doc="Share of revenue left after the cost of the product itself, before the cost "
           "of staff, contacts and winning customers.",
       source="Modelling choice: a service business (a bank, a telecom) keeps about half "
              "its revenue after the product's own cost, 40-60%; with staff at about a "
              "fifth of revenue the baseline earns about a fifth of revenue."),
    _P("contact_cost", float, 0.2, 0.0, 1e6, unit="money / contact", group="economics",
       doc="Cost of a contact besides the employee's time (systems, telephony, postage); "
           "the time is in staff_cost.",
       source="Modelling choice: a fifth of a customer's weekly revenue; a staffed "
              "contact's full cost (with the time) is about two weeks' revenue here."),
    _P("acquisition_cost", float, 25.0, 0.0, 1e6, unit="money / customer", group="economics",
       doc="Cost of winning a new customer (marketing and sales campaigns).",
       source="Goodman 1999: winning a customer costs about 5x keeping one (range 2-20x); "
              "keeping one costs about five contacts a year, about 10 with the staff time."),
    _P("staff_cost", float, 10.0, 0.0, 1e6, unit="money / employee / week", group="economics",
       doc="What an employee costs a week (pay and overheads), the same in every "
           "department, managers included; paid whatever they spend their time on.",
       source="Modelling choice: at the baseline's 50 customers per employee about a "
              "fifth of revenue, as personnel costs are in retail banking and telecoms "
              "(15-30% of income)."),
    _P("goodwill_cost", float, 0.5, 0.0, 1e6, unit="money / resolution", group="economics",
       doc="Cost of a request resolved on the spot by mandate: the goodwill gestures "
           "(a waived fee, a credit) and inconsistent decisions that discretion brings.",
       source="Essay 001 (mandate to act); modelling choice: half a week of the customer's "
              "revenue a time, so the mandate pays only when it saves a hand-off."),
    _P("record_cost", float, 0.02, 0.0, 1e6, unit="money / customer / week", group="economics",
       doc="Running cost of the shared customer record per active customer at "
           "shared_record 1 (scaled by shared_record): licences, systems, data care.",
       source="Modelling choice: 2% of revenue for a full customer record (CRM and data "
              "costs of a few percent of revenue)."),
    # --- time that coordination and upkeep take ----------------------------------------
    _P("bridge_time", float, 0.01, 0.0, 0.1, unit="share of time per tie", group="coordination",
       doc="Share of an employee's week each bridge tie takes (meetings, hand-over time), "
           "for both ends of the tie.",
       source="Modelling choice: a boundary spanner's five ties take a tenth of their week "
              "(essay 002: bridges are work; Fang, Lee & Schilling 2010)."),
    _P("coordination_time", float, 0.005, 0.0, 0.1, unit="share of time per tie",
       group="coordination",
       doc="Share of an employee's week each other cross-department tie takes.",
       source="Modelling choice: a quarter of a bridge tie's: an occasional colleague, not "
              "a standing meeting."),
    _P("record_upkeep", float, 0.05, 0.0, 0.5, unit="share of time", group="coordination",
       doc="Share of every employee's week that keeping the shared customer record takes "
           "at shared_record 1 (scaled by shared_record).",
       source="Modelling choice: writing down what one knows of customers, about two hours "
              "of a forty-hour week for a full record."),
    _P("record_decay", float, 0.02, 0.0, 1.0, unit="per week", group="coordination",
       doc="Rate at which what the shared record holds follows shared_record x the share "
           "of its upkeep done: when overloaded staff skip it, the record goes stale.",
       source="Modelling choice: a record left alone loses half its worth in about 35 "
              "weeks; building one to its level takes as long."),
    _P("managers", float, 3.0, 0.0, 100.0, unit="per 100 employees", group="coordination",
       doc="Managers who act on escalated feedback and on complaints taken to management, "
           "per 100 employees (paid staff_cost like everyone).",
       source="Modelling choice: a small management team; the brief's management department."),
    _P("management_capacity", float, 25.0, 0.0, 10_000.0, unit="items / manager / week",
       group="coordination",
       doc="Escalated items (a complaint taken to management, feedback that reaches "
           "product) a manager can act on in a week; beyond it they are not acted on.",
       source="Modelling choice: about five an hour-long working day; at the baseline "
              "management uses most of it, so escalating everything overloads it."),
    # --- effort choice ---------------------------------------------------------------------
    _P("incentive_strength", float, 1.5, 0.0, 20.0, group="effort",
       doc="How strongly employees lean their effort towards what the reward pays "
           "(the logit choice's sensitivity; sim.model.effort).",
       source="Holmstrom & Milgrom 1991 (multitask incentives). Modelling choice: under a "
              "pure volume bonus sales spend about 85% of their time selling, under a "
              "pure customer bonus about 20% (the model's former fixed shares: 80%, 30%)."),
    _P("effort_adapt", float, 0.1, 0.0, 1.0, unit="per week", group="effort",
       doc="Rate at which employees move their effort and promises towards what pays "
           "and update what they see it achieve; 0 freezes the choice at the job's "
           "neutral shares.",
       source="Modelling choice: people re-balance their work over a quarter (90% in "
              "about 22 weeks), as in reinforcement learning models of choice (Erev & "
              "Roth 1998)."),
    _P("b2b_share", float, 0.3, 0.0, 1.0, group="acquisition",
       doc="Share of customers and prospects that are businesses with a key contact of their own.",
       source="Modelling choice: a mixed customer base (essay 003 speaks of B2B key contacts)."),
    # --- customer network ---------------------------------------------------------
    _P("customer_network", str, "small_world", choices=("small_world", "scale_free"),
       group="network",
       doc="Shape of the social network of customers and prospects.",
       source="Watts & Strogatz 1998; Goh, Kahng & Kim 2001 (static scale-free model)."),
    _P("customer_degree", float, 10.0, 2.0, 200.0, unit="ties", group="network",
       doc="Mean number of social ties per customer or prospect.",
       source="Modelling choice: a close circle of about ten."),
    _P("rewire", float, 0.1, 0.0, 1.0, group="network",
       doc="Small-world rewiring probability.",
       source="Watts & Strogatz 1998: small-world from 0.01 to 0.1."),
)

# Every parameter a scenario may set: the model's own (PARAMS_LIST, documented in
# docs/ODD.md) and those an extension registers (register_params; the dict is updated
# in place, so every module that imported it sees a registration). DEFAULTS are the
# model's own only: a scenario holds an extension's parameters where it sets them, and
# a model class fills in the defaults of the parameters it declares, so importing an
# extension changes nothing for runs of other model classes.
PARAMS: dict[str, Param] = {p.name: p for p in PARAMS_LIST}
DEFAULTS: dict[str, Any] = {p.name: p.default for p in PARAMS_LIST}
# The organisation's design levers, declared once (Param.lever), in PARAMS_LIST order:
# the presets differ in these, a client's alternatives take them from another preset, a
# transformation moves them, and the classroom page has a slider for each.
LEVERS: tuple[str, ...] = tuple(p.name for p in PARAMS_LIST if p.lever)
REWARD_ALIASES = dict(PARAMS["reward_mix"].aliases)  # derived; for older imports


class ParameterError(ValueError):
    """A parameter value that is unknown, of the wrong type or out of range."""


def role(name: str) -> str:
    """What a parameter is to a study: a design ``lever`` of the organisation, the
    firm's ``scale``, or a ``constant`` of the model's mechanisms (its calibration:
    those with a plausible range are the loosely pinned ones)."""
    p = PARAMS.get(name)
    if p is None:
        return "unknown"
    if p.lever:
        return "lever"
    return "scale" if p.group in ("scale", "staff") else "constant"


def register_params(*params: Param) -> None:
    """Add an extension's parameters: from then on scenario files, ``--set`` and
    studies know them and check their values like the model's own.
    Registering the same definition again does nothing; another definition under a
    name already taken is refused."""
    for p in params:
        if not isinstance(p, Param):
            raise ParameterError(f"register_params: {p!r} is not a Param")
        known = PARAMS.get(p.name)
        if known == p:
            continue
        if known is not None:
            raise ParameterError(f"parameter {p.name!r} is already defined (group "
                                 f"{known.group!r}); choose another name")
        if not p.name.isidentifier():
            raise ParameterError(f"parameter name {p.name!r} must be an identifier")
        if p.lever:  # client alternatives, transformations and the page move LEVERS only
            raise ParameterError(f"parameter {p.name!r}: lever=True is for the model's own "
                                 "design levers (params.LEVERS); vary an extension's "
                                 "parameter in studies instead")
        if p.kind not in (int, float, str):
            raise ParameterError(f"parameter {p.name!r}: kind must be int, float or str")
        if p.kind is not str and (p.low is None or p.high is None or not p.low <= p.high):
            raise ParameterError(f"parameter {p.name!r}: give low <= high")
        check(p, p.default, f"parameter {p.name!r}: default")  # the default is allowed
        PARAMS[p.name] = p


def show(value: Any) -> str:
    """repr() for error messages; never fails (an int too long for str() raises)."""
    try:
        return repr(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits()
        return f"<{type(value).__name__} too long to show>"


def coerce(name: str, value: Any) -> Any:
    """Check one parameter value and return it in its canonical type.

    Raises ParameterError with a one-line message naming the parameter and what is allowed.
    """
    if name not in PARAMS:
        raise ParameterError(f"unknown parameter {name!r}; see `orgsim params` for the list")
    p = PARAMS[name]
    aliases = dict(p.aliases)
    if isinstance(value, str) and value in aliases:
        return check(p, aliases[value], name)
    hint = " or " + " / ".join(repr(k) for k in aliases) if aliases else ""
    return check(p, value, name, hint)


def check(p: Param, value: Any, label: str, hint: str = "") -> Any:
    """Check a value against a parameter's type and range and return it in its
    canonical type; ``label`` names it in the one-line ParameterError. Numbers of any
    kind (numpy's too) are accepted; booleans are not numbers here."""
    if p.kind is str:
        if not isinstance(value, str) or value not in p.choices:
            raise ParameterError(f"{label} = {show(value)} is not allowed; allowed: {p.allowed()}")
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{label} = {show(value)} has the wrong type; allowed: {p.allowed()}{hint}")
    if p.kind is int:
        if not isinstance(value, numbers.Integral):
            if not math.isfinite(value) or not float(value).is_integer():
                raise ParameterError(f"{label} = {show(value)} must be whole; allowed: {p.allowed()}")
        value = int(value)
    else:
        try:
            value = float(value)
        except OverflowError:  # an int beyond any float
            raise ParameterError(
                f"{label} = {show(value)} is out of range; allowed: {p.allowed()}") from None
        if not math.isfinite(value):
            raise ParameterError(f"{label} = {show(value)} is not finite; allowed: {p.allowed()}")
    if not (p.low <= value <= p.high):
        raise ParameterError(f"{label} = {show(value)} is out of range; allowed: {p.allowed()}")
    return value


def parse_text(name: str, text: str) -> Any:
    """Parse a value given as text (``--set name=value``) and check it."""
    if name not in PARAMS:
        return coerce(name, text)
    p = PARAMS[name]
    if p.kind is str or text in dict(p.aliases):
        return coerce(name, text)
    try:
        value: Any = int(text) if p.kind is int else float(text)
    except ValueError:
        try:
            value = float(text)  # "3.0" for an int parameter; coerce checks wholeness
        except ValueError:
            raise ParameterError(
                f"{name} = {text!r} is not a number; allowed: {p.allowed()}") from None
    return coerce(name, value)


def resolve(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults updated by checked overrides; a fresh dict."""
    params = dict(DEFAULTS)
    for name, value in (overrides or {}).items():
        params[name] = coerce(name, value)
    return params
