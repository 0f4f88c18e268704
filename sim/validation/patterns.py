"""The ten patterns the model is held against (pattern-oriented modelling, Grimm et al.
2005): what each measures in the runs, its target from the literature, and the test
it must pass. Each judge turns the runs' results into an Outcome; the numbers it
states are computed here, never typed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..report.numbers import Estimate
from .observe import CATEGORIES, NO_RECENT, NOT_RAISED, RESOLVED_LATER, RESOLVED_QUICKLY
from .runs import MULTITASK, Job, Mode, PROFIT_DROP
from .stats import RateRatio, mantel_haenszel, paired_difference, share

Results = dict  # (kind, variant) -> list of result dicts, by replication


@dataclass
class Outcome:
    """One row of the validation table, with what the figure and the text need."""

    number: int
    key: str
    title: str
    source: str
    target: str
    value: str
    passed: bool
    checks: list[tuple[str, bool]]  # each condition of the test, in words
    method: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Pattern:
    number: int
    key: str
    title: str
    source: str
    target: str
    jobs: Callable[[Mode], list[Job]]
    judge: Callable[["Pattern", Results], Outcome]
    method: str = ""  # how it is measured in the model, for docs/validation.md


def pct(e: Estimate, digits: int = 1) -> str:
    return (f"{100 * e.mean:.{digits}f}% ({100 * e.low:.{digits}f}-{100 * e.high:.{digits}f}%)"
            if e.n > 1 else f"{100 * e.mean:.{digits}f}%")


def num(e: Estimate, digits: int = 2) -> str:
    return (f"{e.mean:.{digits}f} ({e.low:.{digits}f}-{e.high:.{digits}f})" if e.n > 1
            else f"{e.mean:.{digits}f}")


def _outcome(pat: Pattern, value: str, checks: list[tuple[str, bool]], **data) -> Outcome:
    return Outcome(pat.number, pat.key, pat.title, pat.source, pat.target, value,
                   all(ok for _, ok in checks), checks, pat.method, data)


def _reps(kind: str, variants=("",)) -> Callable[[Mode], list[Job]]:
    return lambda mode: [Job(kind, v, r, mode) for v in variants for r in range(mode.replications)]


# --- 1 baseline churn ------------------------------------------------------------------

def judge_churn(pat: Pattern, res: Results) -> Outcome:
    runs = res[("baseline", "")]
    yearly = np.array([r["annual_churn"] for r in runs])
    est = Estimate.of(yearly.mean(axis=1))
    return _outcome(pat, f"{pct(est)} a year", [
        (f"the 95% interval {pct(est)} lies within 5-15% a year", 0.05 <= est.low and est.high <= 0.15)],
        churn=est, by_year=[Estimate.of(yearly[:, y]) for y in range(yearly.shape[1])])


# --- 2 contagion -----------------------------------------------------------------------

WINDOWS = ((1, 4), (5, 8), (9, 12), (13, NO_RECENT))


def hazard_ratio(at_risk: np.ndarray, events: np.ndarray, first: int, last: int) -> RateRatio:
    """Rate ratio of defection, stratified by satisfaction, for customers whose latest
    neighbour defection was first..last weeks ago against those with none in NO_RECENT
    weeks (row 0)."""
    rows = slice(first, last + 1)
    return mantel_haenszel(events[rows].sum(axis=0), at_risk[rows].sum(axis=0),
                           events[0], at_risk[0])


def judge_contagion(pat: Pattern, res: Results) -> Outcome:
    runs = res[("baseline", "")]
    at_risk = sum(np.asarray(r["at_risk"]) for r in runs)
    events = sum(np.asarray(r["defections"]) for r in runs)
    win = {w: hazard_ratio(at_risk, events, *w) for w in WINDOWS}
    weekly = [hazard_ratio(at_risk, events, k, k) for k in range(1, NO_RECENT + 1)]
    first, second, late = win[WINDOWS[0]], win[WINDOWS[1]], win[WINDOWS[-1]]
    return _outcome(pat, f"{first.ratio:.2f} ({first.low:.2f}-{first.high:.2f}) in weeks 1-4", [
        (f"hazard ratio in the first month {first.ratio:.2f}, within 1.5-2.1", 1.5 <= first.ratio <= 2.1),
        (f"it decays: {first.ratio:.2f} (weeks 1-4) > {second.ratio:.2f} (5-8) > "
         f"{late.ratio:.2f} (13-26)", first.ratio > second.ratio > late.ratio),
        (f"by weeks 13-26 it is gone: interval {late.low:.2f}-{late.high:.2f} below the first "
         f"month's {first.low:.2f}", late.high < first.low)],
        windows=win, weekly=weekly)


# --- 3 word of mouth -------------------------------------------------------------------

def _told_ratio(tellers, messages) -> float:
    per = np.asarray(messages, dtype=float) / np.maximum(np.asarray(tellers, dtype=float), 1)
    return float(per[0] / per[1])


def judge_wom(pat: Pattern, res: Results) -> Outcome:
    default = Estimate.of([_told_ratio(r["tellers"], r["messages"]) for r in res[("baseline", "")]])
    essay = Estimate.of([_told_ratio(r["tellers"], r["messages"])
                         for r in res[("word_of_mouth", "word_of_mouth_essay")]])
    per = [np.sum([r["messages"][k] for r in res[("baseline", "")]]) /
           np.sum([r["tellers"][k] for r in res[("baseline", "")]]) for k in (0, 1)]
    return _outcome(pat, f"{num(default)} : 1 by default; {num(essay, 1)} : 1 in word_of_mouth_essay", [
        (f"by default the dissatisfied tell {default.mean:.2f}x as many, within 1.5-3", 1.5 <= default.mean <= 3.0),
        (f"the essay's 1:10 is a scenario (word_of_mouth_essay): {essay.mean:.1f}x, within 8-12",
         8.0 <= essay.mean <= 12.0)],
        default=default, essay=essay, told=per)


# --- 4 complaints ----------------------------------------------------------------------

TARP_KEPT = {NOT_RAISED: 0.37, RESOLVED_LATER: 0.70, RESOLVED_QUICKLY: 0.95}


def judge_complaints(pat: Pattern, res: Results) -> Outcome:
    runs = res[("baseline", "")]
    raised = share([r["raised"] for r in runs], [r["faults"] for r in runs])
    higher = share([r["to_management"] for r in runs], [r["raised"] for r in runs])
    kept = np.array([np.asarray(r["category_kept"]) / np.maximum(r["category_n"], 1) for r in runs])
    by_cat = {k: Estimate.of(kept[:, k]) for k in range(len(CATEGORIES))}
    later_gain = paired_difference(kept[:, RESOLVED_LATER], kept[:, NOT_RAISED])
    quick_gain = paired_difference(kept[:, RESOLVED_QUICKLY], kept[:, NOT_RAISED])
    quick_vs_later = paired_difference(kept[:, RESOLVED_QUICKLY], kept[:, RESOLVED_LATER])
    return _outcome(pat, f"{pct(raised)} raise it; {pct(higher)} of them go higher; kept a year: "
                         f"{100 * by_cat[NOT_RAISED].mean:.0f}% not raised / "
                         f"{100 * by_cat[RESOLVED_LATER].mean:.0f}% resolved / "
                         f"{100 * by_cat[RESOLVED_QUICKLY].mean:.0f}% resolved at once", [
        (f"{pct(raised)} of faults are raised with the front line, within 40-65% (about half; "
         "75% of businesses)", 0.40 <= raised.mean <= 0.65),
        (f"{pct(higher)} of those who raise it take it to management, within 1-5%",
         0.01 <= higher.mean <= 0.05),
        (f"a problem resolved later keeps {100 * later_gain.mean:.1f} points more customers a year "
         f"than one never raised (interval above 0)", later_gain.low > 0),
        (f"resolved at the first contact: {100 * quick_gain.mean:.1f} points more than never raised "
         "(interval above 0)", quick_gain.low > 0),
        (f"resolved at the first contact keeps {100 * quick_vs_later.mean:+.1f} points against "
         "resolved later: no fewer (the test allows 1 point less)", quick_vs_later.mean > -0.01)],
        raised=raised, higher=higher, kept=by_cat, quick_vs_later=quick_vs_later)


# --- 5 failure demand ------------------------------------------------------------------

def judge_failure_demand(pat: Pattern, res: Results) -> Outcome:
    pc = [r["mean"] for r in res[("failure_demand", "product_centric")]]
    cc = [r["mean"] for r in res[("failure_demand", "customer_centric")]]
    e_pc, e_cc, gap = Estimate.of(pc), Estimate.of(cc), paired_difference(pc, cc)
    weekly = {v: np.array([r["weekly"] for r in res[("failure_demand", v)]])
              for v in ("product_centric", "customer_centric")}
    return _outcome(pat, f"product-centric {pct(e_pc, 0)}; customer-centric {pct(e_cc, 0)}", [
        (f"product-centric (high silos, low mandate): {pct(e_pc, 0)} of contacts, within 40-60%",
         0.40 <= e_pc.mean <= 0.60),
        (f"customer-centric: {pct(e_cc, 0)}, well below: under 30%", e_cc.mean < 0.30),
        (f"the redesign removes {100 * gap.mean:.0f} points (interval above 10)", gap.low > 0.10)],
        product=e_pc, customer=e_cc, weekly=weekly)


# --- 6 service recovery ----------------------------------------------------------------

def judge_recovery(pat: Pattern, res: Results) -> Outcome:
    runs = res[("baseline", "")]
    sat = np.array([np.asarray(r["recovery_sat"]) / np.maximum(r["recovery_n"], 1) for r in runs])
    kept = np.array([np.asarray(r["recovery_kept"]) / np.maximum(r["recovery_n"], 1) for r in runs])
    d_sat, d_kept = paired_difference(sat[:, 0], sat[:, 1]), paired_difference(kept[:, 0], kept[:, 1])
    return _outcome(pat, f"satisfaction {d_sat.mean:+.4f} ({d_sat.low:+.4f} to {d_sat.high:+.4f}); "
                         f"kept a year {100 * d_kept.mean:+.1f} points ({100 * d_kept.low:+.1f} to "
                         f"{100 * d_kept.high:+.1f})", [
        (f"after a fault put right at the first contact, satisfaction is above that of customers "
         f"with no problem by {d_sat.mean:.4f} (interval above 0)", d_sat.low > 0),
        (f"but retention is not raised: {100 * d_kept.mean:+.1f} points, under +1 point",
         d_kept.mean < 0.01)],
        satisfaction=[Estimate.of(sat[:, k]) for k in (0, 1)],
        kept=[Estimate.of(kept[:, k]) for k in (0, 1)], d_sat=d_sat, d_kept=d_kept)


# --- 7 mergers -------------------------------------------------------------------------

ACQUIRERS = ("product_centric", "baseline", "customer_centric")
GALLUP = {"product_centric": 2.0, "baseline": 1.6, "customer_centric": 1.2}


def judge_merger(pat: Pattern, res: Results) -> Outcome:
    none = np.array([r["churn"] for r in res[("merger", "alone:baseline")]])
    ratio = {a: np.array([r["churn"] for r in res[("merger", a)]]) / np.maximum(none, 1e-9)
             for a in ACQUIRERS}
    est = {a: Estimate.of(v) for a, v in ratio.items()}
    lower = paired_difference(ratio["product_centric"], ratio["baseline"])
    higher = paired_difference(ratio["baseline"], ratio["customer_centric"])
    return _outcome(pat, f"{num(est['baseline'])}x; {est['product_centric'].mean:.2f}x under a "
                         f"product-centric acquirer, {est['customer_centric'].mean:.2f}x under a "
                         "customer-centric one", [
        (f"acquired customers churn {est['baseline'].mean:.2f}x the baseline in the year after, "
         "within 1.3-2.0", 1.3 <= est["baseline"].mean <= 2.0),
        (f"more under a less customer-focused acquirer (+{lower.mean:.2f}, interval above 0)", lower.low > 0),
        (f"less under a more customer-focused one (-{higher.mean:.2f}, interval above 0)", higher.low > 0)],
        ratio=est, own_churn={a: Estimate.of([r["churn"] for r in res[("merger", f"alone:{a}")]])
                   for a in ACQUIRERS})


# --- 8 Bass docking --------------------------------------------------------------------

def judge_bass(pat: Pattern, res: Results) -> Outcome:
    runs = res[("bass", "")]
    gaps = [r["max_gap"] for r in runs]
    return _outcome(pat, f"largest gap {max(gaps):.4f} over ten years", [
        (f"the adopted share stays within 0.02 of the Bass equation (largest gap {max(gaps):.4f})",
         max(gaps) < 0.02)],
        simulated=[r["simulated"] for r in runs], equation=runs[0]["equation"], gaps=gaps)


# --- 9 retention and profit ------------------------------------------------------------

def judge_profit(pat: Pattern, res: Results) -> Outcome:
    (r,) = res[("profit", "")]
    base, fewer = r["baseline"], r["fewer defections"]
    drop = paired_difference(base["annual_churn_rate"], fewer["annual_churn_rate"])
    rise = Estimate.of(np.asarray(fewer["customer_lifetime_profit"]) /
                       np.asarray(base["customer_lifetime_profit"]) - 1)
    firm = Estimate.of(np.asarray(fewer["profit_total"]) / np.asarray(base["profit_total"]) - 1)
    return _outcome(pat, f"+{pct(rise, 0)} customer lifetime profit for {100 * drop.mean:.1f} points "
                         "fewer defections", [
        (f"defections cut by {100 * drop.mean:.1f} points a year, within 4-6",
         0.04 <= drop.mean <= 0.06),
        (f"customer lifetime profit rises {pct(rise, 0)}, far more than 5%: within Reichheld & "
         "Sasser's 30-85%", 0.30 <= rise.mean <= 0.85)],
        drop=drop, rise=rise, firm=firm)


# --- 10 multitask incentives -------------------------------------------------------------

def judge_multitask(pat: Pattern, res: Results) -> Outcome:
    def arm(v: str, key: str) -> list[float]:
        return [r[key] for r in res[("multitask", v)]]

    acq = paired_difference(arm("volume", "acquired_year1"), arm("value", "acquired_year1"))
    kept = paired_difference(arm("volume", "retention"), arm("value", "retention"))
    sell = paired_difference(arm("volume", "selling_share"), arm("value", "selling_share"))
    frozen = [a - b for k in ("acquired_year1", "retention")
              for a, b in zip(arm("volume frozen", k), arm("value frozen", k))]
    weekly = {v: np.array([r["weekly_selling"] for r in res[("multitask", v)]])
              for v in ("volume", "value")}
    return _outcome(pat, f"volume bonus: {acq.mean:+.0f} ({acq.low:+.0f} to {acq.high:+.0f}) "
                         f"customers won in year 1, {100 * kept.mean:+.1f} points "
                         f"({100 * kept.low:+.1f} to {100 * kept.high:+.1f}) kept after 3 years", [
        (f"under a volume bonus sales sell {100 * sell.mean:.0f} points more of their time "
         "(interval above 0)", sell.low > 0),
        (f"a volume bonus wins {acq.mean:.0f} more customers in year 1 (interval above 0)",
         acq.low > 0),
        (f"and keeps {-100 * kept.mean:.1f} points fewer of the starting customers by year 3 "
         "(interval below 0)", kept.high < 0),
        ("with the effort choice frozen the reward scheme changes neither",
         all(d == 0 for d in frozen))],
        acquired=acq, kept=kept, selling=sell, weekly=weekly)


def _profit_job(mode: Mode) -> list[Job]:
    return [Job("profit", "", 0, mode)]


def _bass_jobs(mode: Mode) -> list[Job]:
    return [Job("bass", "", r, mode) for r in range(mode.bass_replications)]


def _wom_jobs(mode: Mode) -> list[Job]:
    return _reps("baseline")(mode) + _reps("word_of_mouth", ("word_of_mouth_essay",))(mode)


PATTERNS: tuple[Pattern, ...] = (
    Pattern(1, "baseline_churn", "Baseline churn",
            "Gallup 2015 (retail banking ~5%/yr); US postpaid mobile 10-12%/yr; ABA ~15%/yr",
            "5-15% of customers a year", _reps("baseline"), judge_churn,
            "The baseline scenario for three years. Each year's churn is the customers lost "
            "that year over the mean active customers (customers won during the year can leave "
            "too); a replication's figure is the mean of its three years."),
    Pattern(2, "contagion", "Contagion of churn",
            "Nitzan & Libai 2011, J. Marketing 75(6)",
            "hazard ratio ~1.8 after a neighbour's defection, strongest in the first month, decaying",
            _reps("baseline"), judge_contagion,
            "Each week every active customer is classed by the weeks since a network "
            "neighbour last defected (1-26, or none for 26 weeks) and by the decile of its own "
            "satisfaction, and whether it defects that week is counted. The hazard ratio is the "
            "Mantel-Haenszel rate ratio over the satisfaction strata (interval: Greenland & Robins "
            "1985) of customers whose latest neighbour defection was 1-4 weeks ago against those "
            "with none for 26 weeks: the customer's own state is held constant, as Nitzan & Libai "
            "controlled for personal and purchase variables. Their effect is per defecting "
            "neighbour; in the model several in one month count as one, and are rare."),
    Pattern(3, "word_of_mouth", "Word of mouth",
            "Goodman 1999; TARP 1984 (9-10 vs 4-5); Anderson 1998",
            "dissatisfied tell ~2x as many; the essays' 1:10 as a scenario", _wom_jobs, judge_wom,
            "Every week the customers whose week was notable and clearly off neutral tell "
            "others (ODD 7.7). People told per dissatisfied teller over people told per satisfied "
            "teller, over three years of the baseline and one of the word_of_mouth_essay scenario "
            "(wom_negative_ratio 10)."),
    Pattern(4, "complaints", "Complaints and their resolution",
            "Goodman 2005; TARP 1984",
            "~half complain to the front line, 1-5% higher; kept: 37% not raised < 70% resolved "
            "< 95% resolved quickly", _reps("baseline"), judge_complaints,
            "Every product fault met in weeks 13-103 of the baseline is followed: raised with "
            "the firm (a fault contact) or lived with in silence; if raised, put right at the first "
            "contact, resolved later (after a hand-off or a repeat contact, within 13 weeks) or "
            "not; taken to management within 13 weeks or not; and whether the customer is still a "
            "customer 52 weeks after the fault."),
    Pattern(5, "failure_demand", "Failure demand",
            "Seddon; Vanguard (46% in one financial-services centre)",
            "40-60% of contacts under high silos and low mandate; well below after a redesign",
            _reps("failure_demand", ("product_centric", "customer_centric")), judge_failure_demand,
            "The mean weekly share of repeat and fault contacts in all contacts over three "
            "years, in product_centric (silo barrier 0.8, mandate 0.1, no bridges, volume bonus) "
            "and customer_centric, paired by seed."),
    Pattern(6, "service_recovery", "Service-recovery paradox",
            "de Matos, Henrique & Rossi 2007 (meta-analysis), J. Service Research 10(1)",
            "good recovery lifts satisfaction above no-problem customers, not retention",
            _reps("baseline"), judge_recovery,
            "In weeks 13-103 of the baseline, the customers with no problem going on when the "
            "week begins are split into those whose only contact of the week was a fault put right "
            "at the first contact, and those with no fault and no contact. Their satisfaction at "
            "the end of the week, and whether they are still customers 52 weeks later; differences "
            "paired by replication."),
    Pattern(7, "merger", "Mergers",
            "Gallup 2015 (8% vs 5%; 10% under a less, 6% under a more customer-focused acquirer)",
            "acquired customers churn ~1.6x baseline in the year after; more / less with the "
            "acquirer's customer focus",
            _reps("merger", (*(f"alone:{a}" for a in ACQUIRERS), *ACQUIRERS)), judge_merger,
            "A firm with the baseline's culture (silo barrier 0.5, reward mix 0.5), half the "
            "acquirer's size, is absorbed at week 26 by a product-centric, baseline or "
            "customer-centric acquirer (integration over a year). The churn of its customers in "
            "weeks 27-78 over that of the baseline firm's customers in the same weeks with no "
            "merger, with the same seeds."),
    Pattern(8, "bass_docking", "Bass docking",
            "Rand & Rust 2011, IJRM 28; Bass 1969",
            "with full mixing the substitute's adoption follows the Bass equation",
            _bass_jobs, judge_bass,
            "A substitute with the durables' mean p = 0.03 and q = 0.38 a year (Sultan, Farley & "
            "Lehmann 1990) spreads with full mixing over 50,000 nodes for ten years; the adopted "
            "share every week against Bass's closed-form F(t)."),
    Pattern(9, "retention_profit", "Retention and profit",
            "Reichheld & Sasser 1990, HBR 'Zero Defections'",
            "5 points fewer defections raise profit far more than 5% (30-85% in their firms)",
            _profit_job, judge_profit,
            "The baseline against the same firm with its base hazards (churn_base, "
            "competitor_pull) scaled, by bisection, until it loses 5 points fewer of its customers "
            "a year (annual churn over the last of three years). Customer lifetime profit (ODD "
            "7.12) of the two, compared replication by replication with the same seeds."),
    Pattern(10, "multitask", "Multitask incentives",
            "Holmstrom & Milgrom 1991, J. Law, Economics & Organization 7; essay 001",
            "rewarding the measurable task (volume) shifts effort to it from the others: more "
            "sales now, fewer customers kept later; none of it without the effort choice",
            _reps("multitask", tuple(MULTITASK)), judge_multitask,
            "The baseline under a pure volume bonus (reward_mix 0) and a pure customer-value "
            "bonus (reward_mix 1), paired by seed, with employees choosing their effort (ODD "
            "7.14) and with the choice frozen (effort_adapt 0): customers won in the first year, "
            "starting customers kept after three years, and sales' share of time spent selling."),
)
