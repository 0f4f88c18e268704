"""OrganisationModel: the world and the schedule of one week."""

from __future__ import annotations

from functools import partial
from typing import Any

import mesa
from mesa.agent import AgentSet
import numpy as np

from . import acquisition, churn, contacts, experience, feedback, metrics, organisation, wom
from ._memory import keep_temporaries_in_heap
from .agents import Customer, Department, Employee
from .customers import ACTIVE, create_customers
from .networks import build_customer_network
from .organisation import DEPARTMENTS
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
        self.causes: tuple[str, ...] = churn.CAUSES
        self.org = organisation.create_employees(p, self.rng)
        self.network = build_customer_network(p["n_customers"] + p["n_prospects"], p, self.rng)
        self.cust = create_customers(p, self.org, self.rng)
        self.fault_rate = p["fault_rate"]
        self.serving_capacity = organisation.serving_capacity(self.org, p)
        self.departments = [Department(self, d) for d in range(len(DEPARTMENTS))]
        self._employee_list = [Employee(self, i) for i in range(self.org.n)]
        self.employees = AgentSet(self._employee_list, random=self.random)
        self._customer_agents: dict[int, Customer] = {}
        self.columns = metrics.columns(self.causes)
        self.current: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={c: partial(_metric, c) for c in self.columns})
        self._collect(metrics.StepStats())

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
        """One week: contacts, resolution, experience, word of mouth, churn,
        acquisition, learning and turnover, then the metrics are collected."""
        p, rng, c, emp, t = self.params, self.rng, self.cust, self.org, self.steps
        st = metrics.StepStats()
        active = churn.active_index(c)

        ct, faulty, _ = contacts.generate(c, active, p, self.fault_rate, t, rng)
        contacts.route(ct, c, p, rng)
        self.serving_capacity = contacts.assign(ct, emp, p, rng)
        contacts.resolve(ct, emp, p, rng)
        contacts.update_open(ct, c, t)
        st.contacts = ct
        used = np.divide(emp.used, self.serving_capacity, out=np.zeros(emp.n),
                         where=self.serving_capacity > 0)
        st.utilisation = float(emp.used.sum() / max(self.serving_capacity.sum(), 1e-9))
        self.fault_rate, st.feedback_reached = feedback.escalate(ct, emp, p, self.fault_rate, rng)

        is_active = c.status == ACTIVE
        x, had_contact = experience.weekly_experience(c, is_active, ct, faulty, p, t)
        appraisal = experience.update_satisfaction(c, is_active, x, had_contact, p)
        experience.update_relationship(c, is_active, emp, p)

        notable = is_active & had_contact
        notable[faulty] = True
        st.wom_negative, st.wom_positive = wom.word_of_mouth(c, self.network, notable,
                                                             appraisal, p, rng)

        st.churn_by_cause = churn.churn(c, self.network, active, p, t, rng)
        st.acquired_marketing, st.acquired_wom = acquisition.acquire(c, emp, p, t, rng)

        organisation.learn(emp, p)
        organisation.update_engagement(emp, p, used)
        leavers, st.knowledge_lost = organisation.turnover(emp, p, rng)
        st.leavers = len(leavers)
        self._new_owner(leavers)
        c.tenure[churn.active_index(c)] += 1.0
        emp.tenure += 1.0
        self._collect(st)

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
        self.current = metrics.row(self.steps, self.cust, self.org.n, self.fault_rate, st, self.causes)
        self.datacollector.collect(self)

    def timeseries(self):
        """The collected metrics as a pandas DataFrame, one row per week."""
        return self.datacollector.get_model_vars_dataframe()
