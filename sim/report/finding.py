"""The finding in plain words, built from the numbers: which organisation keeps more
customers, by how much and how sure we are, where the difference comes from, and
what the events cost. Every sentence depends on the numbers it states; every sentence
is one message of the catalogue (``sim.i18n``), its numbers written as the language
writes them. ``t`` is the report's language (English if not given)."""

from __future__ import annotations

from ..i18n import N_, Lang, lang
from .numbers import CAUSE_CHURN, Estimate, EventEffect, Numbers

EVENT_WORDS = {"key_person_loss": N_("key people leave"), "customer_contact_change":
               N_("customers' key contacts change"), "merger": N_("the merger"),
               "competitor_leap": N_("the competitor's leap"), "substitute": N_("the substitute"),
               "viral_complaint": N_("the viral complaint"), "announce_promise": N_("the new promise"),
               "transformation": N_("the transformation")}
# Event kinds as nouns (figure titles): in English the kind itself, in words.
EVENT_NAMES = {"key_person_loss": N_("key person loss"), "customer_contact_change":
               N_("customer contact change"), "merger": N_("merger"),
               "competitor_leap": N_("competitor leap"), "substitute": N_("substitute"),
               "viral_complaint": N_("viral complaint"), "announce_promise": N_("announce promise"),
               "transformation": N_("transformation")}


def _t(t: Lang | None) -> Lang:
    return t or lang("en")


def event_words(kind: str, t: Lang | None = None) -> str:
    """An event kind as the report names it ('the merger'); an unknown kind as it is."""
    return _t(t)._(EVENT_WORDS[kind]) if kind in EVENT_WORDS else kind


def event_name(kind: str, t: Lang | None = None) -> str:
    """An event kind as a noun ('key person loss'); an unknown kind in words."""
    return _t(t)._(EVENT_NAMES[kind]) if kind in EVENT_NAMES else kind.replace("_", " ")


def churn_words(cause: str, t: Lang | None = None) -> str:
    """Churn of one cause as the report names it ('dissatisfaction churn')."""
    t = _t(t)
    return t._(CAUSE_CHURN[cause]) if cause in CAUSE_CHURN else t._("{cause} churn", cause=cause)


def pct(x: float, digits: int = 0, t: Lang | None = None) -> str:
    return _t(t).pct(x, digits)


def pct_ci(e: Estimate, digits: int = 0, t: Lang | None = None) -> str:
    """'78% (95% CI 76-80%)'."""
    t = _t(t)
    if e.n < 2:
        return t.pct(e.mean, digits)
    values = dict(mean=t.pct(e.mean, digits), low=t.num(100 * e.low, digits),
                  high=t.pct(e.high, digits))
    if e.low >= 0:
        return t._("{mean} (95% CI {low}-{high})", **values)
    return t._("{mean} (95% CI {low} to {high})", **values)


def points_ci(e: Estimate, t: Lang | None = None) -> str:
    """A difference of shares in percentage points with its interval."""
    t = _t(t)
    if e.n < 2:
        return t._("{diff} points", diff=t.num(100 * e.mean, 1))
    return t._("{diff} points (95% CI {low} to {high})", diff=t.num(100 * e.mean, 1),
               low=t.num(100 * e.low, 1), high=t.num(100 * e.high, 1))


def and_list(items: list[str], t: Lang | None = None) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return _t(t).list(items)


def years_text(years: float, t: Lang | None = None) -> str:
    t = _t(t)
    if abs(years - round(years)) < 0.05:
        return t.n_("one year", "{n} years", round(years))
    return t._("{years} years", years=t.num(years, 1))


def headline(nb: Numbers, t: Lang | None = None) -> str:
    """Who keeps how many of their starting customers, best first."""
    t = _t(t)
    first = nb.by_name(nb.ranking[0])
    others = [nb.by_name(n) for n in nb.ranking[1:]]
    against = t.list([t._("{share} for {organisation}", share=pct_ci(o.metrics["retention"], t=t),
                          organisation=o.label) for o in others])
    return t._("After {years}, {organisation} keeps {share} of its starting customers, "
               "against {others}.", years=years_text(nb.years, t), organisation=first.label,
               share=pct_ci(first.metrics["retention"], t=t), others=against)


def certainty(nb: Numbers, t: Lang | None = None) -> str:
    """Whether the gap between the best and the worst is larger than chance."""
    t = _t(t)
    best, worst = nb.by_name(nb.ranking[0]), nb.by_name(nb.ranking[-1])
    gap = nb.retention_gap
    if nb.posterior is not None:
        if gap.excludes_zero():
            return t._("The gap between {best} and {worst} is {gap} over the plausible parameter "
                       "sets, with the same seeds in both: neither luck nor what is not known of "
                       "the parameters explains it away.", best=best.label, worst=worst.label,
                       gap=points_ci(gap, t))
        return t._("The gap between {best} and {worst}, {gap} over the plausible parameter sets, "
                   "is within what seed noise and the parameter uncertainty give: on what is "
                   "known the model does not tell them apart.", best=best.label, worst=worst.label,
                   gap=points_ci(gap, t))
    if gap.excludes_zero():
        return t._("The gap between {best} and {worst} is {gap} with the same seeds in both, "
                   "so it is not luck.", best=best.label, worst=worst.label, gap=points_ci(gap, t))
    return t.n_("The gap between {best} and {worst}, {gap}, is within what chance gives at "
                "{n} replication: on these numbers the model does not tell them apart.",
                "The gap between {best} and {worst}, {gap}, is within what chance gives at "
                "{n} replications: on these numbers the model does not tell them apart.",
                nb.replications, best=best.label, worst=worst.label, gap=points_ci(gap, t))


def sources(nb: Numbers, t: Lang | None = None) -> str:
    """Where the extra churn of the worst scenario comes from."""
    t = _t(t)
    best, worst = nb.by_name(nb.ranking[0]), nb.by_name(nb.ranking[-1])
    total = sum(e.mean for e in nb.cause_gap.values())
    if total <= 0:
        return t._("{worst} loses no more customers than {best} in all.", worst=worst.label,
                   best=best.label)
    main = max(nb.cause_gap, key=lambda c: nb.cause_gap[c].mean)
    share = nb.cause_gap[main].mean / total
    values = dict(churn=churn_words(main, t), n=t.num(nb.cause_gap[main].mean),
                  total=t.num(total), worst=worst.label, share=t.pct(share))
    if share >= 0.5:
        text = t._("Most of the difference is {churn}: {n} of the {total} more customers "
                   "{worst} loses per run ({share}).", **values)
    else:
        text = t._("The largest part of the difference is {churn}: {n} of the {total} more "
                   "customers {worst} loses per run ({share}).", **values)
    fd = dict(worst=worst.label, best=best.label,
              fd_worst=t.pct(worst.metrics["failure_demand_share"].mean),
              fd_best=t.pct(best.metrics["failure_demand_share"].mean))
    if nb.failure_gap.excludes_zero() and nb.failure_gap.mean >= 0.05:
        text += " " + t._("Behind it is failure demand: {fd_worst} of {worst}'s contacts are "
                          "repeat or fault contacts, against {fd_best} for {best}.", **fd)
    elif nb.failure_gap.excludes_zero() and nb.failure_gap.mean <= -0.05:
        text += " " + t._("Failure demand does not explain it: it is lower for {worst} "
                          "({fd_worst} of contacts against {fd_best}).", **fd)
    else:
        text += " " + t._("Failure demand is about the same in both ({fd_worst} and "
                          "{fd_best} of contacts).", **fd)
    return text


def _event_part(e: EventEffect, t: Lang) -> str:
    """What one event did to one scenario."""
    values = dict(organisation=e.label, dip=pct_ci(e.dip, 1, t))
    if e.churn_weeks is not None:
        over = t.n_("its extra churn was over after {n} week",
                    "its extra churn was over after {n} weeks", e.churn_weeks)
    else:
        over = t.n_("its extra churn had not ended {n} week later",
                    "its extra churn had not ended {n} weeks later", e.weeks_after)
    if e.dip.mean <= 0:
        return t._("{organisation} loses {dip} of its customers; {over}", over=over, **values)
    if e.regained_weeks is not None:
        back = t.n_("it had won them back after {n} week", "it had won them back after {n} weeks",
                    e.regained_weeks)
    else:
        back = t._("{missing} were still missing at the end",
                   missing=t.pct(max(e.gap_end.mean, 0), 1))
    return t._("{organisation} loses {dip} of its customers; {over}, and {back}", over=over,
               back=back, **values)


def event_sentence(effects: list[EventEffect], t: Lang | None = None) -> str:
    """One sentence per kind of event, comparing the scenarios it struck."""
    t = _t(t)
    out = []
    for kind in dict.fromkeys(e.kind for e in effects):
        group = sorted((e for e in effects if e.kind == kind), key=lambda e: e.dip.mean)
        out.append(t._("When {event} (week {week}), {parts}.", event=event_words(kind, t),
                       week=group[0].at, parts="; ".join(_event_part(e, t) for e in group)))
    return " ".join(out)


def share_words(share: float, what: str | None = None, t: Lang | None = None) -> str:
    """'in 87% of the plausible parameter sets', or 'in all' / 'in none' of them;
    ``what`` None: the plausible parameter sets, else 'them'."""
    t = _t(t)
    if what is None:
        if share >= 1:
            return t._("in all of the plausible parameter sets")
        if share <= 0:
            return t._("in none of the plausible parameter sets")
        return t._("in {share} of the plausible parameter sets", share=t.pct(share))
    if share >= 1:
        return t._("in all of them")
    if share <= 0:
        return t._("in none of them")
    return t._("in {share} of them", share=t.pct(share))


def over_posterior(nb: Numbers, t: Lang | None = None) -> str:
    """How often the advantage holds across the posterior, and the gap before and
    after the parameter uncertainty is counted."""
    t = _t(t)
    p = nb.posterior
    best, worst = nb.by_name(nb.ranking[0]), nb.by_name(nb.ranking[-1])
    text = t._("Across the posterior ({draws} parameter sets drawn from {path}, {n} seeds each; "
               "the intervals include the parameter uncertainty), {best} keeps more customers "
               "than {worst} {keeps} and earns more profit {earns}", draws=p.draws, path=p.path,
               n=nb.replications, best=best.label, worst=worst.label,
               keeps=share_words(p.keeps_more, t=t), earns=share_words(p.earns_more, "them", t))
    text += ("." if p.both in (p.keeps_more, p.earns_more) else
             t._("; both {share}.", share=share_words(p.both, "them", t)))
    text += " " + t._("With the parameters as given and seed noise only the gap in customers kept "
                      "is {before}; with the parameter uncertainty it is {after}.",
                      before=points_ci(p.before_gap, t), after=points_ci(nb.retention_gap, t))
    return text


def finding(nb: Numbers, t: Lang | None = None) -> str:
    """The one-paragraph finding."""
    parts = [headline(nb, t), certainty(nb, t), sources(nb, t)]
    if nb.posterior is not None:
        parts.insert(2, over_posterior(nb, t))
    if nb.events:
        parts.append(event_sentence(nb.events, t))
    return " ".join(parts)
