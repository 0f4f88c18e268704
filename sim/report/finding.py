"""The finding in plain words, built from the numbers: which organisation keeps more
customers, by how much and how sure we are, where the difference comes from, and
what the events cost. Every sentence depends on the numbers it states."""

from __future__ import annotations

from .numbers import CAUSE_WORDS, Estimate, EventEffect, Numbers

EVENT_WORDS = {"key_person_loss": "key people leave", "customer_contact_change":
               "customers' key contacts change", "merger": "the merger",
               "competitor_leap": "the competitor's leap", "substitute": "the substitute",
               "viral_complaint": "the viral complaint", "announce_promise": "the new promise",
               "transformation": "the transformation"}


def pct(x: float, digits: int = 0) -> str:
    return f"{100 * x:.{digits}f}%"


def pct_ci(e: Estimate, digits: int = 0) -> str:
    """'78% (95% CI 76-80%)'."""
    if e.n < 2:
        return pct(e.mean, digits)
    sep = "-" if e.low >= 0 else " to "
    return f"{100 * e.mean:.{digits}f}% (95% CI {100 * e.low:.{digits}f}{sep}{100 * e.high:.{digits}f}%)"


def points_ci(e: Estimate) -> str:
    """A difference of shares in percentage points with its interval."""
    if e.n < 2:
        return f"{100 * e.mean:.1f} points"
    return f"{100 * e.mean:.1f} points (95% CI {100 * e.low:.1f} to {100 * e.high:.1f})"


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def years_text(years: float) -> str:
    if abs(years - round(years)) < 0.05:
        n = round(years)
        return "one year" if n == 1 else f"{n} years"
    return f"{years:.1f} years"


def headline(nb: Numbers) -> str:
    """Who keeps how many of their starting customers, best first."""
    first = nb.by_name(nb.ranking[0])
    others = [nb.by_name(n) for n in nb.ranking[1:]]
    against = and_list([f"{pct_ci(o.metrics['retention'])} for {o.label}" for o in others])
    return (f"After {years_text(nb.years)}, {first.label} keeps "
            f"{pct_ci(first.metrics['retention'])} of its starting customers, against {against}.")


def certainty(nb: Numbers) -> str:
    """Whether the gap between the best and the worst is larger than chance."""
    best, worst = nb.by_name(nb.ranking[0]), nb.by_name(nb.ranking[-1])
    gap = nb.retention_gap
    if nb.posterior is not None:
        if gap.excludes_zero():
            return (f"The gap between {best.label} and {worst.label} is {points_ci(gap)} over the "
                    "plausible parameter sets, with the same seeds in both: neither luck nor "
                    "what is not known of the parameters explains it away.")
        return (f"The gap between {best.label} and {worst.label}, {points_ci(gap)} over the "
                "plausible parameter sets, is within what seed noise and the parameter "
                "uncertainty give: on what is known the model does not tell them apart.")
    if gap.excludes_zero():
        return (f"The gap between {best.label} and {worst.label} is {points_ci(gap)} with the "
                f"same seeds in both, so it is not luck.")
    return (f"The gap between {best.label} and {worst.label}, {points_ci(gap)}, is within what "
            f"chance gives at {nb.replications} replications: on these numbers the model does "
            "not tell them apart.")


def sources(nb: Numbers) -> str:
    """Where the extra churn of the worst scenario comes from."""
    best, worst = nb.by_name(nb.ranking[0]), nb.by_name(nb.ranking[-1])
    total = sum(e.mean for e in nb.cause_gap.values())
    if total <= 0:
        return f"{worst.label} loses no more customers than {best.label} in all."
    main = max(nb.cause_gap, key=lambda c: nb.cause_gap[c].mean)
    share = nb.cause_gap[main].mean / total
    lead = "Most" if share >= 0.5 else "The largest part"
    text = (f"{lead} of the difference is {CAUSE_WORDS.get(main, main)} churn: "
            f"{nb.cause_gap[main].mean:.0f} of the {total:.0f} more customers {worst.label} loses "
            f"per run ({pct(share)}).")
    fd_best = best.metrics["failure_demand_share"].mean
    fd_worst = worst.metrics["failure_demand_share"].mean
    if nb.failure_gap.excludes_zero() and nb.failure_gap.mean >= 0.05:
        text += (f" Behind it is failure demand: {pct(fd_worst)} of {worst.label}'s contacts "
                 f"are repeat or fault contacts, against {pct(fd_best)} for {best.label}.")
    elif nb.failure_gap.excludes_zero() and nb.failure_gap.mean <= -0.05:
        text += (f" Failure demand does not explain it: it is lower for {worst.label} "
                 f"({pct(fd_worst)} of contacts against {pct(fd_best)}).")
    else:
        text += (f" Failure demand is about the same in both ({pct(fd_worst)} and "
                 f"{pct(fd_best)} of contacts).")
    return text


def event_sentence(effects: list[EventEffect]) -> str:
    """One sentence per kind of event, comparing the scenarios it struck."""
    out = []
    for kind in dict.fromkeys(e.kind for e in effects):
        group = sorted((e for e in effects if e.kind == kind), key=lambda e: e.dip.mean)
        parts = []
        for e in group:
            over = (f"its extra churn was over after {e.churn_weeks} weeks"
                    if e.churn_weeks is not None else
                    f"its extra churn had not ended {e.weeks_after} weeks later")
            back = ("" if e.dip.mean <= 0 else
                    f", and it had won them back after {e.regained_weeks} weeks"
                    if e.regained_weeks is not None else
                    f", and {pct(max(e.gap_end.mean, 0), 1)} were still missing at the end")
            parts.append(f"{e.label} loses {pct_ci(e.dip, 1)} of its customers; {over}{back}")
        when = group[0].at
        out.append(f"When {EVENT_WORDS.get(kind, kind)} (week {when}), " + "; ".join(parts) + ".")
    return " ".join(out)


def share_words(share: float, what: str = "the plausible parameter sets") -> str:
    """'in 87% of the plausible parameter sets', or 'in all' / 'in none' of them."""
    if share >= 1:
        return f"in all of {what}"
    if share <= 0:
        return f"in none of {what}"
    return f"in {pct(share)} of {what}"


def over_posterior(nb: Numbers) -> str:
    """How often the advantage holds across the posterior, and the gap before and
    after the parameter uncertainty is counted."""
    p = nb.posterior
    best, worst = nb.by_name(nb.ranking[0]), nb.by_name(nb.ranking[-1])
    text = (f"Across the posterior ({p.draws} parameter sets drawn from {p.path}, "
            f"{nb.replications} seeds each; the intervals include the parameter uncertainty), "
            f"{best.label} keeps more customers than {worst.label} {share_words(p.keeps_more)} "
            f"and earns more profit {share_words(p.earns_more, 'them')}")
    text += ("." if p.both in (p.keeps_more, p.earns_more) else
             f"; both {share_words(p.both, 'them')}.")
    text += (f" With the parameters as given and seed noise only the gap in customers kept is "
             f"{points_ci(p.before_gap)}; with the parameter uncertainty it is "
             f"{points_ci(nb.retention_gap)}.")
    return text


def finding(nb: Numbers) -> str:
    """The one-paragraph finding."""
    parts = [headline(nb), certainty(nb), sources(nb)]
    if nb.posterior is not None:
        parts.insert(2, over_posterior(nb))
    if nb.events:
        parts.append(event_sentence(nb.events))
    return " ".join(parts)
