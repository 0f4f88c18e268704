"""Mesa agents: departments, employees and customers.

Their state lives in the model's arrays, so a step stays vectorised; an agent is a
named, read-only view on one entry, for the classroom page to click and a test to
inspect. Its properties come from the state declarations (``customer_state`` and
``employee_state`` of the model class, see ``sim.model.state``), plus the few below
that combine several attributes or reach other agents. Departments and employees exist
from the start; a customer's agent is made the first time someone asks for it
(``model.customer(i)``), because a million eager agents would cost seconds and
hundreds of megabytes for nothing.
"""

from __future__ import annotations

import mesa
from mesa.agent import AgentSet
import numpy as np

from .customers import CUSTOMER_STATE
from .organisation import DEPARTMENTS, EMPLOYEE_STATE
from .state import view_class


class Entry(mesa.Agent):
    """A Mesa agent that stands for entry ``index`` of the model's arrays."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index


class Department(Entry):
    """A department: the employees in it and the knowledge domain it holds."""

    def __init__(self, model, index: int):
        super().__init__(model, index)
        self.name = DEPARTMENTS[index]

    @property
    def members(self) -> AgentSet:
        return self.model.employees.select(lambda e: e.index_dept == self.index)

    def __repr__(self) -> str:
        return f"Department({self.name})"


class EmployeeBase(Entry):
    """An employee: a view on entry ``index`` of the employee arrays."""

    @property
    def department(self) -> str:
        return DEPARTMENTS[int(self.model.org.dept[self.index])]

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


class CustomerBase(Entry):
    """A customer or prospect: a view on node ``index`` of the customer arrays."""

    def _arr(self, name: str):
        return getattr(self.model.cust, name)[self.index]

    @property
    def open_since(self) -> int | None:
        """The week the pending contact was first raised, None if none is pending."""
        return int(self._arr("open_since")) if self._arr("open_contact") else None

    @property
    def open_needs(self) -> str | None:
        """The department whose knowledge the pending contact needs."""
        return DEPARTMENTS[int(self._arr("open_dept"))] if self._arr("open_contact") else None

    @property
    def owner(self):
        """The account owner's Employee agent, None if the customer has none."""
        o = int(self._arr("owner"))
        return self.model.employee(o) if o >= 0 else None

    @property
    def neighbours(self) -> np.ndarray:
        return self.model.network.neighbours(self.index)

    def __repr__(self) -> str:
        return f"Customer({self.index}, {self.status})"


def customer_view(schema: tuple) -> type:
    """The Customer agent class for a customer state schema."""
    return view_class(CustomerBase, schema, "Customer", "cust")


def employee_view(schema: tuple) -> type:
    """The Employee agent class for an employee state schema."""
    return view_class(EmployeeBase, schema, "Employee", "org")


# the views of the model's own state (a model class with more state makes its own)
Customer = customer_view(CUSTOMER_STATE)
Employee = employee_view(EMPLOYEE_STATE)
