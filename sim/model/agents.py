"""Mesa agents: departments, employees and customers.

Their state lives in the model's arrays, so a step stays vectorised; an agent is a
named view on one entry, for the classroom page to click and a test to inspect.
Departments and employees exist from the start; a customer's agent is made the first
time someone asks for it (``model.customer(i)``), because a million eager agents
would cost seconds and hundreds of megabytes for nothing.
"""

from __future__ import annotations

import mesa
from mesa.agent import AgentSet
import numpy as np

from .customers import STATUS_NAMES
from .organisation import DEPARTMENTS


class Department(mesa.Agent):
    """A department: the employees in it and the knowledge domain it holds."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index
        self.name = DEPARTMENTS[index]

    @property
    def members(self) -> AgentSet:
        return self.model.employees.select(lambda e: e.index_dept == self.index)

    def __repr__(self) -> str:
        return f"Department({self.name})"


class Employee(mesa.Agent):
    """An employee: a view on entry ``index`` of the employee arrays."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    def _arr(self, name: str):
        return getattr(self.model.org, name)[self.index]

    index_dept = property(lambda self: int(self._arr("dept")))
    department = property(lambda self: DEPARTMENTS[self.index_dept])
    skill = property(lambda self: float(self._arr("skill")))
    knowledge = property(lambda self: float(self._arr("knowledge")))
    engagement = property(lambda self: float(self._arr("engagement")))
    tenure = property(lambda self: float(self._arr("tenure")))
    key_person = property(lambda self: bool(self._arr("key_person")))
    contacts_handled = property(lambda self: int(self._arr("used")))
    contacts_arrived = property(lambda self: int(self._arr("load")))

    @property
    def capacity(self) -> float:
        """Contacts this employee can take this week (serving share of capacity)."""
        return float(self.model.serving_capacity[self.index])

    @property
    def mandate(self) -> float:
        return float(self.model.params["mandate"])

    @property
    def accounts(self) -> int:
        """Active customers this employee owns."""
        return int(self.model.accounts[self.index])

    @property
    def colleagues(self) -> list[int]:
        return list(self.model.org.graph.neighbors(self.index))

    def __repr__(self) -> str:
        return f"Employee({self.index}, {self.department})"


class Customer(mesa.Agent):
    """A customer or prospect: a view on node ``index`` of the customer arrays."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    def _arr(self, name: str):
        return getattr(self.model.cust, name)[self.index]

    status = property(lambda self: STATUS_NAMES[int(self._arr("status"))])
    expectation = property(lambda self: float(self._arr("expectation")))
    satisfaction = property(lambda self: float(self._arr("satisfaction")))
    relationship = property(lambda self: float(self._arr("relationship")))
    switching_cost = property(lambda self: float(self._arr("switching_cost")))
    value = property(lambda self: float(self._arr("value")))
    tenure = property(lambda self: float(self._arr("tenure")))
    open_contact = property(lambda self: bool(self._arr("open_contact")))
    silent_problem = property(lambda self: bool(self._arr("silent_problem")))
    word_of_mouth = property(lambda self: float(self._arr("wom")))
    b2b = property(lambda self: bool(self._arr("b2b")))

    @property
    def churned_at(self) -> int | None:
        """The week the customer left, None if it has not."""
        k = int(self._arr("churn_step"))
        return k if k >= 0 else None

    @property
    def open_since(self) -> int | None:
        """The week the pending contact was first raised, None if none is pending."""
        return int(self._arr("open_since")) if self.open_contact else None

    @property
    def open_needs(self) -> str | None:
        """The department whose knowledge the pending contact needs."""
        return DEPARTMENTS[int(self._arr("open_dept"))] if self.open_contact else None

    @property
    def owner(self) -> Employee | None:
        o = int(self._arr("owner"))
        return self.model.employee(o) if o >= 0 else None

    @property
    def churn_cause(self) -> str | None:
        k = int(self._arr("cause"))
        return self.model.causes[k] if k >= 0 else None

    @property
    def neighbours(self) -> np.ndarray:
        return self.model.network.neighbours(self.index)

    def __repr__(self) -> str:
        return f"Customer({self.index}, {self.status})"

