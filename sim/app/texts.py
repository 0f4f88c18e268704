"""Every word the classroom page shows, in one place, each through ``_``.

Each text is declared once here, in English (the msgid); ``of(code)`` gives all of them
in language ``code`` (``sim.i18n.LANGUAGES``: en, sv, nb) from the gettext catalogues,
with ``lang`` (a ``sim.i18n.Lang``) for the locale's numbers. ``_`` only marks a text for
extraction (``scripts/update_catalogues.sh``). Texts with slots use ``str.format`` names,
never pieces glued together in code. The lessons' own texts are data files
(``sim/app/lessons/*.toml``), translated through the same catalogues (``lesson_texts``);
their essay passages stay in the language they were written in.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace


def _(s: str) -> str:
    """Mark ``s`` as a page text (extracted into the catalogues); ``of`` translates it."""
    return s


TITLE = _("orgsim: customers in product- and customer-centric firms")

# --- controls -------------------------------------------------------------------------
RESET = _("Reset")
PLAY = "▶"
PAUSE = "❚❚"
STEP = _("Step")
SPEED = _("Speed: {value} weeks per second")
WEEK = _("Week {week}")
PAUSED_AT = _("Paused at week {week}")
PLAYING = _("Playing")
KEYS_HINT = _("Keys: space plays or pauses, → steps one week.")
SCENARIO = _("Scenario (the sliders show its values)")
CUSTOM_LABEL = _("custom: {scenario} + {changes}")
AS_IS = _("{scenario}, as it is")
PENDING = _("Not running yet: press Reset to run {what}.")
RUNNING = _("Running: {what}")
CUSTOMERS = _("Customers (and as many prospects)")
SEED = _("Random seed")
SLIDER_VALUE = _("{label}: {value}")
SCALE_OF_ONE = _("{value} on a scale of 0 to 1")
WITH_UNIT = _("{value} {unit}")
ORGANISATION_CARD = _("The organisation and its market")
LANGUAGE = _("Language")

# --- readouts (NetLogo's monitors) ------------------------------------------------------
READOUTS = {
    "active_customers": _("Active customers"),
    "retention": _("Retention"),
    "mean_satisfaction": _("Satisfaction"),
    "nps": _("NPS"),
    "failure_demand_share": _("Failure demand"),
    "profit": _("Profit this week"),
}
READOUT_HINTS = {
    "active_customers": _("customers buying now"),
    "retention": _("of the starting customers still here"),
    "mean_satisfaction": _("mean, 0 to 1"),
    "nps": _("promoters minus detractors, -100 to 100"),
    "failure_demand_share": _("of contacts are repeats and faults"),
    "profit": _("margin minus the costs of contacts, staff and sales"),
}

# --- the dashboard ------------------------------------------------------------------------
DISRUPT_CARD = _("Fire a disruption now (its default parameters; effects from the next step)")
DISRUPTIONS = {
    "key_person_loss": _("Key person leaves"),
    "customer_contact_change": _("Customers' contacts change"),
    "merger": _("Merger"),
    "competitor_leap": _("Competitor leap"),
    "substitute": _("Substitute appears"),
    "viral_complaint": _("Viral complaint"),
}
SAVE = _("Save as scenario (TOML for orgsim run and studies)")
ONE, SIDE = _("One organisation"), _("Side by side")
CLICK_HINT = _("Click a customer or an employee in a network to see its state.")
SHOW_OWNERS = _("Show account owners (who looks after which customer)")
COMPARE_WITH = _("Compare with (same size, seed and events; disruptions fire in both)")
LEFT, RIGHT = _("Left: {name}"), _("Right: {name}")
CLEAR = _("Clear selection")
ERROR_IN_ACTION = _("That did not work ({what}); the page goes on. The details are in the "
                    "terminal that runs orgsim app.")
TRY_AGAIN = _("Try again")
TAB_RATE = _("This tab steps at most {rate} weeks a second: the machine is shared by the "
             "class.")

# --- lessons --------------------------------------------------------------------------------
LESSON_PICKER = _("Lesson")
NO_LESSON = _("(no lesson: free play)")
LESSON_SHOW_FIRST = _("Show first")
LESSON_NOTICE = _("Things to notice")
LESSON_TRY = _("Things to try")
LESSON_QUESTIONS = _("Questions for the class")
LESSON_PASSAGES = _("From the essays")
LESSON_UNKNOWN = _("lesson {name} is not one this page has; lessons: {names}")

# --- About (NetLogo's Info tab) ---------------------------------------------------------------
ABOUT = _("About this model")
ABOUT_SECTIONS: tuple[tuple[str, str], ...] = (
    (_("What is it?"), _(
        "An agent-based model of how the way a firm is organised decides how many customers "
        "it keeps. Six departments (sales, marketing, product, support, delivery, billing) "
        "of employees serve customers who sit on a social network; one step is one week.")),
    (_("How it works"), _(
        "Customers' requests often need knowledge held in another department: a *silo "
        "barrier* makes those hand-offs fail, *bridges* (boundary spanners) make them work. "
        "What is not resolved comes back as *failure demand*, eats capacity and lowers "
        "satisfaction. The *reward* scheme pulls effort between selling and serving, the "
        "*mandate* lets staff resolve on the spot, and *escalated feedback* slowly fixes the "
        "product. Promises raise expectations, and the weakest touchpoint weighs most. "
        "Unhappy customers tell more people than happy ones, and social media multiplies "
        "it; customers leave when the alternative looks better, and disruptions (a key "
        "person leaving, a merger, a competitor's leap, a substitute, a viral complaint) "
        "take even satisfied customers.")),
    (_("How to use it"), _(
        "Pick a scenario (the sliders move to its values) or a lesson, then press **Step** "
        "or **▶** (space plays and pauses, → steps). Moving a slider makes a custom "
        "scenario; before week 1 it runs at once, later press **Reset**. The speed is in "
        "weeks per second. Fire a disruption with its button; click a customer or an "
        "employee to see its state; *Side by side* runs a second organisation with the "
        "same seed and the same disruptions. *Save as scenario* gives a file for "
        "`orgsim run`.")),
    (_("Things to notice"), _(
        "The failure-demand share climbs first and satisfaction follows; churn by cause "
        "shows which customers left for the firm's own reasons and which for the "
        "market's; a disruption's dip is deeper and lasts longer in the product-centric "
        "firm.")),
    (_("Things to try"), _(
        "Close the silos (silo barrier to 1) with no bridges, then add bridges one at a "
        "time; move the reward from volume to customer value; fire a key person's exit "
        "in both firms side by side; raise social-media reach and fire a viral "
        "complaint. Each lesson in the picker is a prepared version of one of these.")),
    (_("Extending the model"), _(
        "Add a mechanism as a model class of your own and run it here with `orgsim app "
        "--model file.py:MyModel` (its extra outputs show in the page): see "
        "`docs/extending.md`. Scenarios and studies are plain TOML files (`docs/studies.md`); "
        "`docs/ODD.md` describes every rule and parameter with its source.")),
    (_("Related models"), _(
        "NetLogo's Models Library: Virus on a Network (spread on a network, as word of "
        "mouth here), Team Assembly (how ties within and across groups form); the Bass "
        "diffusion model (Bass 1969), used here for a substitute's spread.")),
    (_("Credits and sources"), _(
        "Five trade-press essays on customer orientation (Swedish and Norwegian, 2012 on): "
        "silos and scattered information, volume bonuses, bridges and failure demand, key "
        "persons, mergers and substitutes, the weakest link and the viral tweet. TARP "
        "(1984), Goodman (1999, 2005): complaints and repurchase. Nitzan & Libai (2011): a "
        "neighbour's defection raises one's own hazard. Seddon, and Vanguard's practitioner "
        "figures: failure demand. Bass (1969); Sultan, Farley & Lehmann (1990). Gallup "
        "(2015): customers lost after bank mergers. Palmatier et al. (2007): key persons. "
        "Fang, Lee & Schilling (2010): links between semi-isolated groups. Built with Mesa "
        "and Solara.")),
)
ABOUT_SCENARIOS = _("The scenarios")

# --- the one-line texts and a clicked agent's state (sim.app.views) ---------------------------
EVENTS = _("Events: {done}")
EVENTS_AND_SCHEDULED = _("Events: {done}. Scheduled: {scheduled}")
NONE_YET = _("none yet")
EVENT_AT = _("{kind} at week {week}")
STATUS = _("Week {week}: {active} active customers, retention {retention}, satisfaction "
           "{satisfaction}, NPS {nps}, failure demand {failure} of contacts")
NAMED_VALUE = _("{name}: {value}")
ORG = _("Organisation: {employees} employees, {cross} cross-department ties, {bridges} "
        "bridge ties")
SETTINGS = _("Running: {scenario} (silo barrier {silo}, bridges {bridges}, reward {reward}, "
             "mandate {mandate}, escalation {escalation}, amplification {amplification}; "
             "{customers} customers, {employees} employees)")
CUSTOMER = _("Customer {index} ({segment}): {status}")
SEGMENTS = {True: _("business"), False: _("consumer")}
CUSTOMER_STATES = {"prospect": _("prospect"), "active": _("active"), "churned": _("left the firm"),
                   "out of market": _("out of market")}
LEFT_IN = _("Left in week {week}, cause: {cause}")
SATISFACTION_LINE = _("Satisfaction {satisfaction}, expectation {expectation} (0 to 1)")
OWNER = _("Account owner: employee {index} ({department}), relationship {relationship}")
OWNER_KEY = _("Account owner: employee {index} ({department}, key person), relationship "
              "{relationship}")
NO_OWNER = _("Account owner: none")
OPEN_CONTACT = _("Open contact: waiting since week {week}, needs {department}'s knowledge")
NO_OPEN_CONTACT = _("Open contact: none")
SILENT_PROBLEM = _("Living with a product fault it never raised: the firm does not know")
TENURE = _("Customer for {weeks} weeks, worth {value} a week, switching cost {cost}, word "
           "of mouth heard {heard}")
EMPLOYEE = _("Employee {index}: {department}")
EMPLOYEE_KEY = _("Employee {index}: {department}, key person")
ACCOUNTS = _("Accounts: {n} active customers")
CAPACITY = _("Capacity used this week: {handled} of {capacity} contacts ({arrived} reached "
             "them)")
SKILLS = _("Skill {skill}, knowledge of other departments {knowledge}, engagement "
           "{engagement}, {tenure} weeks in the firm")
COLLEAGUES = _("Colleagues: {n}, of whom {other} in other departments")
DEPARTMENTS = {"sales": _("sales"), "marketing": _("marketing"), "product": _("product"),
               "support": _("support"), "delivery": _("delivery"), "billing": _("billing")}
# churn causes, as the charts' legends and a churned customer's state name them
CAUSES = {"dissatisfaction": _("dissatisfaction"), "competitor": _("competitor"),
          "contagion": _("contagion"), "key_person": _("key person"),
          "contact_change": _("contact change"), "merger": _("merger"),
          "substitute": _("substitute"), "viral": _("viral")}

# --- the pictures (sim.app.figures) --------------------------------------------------------
WEEK_AXIS = _("Week")
KEY_PERSON = _("key person")
CROSS_TIE = _("cross-department tie")
BRIDGE = _("bridge")
SATISFACTION_SCALE = _("satisfaction")
CHURNED = _("churned")
PROSPECT = _("prospect")
CUSTOMERS_TITLE = _("Customers (a patch of {n}): {active} active, {churned} churned")
ACCOUNTS_TITLE = _("Who looks after whom: {n} active customers in the patch and their "
                   "account owners")
ACTIVE_LINE = _("active customers")
RETENTION_LINE = _("retention of starting customers")
RETENTION_AXIS = _("Retention (%)")
ACTIVE_TITLE = _("Active customers and retention")
ACTIVE_AXIS = _("Active customers")
CHURN_TITLE = _("Customers lost, by cause (cumulative)")
CHURN_AXIS = _("Customers lost")
SATISFACTION_LINE_LABEL = _("mean satisfaction (0-1)")
NPS_LINE = _("net promoter score")
NPS_AXIS = _("NPS (-100 to 100)")
SATISFACTION_TITLE = _("Satisfaction and net promoter score")
SATISFACTION_AXIS = _("Mean satisfaction")
FAILURE_TITLE = _("Failure demand: repeat and fault contacts")
FAILURE_AXIS = _("Share of all contacts (%)")
SOURCES = (_("marketing"), _("word of mouth"))
ACQUISITION_TITLE = _("New customers per week, by source")
ACQUISITION_AXIS = _("New customers per week")
CMP_RETENTION_TITLE = _("Retention: starting customers still with the firm")
CMP_SATISFACTION_TITLE = _("Mean satisfaction of active customers")
CMP_SATISFACTION_AXIS = _("Satisfaction (0-1)")


@lru_cache(maxsize=None)
def of(code: str = "en") -> SimpleNamespace:
    """Every text of this module in language ``code`` (one of ``sim.i18n.LANGUAGES``;
    any other is a LanguageError), by the same names, with ``code`` and ``lang`` (the
    language's ``sim.i18n.Lang``: numbers, percentages, scenario and parameter words)."""
    from ..i18n import check_language, lang, translated

    check_language(code)
    words = {k: translated(v, code) for k, v in globals().items()
             if k.isupper() and isinstance(v, (str, dict, tuple))}
    return SimpleNamespace(code=code, lang=lang(code), **words)


EN = of("en")  # the source language: what code outside the page gets by default


def cause(t: SimpleNamespace, name: str) -> str:
    """A churn cause in words (a model class's own cause: its name, spaced)."""
    return t.CAUSES.get(name, name.replace("_", " "))


def department(t: SimpleNamespace, name: str) -> str:
    """A department in words."""
    return t.DEPARTMENTS.get(name, name)


def readouts(row, t: SimpleNamespace = EN) -> dict[str, str]:
    """The big-number readouts of a week's row, written as language ``t`` writes numbers."""
    n = t.lang
    return {
        "active_customers": n.num(int(row["active_customers"])),
        "retention": n.pct(float(row["retention"])),
        "mean_satisfaction": n.num(float(row["mean_satisfaction"]), 2),
        "nps": n.signed(float(row["nps"])),
        "failure_demand_share": n.pct(float(row["failure_demand_share"])),
        "profit": n.money(float(row["profit"])),
    }


def lesson_texts(lesson, t: SimpleNamespace = EN) -> dict:
    """A lesson's texts in language ``t`` (title, show_first, notice, try, questions),
    through the catalogues; its essay passages are not translated."""
    g = t.lang._
    return {"title": g(lesson.title), "show_first": g(lesson.show_first),
            "notice": [g(x) for x in lesson.notice], "try": [g(x) for x in lesson.try_],
            "questions": [g(x) for x in lesson.questions]}


def scenario_words(t: SimpleNamespace, description: str) -> str:
    """A named scenario's description in language ``t`` (context "scenario description")."""
    return t.lang.p_("scenario description", description)


def parameter(t: SimpleNamespace, label: str) -> str:
    """A parameter's slider label in language ``t`` (context "parameter")."""
    return t.lang.p_("parameter", label)


def unit(t: SimpleNamespace, name: str) -> str:
    """A parameter's unit in language ``t`` (context "unit")."""
    return t.lang.p_("unit", name)
