"""The per-step outputs: one row per week, the same columns in the DataCollector frame
and in timeseries.csv."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .contacts import PRIMARY, REPEAT, FAULT, Contacts, resolved_at_once
from .customers import ACTIVE, DETRACTOR, PROMOTER, PROSPECT, Customers
from .effort import promising_share
from .organisation import ACCOUNT_DEPT

if TYPE_CHECKING:
    from .organisation import Employees
    from .phases import Week

BASE_COLUMNS = (
    "step", "active_customers", "prospects", "acquired", "acquired_marketing",
    "acquired_wom", "churned",
)
TAIL_COLUMNS = (
    "retention", "mean_satisfaction", "nps", "mean_expectation", "mean_relationship",
    "revenue", "profit", "staff_cost", "contacts", "failure_demand_share", "first_contact_resolution",
    "handoffs", "handoff_success", "mean_wait", "utilisation", "unanswered",
    "escalated", "silent_problems",
    "wom_negative", "wom_positive", "employees", "employee_turnover",
    "knowledge_lost", "product_fault_rate", "feedback_reached", "management_load",
    "mandate_resolutions", "selling_share", "overselling", "record_quality",
)


def columns(causes: tuple[str, ...]) -> tuple[str, ...]:
    """All output columns, with one churn_<cause> column per cause."""
    return BASE_COLUMNS + tuple(f"churn_{c}" for c in causes) + TAIL_COLUMNS


def _share(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


def unanswered(ct: Contacts | None) -> float:
    """Share of the week's contacts nobody had the time to answer (not taken, and not
    taken to management either)."""
    if ct is None or len(ct.handled) == 0:
        return 0.0
    return _share(np.count_nonzero(~ct.handled & ~ct.escalated), len(ct.handled))


def contact_metrics(ct: Contacts | None) -> dict[str, float]:
    """Failure-demand share (repeat and fault contacts in all contacts), first-contact
    resolution (primary contacts resolved without a hand-off), hand-offs and their
    success, mean weeks a contact had been open, share not answered for lack of capacity,
    complaints taken to management."""
    if ct is None or len(ct.customer) == 0:
        return dict(contacts=0, failure_demand_share=0.0, first_contact_resolution=0.0,
                    handoffs=0, handoff_success=0.0, mean_wait=0.0, unanswered=0.0,
                    escalated=0, mandate_resolutions=0)
    primary = ct.kind == PRIMARY
    return dict(
        contacts=int(len(ct.customer)),
        failure_demand_share=_share(np.sum((ct.kind == REPEAT) | (ct.kind == FAULT)),
                                    len(ct.kind)),
        first_contact_resolution=_share(np.sum(primary & resolved_at_once(ct)),
                                        primary.sum()),
        handoffs=int(ct.handoff.sum()),
        handoff_success=_share(ct.handoff_ok.sum(), ct.handoff.sum()),
        mean_wait=float(ct.waited.mean()),
        unanswered=unanswered(ct),
        escalated=int(ct.escalated.sum()),
        mandate_resolutions=int(ct.mandated.sum()),
    )


def headcount(n_employees: int, params: dict) -> float:
    """Everyone the firm pays: its employees and its managers."""
    return n_employees * (1.0 + params["managers"] / 100.0)


def row(step: int, c: Customers, emp: "Employees", fault_rate: float, st: "Week",
        causes: tuple[str, ...], params: dict, record: float) -> dict[str, float]:
    """The metrics row for the current state and this step's counts. Means over
    active customers are masked reductions over all customers: cheaper than gathering
    the active ones when they are scattered over the arrays."""
    active = c.status == ACTIVE
    n_active = int(np.count_nonzero(active))
    n_employees = emp.n
    by_cause = st.churn_by_cause if st.churn_by_cause is not None else np.zeros(len(causes))

    weight = active.astype(c.satisfaction.dtype)

    def active_mean(x: np.ndarray) -> float:  # multiply by the mask: no branches
        return float((x * weight).sum()) / n_active if n_active else 0.0

    out = dict(
        step=step, active_customers=n_active,
        prospects=int(np.count_nonzero(c.status == PROSPECT)),
        acquired=st.acquired_marketing + st.acquired_wom,
        acquired_marketing=st.acquired_marketing, acquired_wom=st.acquired_wom,
        churned=int(by_cause.sum()),
    )
    out.update({f"churn_{k}": int(by_cause[i]) for i, k in enumerate(causes)})
    n_initial = int(np.count_nonzero(c.initial))
    promoters = np.count_nonzero(active & (c.satisfaction >= PROMOTER))
    detractors = np.count_nonzero(active & (c.satisfaction < DETRACTOR))
    out.update(
        retention=_share(np.count_nonzero(c.initial & active), n_initial),
        mean_satisfaction=active_mean(c.satisfaction),
        nps=100.0 * _share(promoters - detractors, n_active),
        mean_expectation=active_mean(c.expectation),
        mean_relationship=active_mean(c.relationship),
        revenue=active_mean(c.value) * n_active,
    )
    out.update(contact_metrics(st.contacts))
    out["staff_cost"] = params["staff_cost"] * headcount(n_employees, params)
    out["profit"] = (params["gross_margin"] * out["revenue"]
                     - params["contact_cost"] * out["contacts"]
                     - params["acquisition_cost"] * out["acquired"]
                     - out["staff_cost"]
                     - params["goodwill_cost"] * out["mandate_resolutions"]
                     - params["record_cost"] * params["shared_record"] * n_active)
    out["silent_problems"] = int(np.count_nonzero(c.silent_problem))
    out.update(
        utilisation=st.utilisation, wom_negative=st.wom.negative,
        wom_positive=st.wom.positive, employees=n_employees,
        employee_turnover=st.leavers, knowledge_lost=st.knowledge_lost,
        product_fault_rate=fault_rate, feedback_reached=st.feedback_reached,
        management_load=st.management_load,
        selling_share=_share(emp.sell[emp.dept == ACCOUNT_DEPT].sum(),
                             np.count_nonzero(emp.dept == ACCOUNT_DEPT)),
        overselling=promising_share(emp), record_quality=record,
    )
    return out
