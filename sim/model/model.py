"""OrganisationModel: the world and the schedule of one week."""

from __future__ import annotations

from functools import partial
from typing import Any

import mesa
from mesa.agent import AgentSet
import numpy as np

from . import (acquisition, churn, complaints, contacts, experience, feedback, metrics,
               organisation, wom)
from ._memory import keep_temporaries_in_heap
from .agents import Customer, Department, Employee
from .customers import ACTIVE, create_customers
from .networks import build_customer_network
from .organisation import DEPARTMENTS
from .disruptions import FIRE
from .events import EVENT_CAUSES, Event, make_event
from .params import resolve
from .scenario import Scenario


def _metric(name: str, model: "OrganisationModel") -> Any:
    return model.current[name]


class OrganisationModel(mesa.Model):
    """A firm, its employees and its customers; one step is one week.

    Parameters
    ----------
    scenario : Scenario, dict or None
        A scenario from ``load_scenario`` or a dict of parameter overrides; None for
        the baseline defaults.
    rng : seed or numpy Generator, optional
        All randomness goes through ``self.rng``; None uses the scenario's seed.
    **overrides
        Further parameter values, checked like a scenario file.

    Examples
    --------
    >>> from sim import OrganisationModel, load_scenario
    >>> m = OrganisationModel(load_scenario("customer_centric", n_customers=500,
    ...                       n_prospects=500, n_employees=20), rng=42)
    >>> m.run(4)
    >>> int(m.datacollector.get_model_vars_dataframe()["step"].iloc[-1])
    4
    """

    def __init__(self, scenario: Scenario | dict | None = None, *, rng=None, **overrides):
        if isinstance(scenario, Scenario):
            self.scenario = scenario.with_overrides(**overrides) if overrides else scenario
        else:
            self.scenario = Scenario(name="custom", params=resolve({**(scenario or {}), **overrides}))
        if rng is None:
            rng = self.scenario.seed  # reproducible unless a generator or seed is given
        super().__init__(rng=rng)
        keep_temporaries_in_heap()
        self.seed_used = int(rng) if isinstance(rng, (int, np.integer)) else None
        self.params: dict[str, Any] = dict(self.scenario.params)
        p = self.params
        self.causes: tuple[str, ...] = churn.CAUSES + EVENT_CAUSES
        self.org = organisation.create_employees(p, self.rng)
        self.network = build_customer_network(p["n_customers"] + p["n_prospects"], p, self.rng)
        self.cust = create_customers(p, self.org, self.rng)
        self.fault_rate = p["fault_rate"]
        self.serving_capacity = organisation.serving_capacity(self.org, p)
        self.departments = [Department(self, d) for d in range(len(DEPARTMENTS))]
        self._employee_list = [Employee(self, i) for i in range(self.org.n)]
        self.employees = AgentSet(self._employee_list, random=self.random)
        self._customer_agents: dict[int, Customer] = {}
        # events: scheduled ones, lasting processes, per-customer risks by event cause
        self.pending = list(self.scenario.events)
        self.processes: list = []
        self.event_log: list[tuple[int, str, dict]] = []
        self.risk: list[np.ndarray | None] = [None] * len(EVENT_CAUSES)
        self.risk_decay: list[np.ndarray | None] = [None] * len(EVENT_CAUSES)
        self.attractiveness_shift = np.zeros(2)  # by segment: b2c, b2b
        self.unit_border = 0.0  # barrier between legacy units after a merger
        self.separate_units = False  # legacy units serve only their own customers
        self.knowledge_lost_by_events = 0.0
        self._event_churn = np.zeros(len(self.causes), dtype=np.int64)
        self.columns = metrics.columns(self.causes)
        self.current: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={c: partial(_metric, c) for c in self.columns})
        # what the phases of the last week counted and drew (contacts, faults, word of
        # mouth): for observers such as sim.validation; replaced every step
        self.week = metrics.StepStats()
        self._collect(self.week)

    # --- access for people and pages ------------------------------------------------
    @property
    def accounts(self) -> np.ndarray:
        """Active accounts owned by each employee."""
        from .customers import accounts_per_owner
        return accounts_per_owner(self.cust, self.org.n)

    def customer(self, index: int) -> Customer:
        """The Mesa agent of customer (or prospect) ``index``, made on first request."""
        if not 0 <= index < self.cust.n:
            raise IndexError(f"customer index {index} out of range 0..{self.cust.n - 1}")
        agent = self._customer_agents.get(index)
        if agent is None:
            agent = self._customer_agents[index] = Customer(self, int(index))
        return agent

    def employee(self, index: int) -> Employee:
        """The Mesa agent of employee ``index``."""
        return self._employee_list[index]

    # --- the week -------------------------------------------------------------------
    def step(self) -> None:
        """One week: events due and lasting processes; faults, which customers raise;
        contacts (generation, routing, capacity, resolution, complaints taken to
        management) and feedback escalation; experience, satisfaction and
        relationships, problems lived with in silence; word of mouth; churn;
        acquisition; learning, engagement and turnover; then the metrics are
        collected."""
        p, rng, c, emp, t = self.params, self.rng, self.cust, self.org, self.steps
        st = metrics.StepStats()
        self._run_events(t)
        active = churn.active_index(c)

        faulty = contacts.draw_faults(active, self.fault_rate, rng)
        said = complaints.raised(c, faulty, p, rng)
        ct = contacts.generate(c, active, faulty[said], p, t, rng)
        contacts.route(ct, c, p, rng)
        self.serving_capacity = contacts.assign(ct, emp, p, rng,
                                                c.unit if self.separate_units else None)
        cross_unit = emp.unit[ct.employee] != c.unit[ct.customer] if self.unit_border else None
        contacts.resolve(ct, emp, p, rng, cross_unit, self.unit_border)
        complaints.take_to_management(ct, p, rng)
        contacts.update_open(ct, c, t)
        st.contacts, st.faulty, st.silent = ct, faulty, faulty[~said]
        load = np.divide(emp.load, self.serving_capacity, out=np.zeros(emp.n),
                         where=self.serving_capacity > 0)
        st.utilisation = float(emp.used.sum() / max(self.serving_capacity.sum(), 1e-9))
        self.fault_rate, st.feedback_reached = feedback.escalate(ct, emp, p, self.fault_rate, rng,
                                                                 len(st.silent))

        is_active = c.status == ACTIVE
        x, had_contact = experience.weekly_experience(c, is_active, ct, faulty, p, t)
        appraisal = experience.update_satisfaction(c, is_active, x, had_contact, p)
        experience.update_relationship(c, is_active, emp, p)
        complaints.live_with_problems(c, st.silent, p, rng)

        notable = is_active & had_contact
        notable[faulty] = True
        st.wom = wom.word_of_mouth(c, self.network, notable, appraisal, p, rng)

        st.churn_by_cause = churn.churn(c, self.network, active, p, t, rng,
                                        self.attractiveness_shift, tuple(self.risk))
        st.churn_by_cause += self._event_churn
        self._event_churn[:] = 0
        self._fade_risks()
        st.acquired_marketing, st.acquired_wom = acquisition.acquire(c, emp, p, t, rng)

        organisation.learn(emp, p)
        organisation.update_engagement(emp, p, load)
        leavers, st.knowledge_lost = organisation.turnover(emp, p, rng)
        st.knowledge_lost += self.knowledge_lost_by_events
        self.knowledge_lost_by_events = 0.0
        st.leavers = len(leavers)
        self._new_owner(leavers)
        c.tenure[churn.active_index(c)] += 1.0
        emp.tenure += 1.0
        self._collect(st)
        self.week = st

    # --- events ---------------------------------------------------------------------
    def trigger(self, kind: str, **params) -> Event:
        """Fire an event now, e.g. ``model.trigger("key_person_loss", count=3)``.
        Parameters are checked like a scenario's; missing ones take their defaults.
        It acts on the agents at once (owners, relationships, expectations...); what
        lasts runs from the next step, where its churn is counted; it is logged at the
        current step."""
        event = make_event(int(self.steps), kind, params, kind)
        self._fire(event)
        return event

    def _fire(self, event: Event) -> None:
        FIRE[event.kind](self, **event.params, **event.resolved)
        self.event_log.append((int(self.steps), event.kind, dict(event.params)))

    def _run_events(self, t: int) -> None:
        """Start of week t: the scheduled events of this week, then every process."""
        while self.pending and self.pending[0].at <= t:
            self._fire(self.pending.pop(0))
        self.processes = [proc for proc in self.processes if proc.step(self)]

    def leave(self, who: np.ndarray, cause: str) -> None:
        """Customers leave now under ``cause``, counted in the churn of the week being
        stepped (or of the next one, if called between steps)."""
        if len(who) == 0:
            return
        k = self.causes.index(cause)
        churn.depart(self.cust, self.network, who, k, self.steps)
        _, nbrs = self.network.neighbours_of(who)
        self.cust.exposure[nbrs] = 1.0
        self._event_churn[k] += len(who)

    def add_risk(self, cause: str, who: np.ndarray, hazard: float, window: float) -> None:
        """Raise ``who``'s weekly hazard under ``cause`` by ``hazard``, fading with time
        constant ``window`` weeks."""
        k = EVENT_CAUSES.index(cause)
        if self.risk[k] is None:
            self.risk[k] = np.zeros(self.cust.n, dtype=np.float32)
            self.risk_decay[k] = np.ones(self.cust.n, dtype=np.float32)
        self.risk[k][who] += np.float32(hazard)
        self.risk_decay[k][who] = np.float32(np.exp(-1.0 / window))

    def grow(self, new_employees: np.ndarray, new_customers: int) -> None:
        """Make room after a merger: agents for new employees, longer risk arrays."""
        added = [Employee(self, int(i)) for i in new_employees]
        self._employee_list.extend(added)
        for a in added:
            self.employees.add(a)
        for k, r in enumerate(self.risk):
            if r is not None:
                self.risk[k] = np.concatenate([r, np.zeros(new_customers, np.float32)])
                self.risk_decay[k] = np.concatenate([self.risk_decay[k],
                                                     np.ones(new_customers, np.float32)])
        for proc in self.processes:
            if hasattr(proc, "grow"):
                proc.grow(new_customers)

    def _fade_risks(self) -> None:
        for r, d in zip(self.risk, self.risk_decay):
            if r is not None:
                r *= d

    def _new_owner(self, employees: np.ndarray) -> None:
        """Accounts of employees who left pass to whoever takes their place; the part of
        the relationship not kept in the shared record is lost."""
        if len(employees) == 0:
            return
        c = self.cust
        hit = np.isin(c.owner, employees)
        keep = 1.0 - self.params["relationship_loss"] * (1.0 - self.params["shared_record"])
        c.relationship[hit] *= keep

    def run(self, steps: int) -> None:
        """Run ``steps`` weeks."""
        for _ in range(steps):
            self.step()

    def _collect(self, st: metrics.StepStats) -> None:
        self.current = metrics.row(self.steps, self.cust, self.org.n, self.fault_rate, st,
                                   self.causes, self.params)
        self.datacollector.collect(self)

    def timeseries(self):
        """The collected metrics as a pandas DataFrame, one row per week."""
        return self.datacollector.get_model_vars_dataframe()
