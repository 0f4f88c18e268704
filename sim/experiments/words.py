"""Names of a study's metrics and parameters as a report and its figures write them, in
one of sim.i18n.LANGUAGES: in English the name in words (``annual_churn_rate`` ->
"annual churn rate"), in another language the catalogue's words for the end-of-run
figures and the parameters that have a slider label; anything else in words as it is."""

from __future__ import annotations

from ..i18n import N_, Lang, lang

METRIC_WORDS = {
    "weeks": N_("weeks"), "active_customers_start": N_("active customers start"),
    "active_customers": N_("active customers"), "retention": N_("retention"),
    "annual_churn_rate": N_("annual churn rate"), "churned": N_("churned"),
    "churn_dissatisfaction": N_("churn dissatisfaction"), "churn_competitor": N_("churn competitor"),
    "churn_contagion": N_("churn contagion"), "churn_key_person": N_("churn key person"),
    "churn_contact_change": N_("churn contact change"), "churn_merger": N_("churn merger"),
    "churn_substitute": N_("churn substitute"), "churn_viral": N_("churn viral"),
    "acquired": N_("acquired"), "acquired_marketing": N_("acquired marketing"),
    "acquired_wom": N_("acquired wom"), "mean_satisfaction": N_("mean satisfaction"),
    "nps": N_("nps"), "revenue_per_week": N_("revenue per week"),
    "revenue_total": N_("revenue total"), "customer_lifetime_value": N_("customer lifetime value"),
    "profit_total": N_("profit total"), "customer_lifetime_profit": N_("customer lifetime profit"),
    "failure_demand_share": N_("failure demand share"),
    "first_contact_resolution": N_("first contact resolution"),
    "mean_wait_weeks": N_("mean wait weeks"), "employee_turnover": N_("employee turnover"),
    "product_fault_rate": N_("product fault rate"),
}


def words(name: str) -> str:
    return name.replace("_", " ")


def metric_words(name: str, t: Lang | None = None) -> str:
    """A metric's name as the text says it."""
    t = t or lang("en")
    return t._(METRIC_WORDS[name]) if name in METRIC_WORDS else words(name)


def param_words(name: str, t: Lang | None = None) -> str:
    """A parameter's name as the text says it: in English its name in words, in another
    language its translated slider label (without the part in brackets) if it has one."""
    from ..model.params import PARAMS

    t = t or lang("en")
    p = PARAMS.get(name)
    if t.code == "en" or p is None or not p.label:
        return words(name)
    label = t.p_("parameter", p.label).split(" (")[0]
    return label[:1].lower() + label[1:]


def number(x, t: Lang | None = None) -> str:
    """A parameter's value as format(x, 'g') writes it, in the language's digits."""
    t = t or lang("en")
    if isinstance(x, (str, bool)):
        return str(x)
    try:
        value = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{x:g}" if t.code == "en" else t.sig(value, 6)
