"""OrganisationModel: the world and the schedule of one week."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, Callable

import mesa
from mesa.agent import AgentSet
import numpy as np

from . import metrics, organisation
from ._memory import keep_temporaries_in_heap
from .agents import Customer, Department, Employee, customer_view, employee_view
from .churn import CAUSES
from .customers import CUSTOMER_STATE, accounts_per_owner, create_customers
from .disruptions import FIRE
from .event_state import EventState
from .events import EVENT_CAUSES, Event, make_event
from .networks import build_customer_network
from .organisation import DEPARTMENTS, EMPLOYEE_STATE
from .params import PARAMS_LIST, Param, register_params, resolve
from .phases import WEEK, Week
from .scenario import Scenario
from .schedule import Schedule
from .state import check_schema


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

    A model class is open to extension without a fork (docs/extending.md): a subclass
    declares more ``parameters``, ``customer_state`` or ``employee_state``, its own
    ``schedule`` (phases added, replaced or wrapped by name) and ``reporters`` (more
    output columns, ``name -> f(model)``).

    Examples
    --------
    >>> from sim import OrganisationModel, load_scenario
    >>> m = OrganisationModel(load_scenario("customer_centric", n_customers=500,
    ...                       n_prospects=500, n_employees=20), rng=42)
    >>> m.run(4)
    >>> int(m.datacollector.get_model_vars_dataframe()["step"].iloc[-1])
    4
    """

    parameters: tuple[Param, ...] = PARAMS_LIST
    customer_state: tuple = CUSTOMER_STATE
    employee_state: tuple = EMPLOYEE_STATE
    schedule: Schedule = WEEK
    reporters: dict[str, Callable[["OrganisationModel"], Any]] = {}
    causes: tuple[str, ...] = CAUSES + EVENT_CAUSES
    Customer: type = Customer  # the Mesa agent classes: views made from the state declarations
    Employee: type = Employee

    def __init_subclass__(cls, **kw):
        """A subclass's declarations are checked and its parameters registered when
        the class is made (its module imported), so scenario files, studies and
        ``orgsim params`` know them."""
        super().__init_subclass__(**kw)
        register_params(*cls.parameters)
        check_schema(cls.customer_state, f"{cls.__name__}.customer_state")
        check_schema(cls.employee_state, f"{cls.__name__}.employee_state")
        if not isinstance(cls.schedule, Schedule):
            raise TypeError(f"{cls.__name__}.schedule must be a Schedule")
        taken = set(metrics.columns(cls.causes)) & set(cls.reporters)
        if taken:
            raise ValueError(f"{cls.__name__}.reporters: {sorted(taken)[0]!r} is a column already")
        if "Customer" not in cls.__dict__:
            cls.Customer = customer_view(cls.customer_state)
        if "Employee" not in cls.__dict__:
            cls.Employee = employee_view(cls.employee_state)

    def __init__(self, scenario: Scenario | dict | None = None, *, rng=None, **overrides):
        if isinstance(scenario, Scenario):
            self.scenario = scenario.with_overrides(**overrides) if overrides else scenario
        else:
            self.scenario = Scenario(name="custom", params=resolve({**(scenario or {}), **overrides}))
        missing = {p.name: p.default for p in self.parameters if p.name not in self.scenario.params}
        if missing:  # an extension's parameters the scenario does not set: their defaults
            self.scenario = replace(self.scenario, params={**self.scenario.params, **missing})
        if rng is None:
            rng = self.scenario.seed  # reproducible unless a generator or seed is given
        super().__init__(rng=rng)
        keep_temporaries_in_heap()
        self.seed_used = int(rng) if isinstance(rng, (int, np.integer)) else None
        self.params: dict[str, Any] = dict(self.scenario.params)
        p = self.params
        self.org = organisation.create_employees(p, self.rng, self.employee_state)
        self.network = build_customer_network(p["n_customers"] + p["n_prospects"], p, self.rng)
        self.cust = create_customers(p, self.org, self.rng, self.customer_state)
        self.fault_rate = p["fault_rate"]
        self.record = p["shared_record"]  # what the shared customer record holds now
        self.serving_capacity = organisation.serving_capacity(self.org, p)
        self.departments = [Department(self, d) for d in range(len(DEPARTMENTS))]
        self._employee_list = [self.Employee(self, i) for i in range(self.org.n)]
        self.employees = AgentSet(self._employee_list, random=self.random)
        self._customer_agents: dict[int, Any] = {}
        self.events = EventState(list(self.scenario.events), len(self.causes))
        self.columns = metrics.columns(self.causes) + tuple(self.reporters)
        self.current: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={c: partial(_metric, c) for c in self.columns})
        # what the phases of the last week counted and drew (contacts, faults, word of
        # mouth): for observers such as sim.validation; replaced every step
        self.week = Week()
        self.collect()

    # --- access for people and pages ------------------------------------------------
    @property
    def accounts(self) -> np.ndarray:
        """Active accounts owned by each employee."""
        return accounts_per_owner(self.cust, self.org.n)

    def customer(self, index: int):
        """The Mesa agent of customer (or prospect) ``index``, made on first request."""
        if not 0 <= index < self.cust.n:
            raise IndexError(f"customer index {index} out of range 0..{self.cust.n - 1}")
        agent = self._customer_agents.get(index)
        if agent is None:
            agent = self._customer_agents[index] = self.Customer(self, int(index))
        return agent

    def employee(self, index: int):
        """The Mesa agent of employee ``index``."""
        return self._employee_list[index]

    @property
    def event_log(self) -> list[tuple[int, str, dict]]:
        """(week, kind, parameters) of every event fired so far."""
        return self.events.log

    # --- the week -------------------------------------------------------------------
    def step(self) -> None:
        """One week: the phases of ``schedule`` in order (``schedule.names``): events
        due and lasting processes; faults, which customers raise; contacts (routing,
        capacity, resolution, complaints taken to management); feedback escalation;
        experience, satisfaction and relationships; problems lived with in silence;
        word of mouth; churn; acquisition; learning, engagement and turnover; tenure;
        then the metrics are collected."""
        self.week = week = Week(step=int(self.steps))
        for phase in self.schedule:
            phase.run(self, week)

    def run(self, steps: int) -> None:
        """Run ``steps`` weeks."""
        for _ in range(steps):
            self.step()

    # --- events ---------------------------------------------------------------------
    def trigger(self, kind: str, **params) -> Event:
        """Fire an event now, e.g. ``model.trigger("key_person_loss", count=3)``.
        Parameters are checked like a scenario's; missing ones take their defaults.
        It acts on the agents at once (owners, relationships, expectations...); what
        lasts runs from the next step, where its churn is counted; it is logged at the
        current step."""
        event = make_event(int(self.steps), kind, params, kind)
        self.fire(event)
        return event

    def fire(self, event: Event) -> None:
        """Do what ``event`` does to the agents now, and log it."""
        FIRE[event.kind](self, **event.params, **event.resolved)
        self.events.log.append((int(self.steps), event.kind, dict(event.params)))

    def grow(self, new_employees: np.ndarray, new_customers: int) -> None:
        """Make room after a merger: agents for new employees, longer event arrays."""
        added = [self.Employee(self, int(i)) for i in new_employees]
        self._employee_list.extend(added)
        for a in added:
            self.employees.add(a)
        self.events.grow(new_customers)

    # --- outputs --------------------------------------------------------------------
    def collect(self) -> None:
        """The current week's row of outputs: the model's own columns, then those of
        ``reporters``."""
        self.current = metrics.row(self.steps, self.cust, self.org, self.fault_rate,
                                   self.week, self.causes, self.params, self.record)
        for name, report in self.reporters.items():
            self.current[name] = report(self)
        self.datacollector.collect(self)

    def timeseries(self):
        """The collected metrics as a pandas DataFrame, one row per week."""
        return self.datacollector.get_model_vars_dataframe()
