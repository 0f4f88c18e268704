"""Every word the classroom page shows, in one place, each through ``_``.

``_`` returns its text unchanged for now: the translations (Swedish, Norwegian bokmål,
English through gettext catalogues) replace it, so no page text is built anywhere else.
Texts with slots use ``str.format`` names, never pieces glued together in code.
The lessons' own texts are data files (``sim/app/lessons/*.toml``).
"""

from __future__ import annotations


def _(s: str) -> str:
    """The text in the page's language (English until the catalogues arrive)."""
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
